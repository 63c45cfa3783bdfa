from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from axolotly.models.base import Base


class RateLimit(Base):
    """Failures per key in the current fixed window (e.g. "login:account:7", "pair:ip:1.2.3.4")."""

    __tablename__ = "rate_limits"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    window_start: Mapped[datetime]
    failures: Mapped[int] = mapped_column(server_default="0")
