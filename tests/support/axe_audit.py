"""axe-core in the browser tests: axe-playwright-python injects its bundled axe.min.js (offline,
no CDN) into the page and runs every default rule (WCAG 2 A/AA and best practices)."""

from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

SIZES = {"": {"width": 1280, "height": 800}, "-phone": {"width": 390, "height": 844}}
AXE = Axe()
PHONE_WIDTH = SIZES["-phone"]["width"]
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
    found = []
    for violation in AXE.run(page).response["violations"]:
        targets = [" ".join(node["target"]) for node in violation["nodes"]][:4]
        found.append(f"{violation['id']} ({violation['help']}) on {targets}")
    return found


@dataclass
class Audit:
    """Every violation axe finds, by page and size, kept to be reported together at the end."""

    shoot: Callable[[Page, str], None]
    found: list[str] = field(default_factory=list)
    layout: list[str] = field(default_factory=list)  # phone layout problems (phone_layout)
    views: int = 0

    def page(self, page: Page, path: str | None, screenshot: str | None = None) -> None:
        """Open `path` (None: the page as it stands, e.g. after a form) at both sizes, axe it, check
        its phone layout, and photograph it as `screenshot`.png and `screenshot`-phone.png when named."""
        for suffix, size in SIZES.items():
            page.set_viewport_size(size)
            if path is not None:
                page.goto(path)
            where = f"{urlsplit(page.url).path} at {size['width']}×{size['height']}"
            self.found += [f"{where}: {found}" for found in violations(page)]
            if size["width"] == PHONE_WIDTH:
                self.layout += [f"{where}: {found}" for found in phone_layout(page)]
            self.views += 1
            if screenshot:
                self.shoot(page, screenshot + suffix)
