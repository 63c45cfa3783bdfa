"""Short-lived JWT access tokens for parents and admins (`sub` = user id, `role`)."""

from datetime import datetime, timedelta, timezone

import jwt

from axolotly.config import get_settings

ALGORITHM = "HS256"


def issue_access_token(user_id: int, role: str) -> tuple[str, int]:
    settings = get_settings()
    lifetime = timedelta(minutes=settings.jwt_ttl_minutes)
    now = datetime.now(timezone.utc)
    claims = {"sub": str(user_id), "role": role, "iat": now, "exp": now + lifetime}
    return jwt.encode(claims, settings.jwt_secret, algorithm=ALGORITHM), int(lifetime.total_seconds())


def user_id_from_token(token: str) -> int | None:
    """The user id of a valid, unexpired token signed by us, else None."""
    try:
        claims = jwt.decode(
            token, get_settings().jwt_secret, algorithms=[ALGORITHM], options={"require": ["exp", "sub"]}
        )
        return int(claims["sub"])
    except (jwt.PyJWTError, ValueError):
        return None
