"""Mails that tell an account holder about a change they may not have made."""

from datetime import datetime

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


def password_changed_notice(email: str, when: datetime) -> Mail:
    """To the account's address, after a password change: the owner learns if it was not them."""
    return Mail(
        email,
        "Your Axolotly password was changed",
        f"The password of the Axolotly account {email} was changed on {when:%A %d %B %Y at %H:%M} "
        f"(time zone {when.tzinfo}).\n"
        "Every other browser and app signed in to the account was signed out.\n\n"
        "If this was you, there is nothing more to do.\n\n"
        "If it was not you, someone else knows your password: choose a new one at once with "
        '"Forgot password?" on the log-in page (the link goes to this address), then check the '
        "family's devices and co-parents.\n",
    )
