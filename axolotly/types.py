"""Input types every route shares, so bad input is a 4xx at the edge and never a 500 in the database.

- Ids are PostgreSQL `integer`s: beyond 2^31-1 no row can exist (and psycopg would fail the query).
- Text must be storable: PostgreSQL text refuses NUL, and a lone surrogate cannot be UTF-8.
- Names (a parent's, a family's) are one line: no control characters (line breaks, tabs, escapes),
  so a name in a mail's subject can never break its headers.
- Numbers are ASCII digits when they arrive as strings (forms): `int('²')` would be a ValueError.
"""

import re
import unicodedata
from typing import Annotated

from fastapi import Form
from pydantic import AfterValidator, BeforeValidator, Field

PG_INT_MAX = 2**31 - 1


def N_(message: str) -> str:  # noqa: N802 - gettext's name for "translate later", as axolotly/i18n.py's
    """Marks a validator's words for the catalog (a leaf imports nothing of the project, so not
    i18n's own): the API answers them in English, a page's form says them in its reader's language
    (web/forms.py `problem`)."""
    return message


WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+")  # ASCII digits only: [0-9], not \d


def storable_text(value: str) -> str:
    if "\x00" in value:
        raise ValueError(N_("must not contain NUL characters"))
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(N_("must be valid Unicode text (no lone surrogates)")) from None
    return value


def one_line(value: str) -> str:
    # Cc: C0 and C1 controls (\n, \r, \t, ESC, NEL…); Zl, Zp: the Unicode line and paragraph separators.
    if any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in value):
        raise ValueError(N_("must be one line, without control characters"))
    return value


def ascii_number(value: object) -> object:
    if isinstance(value, str) and not WHOLE_NUMBER.fullmatch(value.strip()):
        raise ValueError(N_("Not a whole number (write it with the digits 0-9)"))
    return value


def blank_as_none(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value


# The bounds come before the digits check: pydantic publishes them (minimum/maximum in
# /openapi.json) only when they sit directly on the integer; the check still runs first.
RowId = Annotated[int, Field(ge=1, le=PG_INT_MAX), BeforeValidator(ascii_number)]
"""A primary key (or a TMDB id): a positive PostgreSQL integer."""

PageOffset = Annotated[int, Field(ge=0, le=PG_INT_MAX), BeforeValidator(ascii_number)]

SmallCount = Annotated[int, Field(ge=0, le=PG_INT_MAX), BeforeValidator(ascii_number)]
"""A non-negative integer column (seasons, episodes, version codes, minutes)."""

FormId = Annotated[RowId | None, BeforeValidator(blank_as_none)]
"""A form's id field that may be left blank: None when blank."""

FormCount = Annotated[SmallCount | None, BeforeValidator(blank_as_none)]
"""A form's number field that may be left blank (browsers send ""): None when blank."""

Text = Annotated[str, AfterValidator(storable_text)]
"""Any text the database will store: no NUL, no lone surrogates (length limits stay per field)."""

OneLineText = Annotated[Text, AfterValidator(one_line)]
"""A name shown in pages and mails: storable text on one line, without control characters."""

FormText = Annotated[Text, Form()]
"""A text field of a page's form."""
