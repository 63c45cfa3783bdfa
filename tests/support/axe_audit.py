"""axe-core in the browser tests: axe-playwright-python injects its bundled axe.min.js (offline,
no CDN) into the page and runs every default rule (WCAG 2 A/AA and best practices)."""

from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

SIZES = {"": {"width": 1280, "height": 800}, "-phone": {"width": 390, "height": 844}}
AXE = Axe()


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
    views: int = 0

    def page(self, page: Page, path: str | None, screenshot: str | None = None) -> None:
        """Open `path` (None: the page as it stands, e.g. after a form) at both sizes, axe it, and
        photograph it as `screenshot`.png and `screenshot`-phone.png when named."""
        for suffix, size in SIZES.items():
            page.set_viewport_size(size)
            if path is not None:
                page.goto(path)
            where = f"{urlsplit(page.url).path} at {size['width']}×{size['height']}"
            self.found += [f"{where}: {found}" for found in violations(page)]
            self.views += 1
            if screenshot:
                self.shoot(page, screenshot + suffix)
