"""Issue 25: every word the code and templates mark is translated in German, Spanish and French
(no entry missing, empty or fuzzy, the same placeholders as the English), and plural forms follow
each language's rule ("1 Minute", "2 Minuten"; French takes the singular for 0 and 1)."""

import re
from functools import cache
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from axolotly.i18n import LANGUAGES, LOCALE_DIR, format_minutes, translations, use_language

ROOT = Path(__file__).parents[2]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}  # as `make messages`
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]|%[sdif]")
TRANSLATED = [language for language in LANGUAGES if language != "en"]


@cache
def extracted() -> dict[str, tuple[str, ...]]:
    """A fresh extraction, as `make messages` makes it: msgid -> (msgid, msgid_plural?)."""
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    found: dict[str, tuple[str, ...]] = {}
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS, comment_tags=()
    ):
        ids = message if isinstance(message, tuple) else (message,)
        if ids[0]:
            found[ids[0]] = ids
    return found


@cache
def catalog(language: str):
    with (LOCALE_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as source:
        return read_po(source, locale=language)


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text)) | ({"%"} if "%%" in text else set())


def test_the_extraction_finds_the_words_of_code_and_templates():
    words = extracted()
    assert "Page not found" in words  # web/templating.py, marked with N_
    assert words["%(num)d minute"] == ("%(num)d minute", "%(num)d minutes")  # i18n.format_minutes
    assert any(".html" not in word for word in words)


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_extracted_word_is_translated_and_not_fuzzy(language):
    entries = {message.id if isinstance(message.id, str) else message.id[0]: message for message in catalog(language)}
    problems = []
    for msgid, ids in sorted(extracted().items()):
        entry = entries.get(msgid)
        if entry is None:
            problems.append(f"missing (run `make messages`): {msgid!r}")
            continue
        forms = entry.string if isinstance(entry.string, (list, tuple)) else (entry.string,)
        if "fuzzy" in entry.flags:
            problems.append(f"fuzzy: {msgid!r}")
        elif not all(forms):
            problems.append(f"untranslated: {msgid!r}")
        elif len(ids) == 2 and len(forms) != catalog(language).num_plurals:
            problems.append(f"{len(forms)} plural forms, not {catalog(language).num_plurals}: {msgid!r}")
        else:
            wanted = placeholders(ids[-1])
            problems += [
                f"placeholders {placeholders(f)} not {wanted}: {msgid!r}" for f in forms if placeholders(f) != wanted
            ]
    assert problems == [], f"{language}: {len(problems)} entries:\n" + "\n".join(problems[:80])


@pytest.mark.parametrize("language", TRANSLATED)
def test_a_catalog_holds_no_word_the_code_no_longer_has(language):
    stale = [
        m.id for m in catalog(language) if m.id and (m.id if isinstance(m.id, str) else m.id[0]) not in extracted()
    ]
    assert stale == [], f"{language}: run `make messages` to drop {stale[:10]}"


def test_plural_forms_follow_each_language():
    with use_language("en"):
        assert [format_minutes(n) for n in (0, 1, 2)] == ["0 minutes", "1 minute", "2 minutes"]
    with use_language("de"):
        assert [format_minutes(n) for n in (1, 2)] == ["1 Minute", "2 Minuten"]
    for language, singular_counts in (("fr", (0, 1)), ("es", (1,))):  # French: 0 and 1 take the singular
        singular, plural = catalog(language).get("%(num)d minute").string
        assert singular != plural
        with use_language(language):
            for count in (0, 1, 2, 3):
                form = singular if count in singular_counts else plural
                assert format_minutes(count) == form % {"num": count}
    assert catalog("fr").plural_expr == "(n > 1)" and catalog("de").plural_expr == "(n != 1)"
    assert translations("de").ngettext("%(num)d minute", "%(num)d minutes", 2) == "%(num)d Minuten"
