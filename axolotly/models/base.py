from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, MetaData, TypeDecorator, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, mapped_column

# Stable constraint names: migrations and error handling can refer to them.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        datetime: DateTime(timezone=True),
        dict[str, Any]: JSONB,
        list[Any]: JSONB,
    }


def created_at_column():
    return mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)


def json_list_column():
    return mapped_column(JSONB, server_default="[]", nullable=False)


class SparseJsonList(TypeDecorator):
    """A JSONB array stored as NULL when empty, read back as [].

    For columns empty in most rows of a big table (kid_profiles_titles.blocked_episodes): a NULL
    costs a bit of the row's null bitmap, `'[]'` five bytes plus alignment (migration 0021).
    """

    impl = JSONB(none_as_null=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return value or None

    def process_result_value(self, value, dialect):
        return [] if value is None else value


def sparse_json_list_column():
    return mapped_column(SparseJsonList, nullable=True)
