from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from axolotly.models.base import Base


class ContentTag(Base):
    __tablename__ = "content_tags"
    __table_args__ = (Index("idx_content_tags_tag", "tag", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tag: Mapped[str] = mapped_column(String(100))
    category: Mapped[str | None] = mapped_column(String(50))
    description: Mapped[str | None] = mapped_column(Text)
