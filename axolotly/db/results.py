"""What a data-changing statement reports back."""

from typing import Any, cast

from sqlalchemy import CursorResult, Result


def affected_rows(result: Result[Any]) -> int:
    """The rows an UPDATE, DELETE or INSERT touched. `Session.execute()` returns a CursorResult for
    such a statement, but is declared to return a Result, which has no `rowcount`."""
    return cast(CursorResult[Any], result).rowcount
