"""Where the links we mail point (password reset, co-parent invitations).

A link built from the request's Host header could point at an attacker's site (reset or
invitation poisoning: our genuine sender mailing someone a link to evil.example), so a link's
base is PUBLIC_URL; only outside production, without it, the request's own address (development
and tests). A production server without PUBLIC_URL builds no link at all.
"""

from axolotly.config import get_settings
from axolotly.errors import DomainError
from axolotly.i18n import N_


class LinksNotConfigured(DomainError):
    """Production without PUBLIC_URL: no link is built (503)."""

    status_code = 503


def link_base(request_base_url: str, feature: str = "Mailed links") -> str:
    """PUBLIC_URL, else (outside production) the request's own address; never a trailing slash."""
    settings = get_settings()
    if settings.public_url:
        return settings.public_url.rstrip("/")
    if settings.env == "production":
        sentences = {
            "Invitation links": N_("Invitation links need PUBLIC_URL to be set on the server"),
            "Password reset links": N_("Password reset links need PUBLIC_URL to be set on the server"),
        }
        raise LinksNotConfigured(
            sentences.get(feature, N_("%(feature)s need PUBLIC_URL to be set on the server")), feature=feature
        )
    return request_base_url.rstrip("/")
