from datetime import datetime

from sqlalchemy import ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from axolotly.models.base import Base, created_at_column


class FamilyMember(Base):
    """A co-parent: a user acting for a family they do not own (the owner is the family's user row).

    A user belongs to one family: `user_id` is unique.
    """

    __tablename__ = "family_members"
    __table_args__ = (
        Index("uq_family_members_user_id", "user_id", unique=True),
        Index("idx_family_members_family_id", "family_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = created_at_column()
