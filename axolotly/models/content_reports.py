from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from axolotly.enums import ReportStatus, sql_values
from axolotly.models.base import Base, created_at_column


class ContentReport(Base):
    __tablename__ = "content_reports"
    __table_args__ = (
        Index("idx_content_reports_status", "status"),
        Index("idx_content_reports_family_id", "family_id"),
        Index("idx_content_reports_title_id", "title_id"),
        CheckConstraint(f"status IN ({sql_values(ReportStatus)})", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    title_id: Mapped[int] = mapped_column(ForeignKey("titles.id", ondelete="CASCADE"))
    issue_type: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(50), server_default=ReportStatus.PENDING.value)  # ReportStatus
    created_at: Mapped[datetime] = created_at_column()
    resolved_at: Mapped[datetime | None]
