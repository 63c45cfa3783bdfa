"""The closed sets of values the database stores and the API sends, one StrEnum each.

A member is its value (`MediaType.TV == "tv"`), so rows, JSON and templates carry the same plain
strings as before; the tables' CHECK constraints list the same values (migrations). A leaf module:
models, schemas, services, routers and pages all import it, so it imports nothing of the project.
Raw SQL (launcher/query.py, launcher/episode_links.py) spells the values inline, as SQL does.
"""

from enum import StrEnum


class PolicyKind(StrEnum):
    """A policy's verdict for a kid and a title (`kid_profiles_titles.policy`)."""

    ALLOW = "allow"
    DENY = "deny"


class MediaType(StrEnum):
    """A title's kind (`titles.media_type`), as TMDB names it."""

    MOVIE = "movie"
    TV = "tv"


class RequestStatus(StrEnum):
    """Where a kid's title request stands (`title_requests.status`)."""

    OPEN = "open"
    APPROVED = "approved"
    DECLINED = "declined"


class ReportStatus(StrEnum):
    """Where a family's content report stands (`content_reports.status`)."""

    PENDING = "pending"
    RESOLVED = "resolved"
    DISMISSED = "dismissed"


class UserRole(StrEnum):
    """What an account may do (`users.role`); a family role (owner, co-parent) is another thing
    (families/context.py)."""

    PARENT = "parent"
    ADMIN = "admin"


def sql_values(values: type[StrEnum]) -> str:
    """`'a', 'b'` for a CHECK constraint's IN list."""
    return ", ".join(f"'{member.value}'" for member in values)
