"""Mails that tell an account holder about a change they may not have made."""

from axolotly.mail import Mail


def email_changed_notice(old_email: str, new_email: str) -> Mail:
    """To the old address: if someone else changed it, this is how the owner learns."""
    return Mail(
        old_email,
        "Your Axolotly email was changed",
        f"The Axolotly account that used {old_email} now signs in with {new_email}.\n\n"
        "If you did not change it, someone else knows your password: write to your family's "
        "co-parent or the service's support at once.\n",
    )
