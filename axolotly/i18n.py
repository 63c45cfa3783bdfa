"""Words in the reader's language: gettext catalogs (axolotly/locale/<lang>/LC_MESSAGES/messages.po)
read by Babel, and the language of the request in a context variable.

Pages, emails and the kid launcher call `gettext`/`ngettext` (templates: `_()` and `ngettext()`,
Jinja2's i18n extension, newstyle: `_("Hello %(name)s", name=kid.name)`); module-level words that
are translated later are marked with `N_` so that `pybabel extract` finds them. The JSON APIs keep
their English `detail` texts: clients may match on them.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from gettext import NullTranslations
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LANGUAGES = ("en", "de", "es", "fr")  # English is the source language: it has no catalog
DEFAULT_LANGUAGE = "en"
LANGUAGE_NAMES = {"en": "English", "de": "Deutsch", "es": "Español", "fr": "Français"}
LOCALE_DIR = Path(__file__).parent / "locale"

_language: ContextVar[str] = ContextVar("axolotly_language", default=DEFAULT_LANGUAGE)


@cache
def translations(language: str) -> NullTranslations:
    """The catalog of a language, compiled in memory from its .po file (no .mo in the tree)."""
    po_file = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    if language == DEFAULT_LANGUAGE or not po_file.exists():
        return NullTranslations()
    with po_file.open("rb") as source:
        catalog = read_po(source, locale=language)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)


def current_language() -> str:
    return _language.get()


def set_language(language: str) -> None:
    """For the rest of this request (or task): words in `language` (unknown ones: English)."""
    _language.set(language if language in LANGUAGES else DEFAULT_LANGUAGE)


@contextmanager
def use_language(language: str | None) -> Iterator[None]:
    """Words in `language` inside the block (an email to a parent in theirs), then as before."""
    token = _language.set(language if language in LANGUAGES else DEFAULT_LANGUAGE)
    try:
        yield
    finally:
        _language.reset(token)


def gettext(message: str) -> str:
    return translations(_language.get()).gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    return translations(_language.get()).ngettext(singular, plural, count)


def N_(message: str) -> str:  # noqa: N802 - gettext's conventional name for "translate later"
    """Marks words for the catalog without translating them now (module-level labels)."""
    return message
