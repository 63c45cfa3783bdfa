"""Mails that tell an account holder about a change they may not have made, in the holder's
language (their page language setting, else English)."""

from datetime import datetime

from axolotly.i18n import format_moment, format_time, gettext, use_language
from axolotly.mail import Mail


def email_changed_notice(old_email: str, new_email: str, language: str | None = None) -> Mail:
    """To the old address: if someone else changed it, this is how the owner learns."""
    with use_language(language):
        return Mail(
            old_email,
            gettext("Your Axolotly email was changed"),
            gettext("The Axolotly account that used %(old_email)s now signs in with %(new_email)s.")
            % {"old_email": old_email, "new_email": new_email}
            + "\n\n"
            + gettext(
                "If you did not change it, someone else knows your password: write to your family's "
                "co-parent or the service's support at once."
            )
            + "\n",
        )


def password_changed_notice(email: str, when: datetime, language: str | None = None) -> Mail:
    """To the account's address, after a password change: the owner learns if it was not them."""
    with use_language(language):
        return Mail(
            email,
            gettext("Your Axolotly password was changed"),
            gettext(
                "The password of the Axolotly account %(email)s was changed on %(date)s at %(time)s "
                "(time zone %(zone)s)."
            )
            % {"email": email, "date": format_moment(when, "full_date"), "time": format_time(when), "zone": when.tzinfo}
            + "\n"
            + gettext("Every other browser and app signed in to the account was signed out.")
            + "\n\n"
            + gettext("If this was you, there is nothing more to do.")
            + "\n\n"
            + gettext(
                "If it was not you, someone else knows your password: choose a new one at once with "
                '"%(forgot_password)s" on the log-in page (the link goes to this address), then check the '
                "family's devices and co-parents."
            )
            % {"forgot_password": gettext("Forgot password?")}  # the log-in page's link, as it reads there
            + "\n",
        )
