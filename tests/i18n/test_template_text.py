"""Issue 25: no template holds words a person reads outside the translation functions.

Each template is read by Jinja's own lexer: its `data` tokens (the text between tags) are put back
together with every expression and statement replaced by a marker, then read as HTML. Visible text
must not keep a word, nor may the attributes a person reads (title, placeholder, aria-label, alt,
a button's value) or a string literal that reaches the page capitalised like a sentence outside
`_()`/`ngettext()`. What may stay is listed below, each with its reason.
"""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from jinja2 import Environment

TEMPLATES = Path(__file__).parents[2] / "axolotly" / "web" / "templates"
MARKER = "\x00"  # where an expression or statement was
WORD = re.compile(r"[^\W\d_]{2,}")  # two letters or more, in any script

# Words that are the same in every language, and why.
ALLOWED_WORDS = {
    "Axolotly": "the product's name",
    "TMDB": "a service's name (The Movie Database)",
    "PIN": "the same in the four languages",
    "Emma": "a kid of the demo family (seed/demo.py), named on the log-in page's demo hint",
    "Leo": "a kid of the demo family (seed/demo.py), named on the log-in page's demo hint",
}
READ_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt"}
TRANSLATING_CALLS = {"_", "gettext", "ngettext"}
# A string literal that reads like words for a person: capitalised, letters and spaces.
SENTENCE_LITERAL = re.compile(r"^[A-Z][a-z]+(?:[ ,.!?'’…:-]+[A-Za-z]+)*[.!?…]?$")


def _env() -> Environment:
    return Environment(autoescape=True, extensions=["jinja2.ext.i18n"])  # only its lexer is used


def template_names() -> list[str]:
    return sorted(str(path.relative_to(TEMPLATES)) for path in TEMPLATES.rglob("*.html"))


def static_html(source: str) -> tuple[str, list[tuple[int, str]]]:
    """(the template's own HTML, every non-data construct a MARKER; the string literals that are
    no argument of a translation call, with their lines)."""
    html, literals = [], []
    in_trans = False  # {% trans %} ... {% endtrans %}: its text is the message itself
    call_depth: list[int] = []  # paren depths of open translation calls
    depth = 0
    tokens = [token for token in _env().lex(source) if token[1] != "whitespace"]
    for index, (lineno, kind, value) in enumerate(tokens):
        previous = tokens[index - 1] if index else (0, "", "")
        following = tokens[index + 1] if index + 1 < len(tokens) else (0, "", "")
        if kind == "data":
            html.append(MARKER if in_trans else value)
            continue
        if not html or html[-1] != MARKER:
            html.append(MARKER)
        if kind == "name" and previous[1] == "block_begin":
            in_trans = value == "trans" or (in_trans and value != "endtrans")
        elif value == "(":
            depth += 1
            if previous[1] == "name" and previous[2] in TRANSLATING_CALLS:
                call_depth.append(depth)
        elif value == ")":
            if call_depth and call_depth[-1] == depth:
                call_depth.pop()
            depth -= 1
        elif kind == "string" and not call_depth and not in_trans and following[2] != ":":  # a dict's key is no text
            text = value[1:-1]  # lex() gives the raw token, quotes included
            if SENTENCE_LITERAL.match(text):
                literals.append((lineno, text))
    return "".join(html), literals


def words_left(text: str) -> list[str]:
    return [word for word in WORD.findall(text.replace(MARKER, " ")) if word not in ALLOWED_WORDS]


class VisibleText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.hidden = 0  # inside <script> or <style>

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.hidden += 1
        values = dict(attrs)
        read = set(READ_ATTRIBUTES)
        if tag == "button" or (tag == "input" and values.get("type") in ("submit", "button", "reset")):
            read.add("value")
        for name, value in attrs:
            if name in read and value and (left := words_left(value)):
                self.found.append(f'<{tag} {name}="{value}">: {left}')

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self.hidden:
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self.hidden and (left := words_left(data)):
            self.found.append(f"{data.strip()!r}: {left}")


@pytest.mark.parametrize("name", template_names())
def test_a_template_shows_no_words_outside_the_translation_functions(name):
    html, literals = static_html((TEMPLATES / name).read_text(encoding="utf-8"))
    parser = VisibleText()
    parser.feed(html)
    parser.close()
    found = parser.found + [f"line {line}: string {value!r}" for line, value in literals if words_left(value)]
    assert found == [], f"{name}: words outside _() / ngettext():\n" + "\n".join(found)


def test_the_scan_finds_words_in_text_attributes_and_literals():
    """The scan itself: what it must catch, and what it must let through."""
    caught, literals = static_html(
        '<p>Hello {{ name }}</p><input type="submit" value="Save"><a title="Open it">Go</a>'
        '{{ menu_link("/", "Home") }}{{ _("Fine") }}<span aria-label="{{ _("Fine") }}">×</span>'
    )
    parser = VisibleText()
    parser.feed(caught)
    assert len(parser.found) == 4  # Hello, Save, Open it, Go
    assert [value for _, value in literals] == ["Home"]
    clean, none = static_html('{% trans %}Hello{% endtrans %} · Axolotly {{ ngettext("A", "B", n) }} <b>{{ x }}</b>')
    parser = VisibleText()
    parser.feed(clean)
    assert parser.found == [] and none == []
