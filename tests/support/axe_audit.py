"""axe-core in the browser tests: axe-playwright-python's bundled axe.min.js (offline, no CDN),
injected once per page shown, runs every default rule (WCAG 2 A/AA and best practices).

Every page type in English at both sizes, and in one other language (issue 25): the page types
take German, Spanish and French in turn, so each language is audited, fully and at both sizes,
over a third of the page types, and the suite stays within its budget. The journey builds its
state once, and `Audit.in_other_languages` shows the pages kept so far again (one navigation per
page, then resized). German is also photographed: the page types audited in German, and the four
of the README's German row whatever their turn (shown again for the photograph, without axe).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

SIZES = {"": {"width": 1280, "height": 800}, "-phone": {"width": 390, "height": 844}}
AXE = Axe()
PHONE_WIDTH = SIZES["-phone"]["width"]
OTHER_LANGUAGES = ("de", "es", "fr")  # each page type's second language, in turn; English for all
PHOTOGRAPHED_IN = "de"  # the README's second set of screenshots (name-de.png, name-de-phone.png)
README_GERMAN_ROW = ("home", "title", "kid-launcher", "kid-pin")  # photographed in German in any turn
HEADING_WITHIN = 120  # px from the top of the page to the main heading on a phone (issue 23)

# Geometry, not pixels: how wide the page is, where its main heading starts, whether the menu's
# links show (on a phone they wait behind "Menu").
MEASURE = """() => {
  // A flash message may come first: it is the page's own content.
  const heading = document.querySelector("main > .flash, main h1");
  const nav = document.querySelector('nav[aria-label="Main"]');
  const menu = document.querySelector("details.menu > summary");
  return {
    width: document.documentElement.scrollWidth,
    heading: heading ? Math.round(heading.getBoundingClientRect().top + window.scrollY) : null,
    links: nav ? nav.checkVisibility() : null,
    button: menu ? menu.checkVisibility() : null,
  };
}"""


def phone_layout(page: Page) -> list[str]:
    """What is wrong with the page's layout at 390 px: wider than the screen, the menu's links
    showing before "Menu" is pressed, or a parent page's heading (or flash) pushed down the screen."""
    found = []
    measured = page.evaluate(MEASURE)
    if measured["width"] > PHONE_WIDTH:
        found.append(f"{measured['width']} px wide")
    if measured["links"] or measured["button"] is False:
        found.append("the menu is not collapsed behind its button")
    parent_page = measured["button"] is not None  # kid launcher pages have a look (and a test) of their own
    if parent_page and (measured["heading"] is None or measured["heading"] > HEADING_WITHIN):
        found.append(f"the main heading starts at {measured['heading']} px")
    return found


def violations(page: Page) -> list[str]:
    """axe's findings on the page as shown, every default rule. axe is injected once per document
    (its 570 kB parsed once for both sizes), as axe-playwright-python's `Axe.run` does every time."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE.axe_script)
    response = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    found = []
    for violation in response["violations"]:
        nodes = violation["nodes"][:4]
        targets = [" ".join(node["target"]) for node in nodes]
        why = nodes[0].get("failureSummary", "").replace("\n", " ") if nodes else ""
        found.append(f"{violation['id']} ({violation['help']}) on {targets}: {why}")
    return found


# How to show a page again in another language: a path to open, or steps that end on the page
# (a form's answer, a kid signing in); either way on the Page it is audited in.
Show = str | Callable[[], None]


@dataclass
class Again:
    page: Page
    show: Show
    screenshot: str | None
    language: str  # the other language this page type is audited in


@dataclass
class Audit:
    """Every violation axe finds, by page, size and language, kept to be reported together at the end."""

    shoot: Callable[[Page, str], None]
    found: list[str] = field(default_factory=list)
    layout: list[str] = field(default_factory=list)  # phone layout problems (phone_layout)
    views: int = 0
    pending: list[Again] = field(default_factory=list)  # shown again by in_other_languages
    kept: int = 0  # page types kept so far: whose turn it is among OTHER_LANGUAGES

    def page(
        self,
        page: Page,
        path: str | None,
        screenshot: str | None = None,
        again: Show | None = None,
        on: Page | None = None,
    ) -> None:
        """Open `path` (None: the page as it stands, e.g. after a form), axe it at both sizes, check
        its phone layout, and photograph it as `screenshot`.png and `screenshot`-phone.png when named.
        The next `in_other_languages` shows it again through `again` (by default `path`) on `on`
        (by default `page`); a page with neither is English only."""
        self._both_sizes(page, path, screenshot, "en", audited=True)
        show = again if again is not None else path
        if show is not None:
            language = OTHER_LANGUAGES[self.kept % len(OTHER_LANGUAGES)]
            self.pending.append(Again(on or page, show, screenshot, language))
            self.kept += 1

    def in_other_languages(self, speak: Callable[[str], None]) -> None:
        """Show the pages kept since the last call again, each in its turn's language (and the
        README's German row in German): `speak(language)` switches every page of the journey to it,
        `speak("en")` back at the end."""
        for language in OTHER_LANGUAGES:
            photographed = language == PHOTOGRAPHED_IN
            due = [
                again
                for again in self.pending
                if again.language == language or (photographed and again.screenshot in README_GERMAN_ROW)
            ]
            if not due:
                continue
            speak(language)
            for again in due:
                name = (again.screenshot and f"{again.screenshot}-{language}") if photographed else None
                self._both_sizes(again.page, again.show, name, language, audited=again.language == language)
        speak("en")
        self.pending.clear()

    def _both_sizes(self, page: Page, show: Show | None, screenshot: str | None, language: str, audited: bool) -> None:
        """Show the page once (a path, steps, or None: as it stands), then check it at each size."""
        sizes = list(SIZES.items())
        page.set_viewport_size(sizes[0][1])
        if isinstance(show, str):
            page.goto(show)
        elif show is not None:
            show()
        for suffix, size in sizes:
            page.set_viewport_size(size)
            self._check(page, size, screenshot and screenshot + suffix, language, audited)

    def _check(self, page: Page, size: dict[str, int], screenshot: str | None, language: str, audited: bool) -> None:
        """Axe the page as shown (when `audited`), check its `<html lang>` and its phone layout,
        photograph it when named."""
        where = f"{urlsplit(page.url).path} at {size['width']}×{size['height']} in {language}"
        spoken = page.evaluate("document.documentElement.lang")
        if spoken != language:  # axe's html-lang-valid checks the value; this checks it is the one meant
            self.found.append(f"{where}: <html lang> is {spoken!r}")
        if audited:
            self.found += [f"{where}: {found}" for found in violations(page)]
            self.views += 1
        if size["width"] == PHONE_WIDTH:
            self.layout += [f"{where}: {found}" for found in phone_layout(page)]
        if screenshot:
            self.shoot(page, screenshot)
