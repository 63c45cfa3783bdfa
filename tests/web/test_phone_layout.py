"""A parent's pages on a phone (issue 23), in Chromium, by element geometry: the menu waits behind
"Menu" at 390×844 (and opens without JavaScript), shows its links at 1280×800, no page is wider
than the screen (the activity trail and a title with a long name included), and the little things:
a favicon. Every page type is also measured at 390×844 by the axe test (tests/support/axe_audit.py)."""

from playwright.sync_api import Page, expect

from axolotly.seed.demo import DEMO_PARENT
from tests.support.browser import log_in, new_page, submit

PHONE = {"width": 390, "height": 844}
WIDE = {"width": 1280, "height": 800}


def box(page: Page, selector: str) -> dict:
    return page.locator(selector).first.bounding_box()


def scroll_width(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def signed_in(browser, server, outside, **context) -> Page:
    if context:
        page = browser.new_context(base_url=server, viewport=PHONE, **context).new_page()
    else:
        page = new_page(browser, server, outside)
    log_in(page, *DEMO_PARENT)
    return page


def test_on_a_phone_the_menu_waits_behind_its_button_and_the_heading_comes_first(server, browser):
    outside: list[str] = []
    parent = signed_in(browser, server, outside)
    parent.set_viewport_size(PHONE)
    parent.goto("/family/kids")
    menu = parent.get_by_text("Menu", exact=True)
    expect(menu).to_be_visible()
    expect(parent.get_by_role("link", name="Devices")).to_be_hidden()
    assert box(parent, "main h1")["y"] < 120, box(parent, "main h1")
    assert box(parent, "header.top")["height"] < 80

    menu.click()
    for name in ("Home", "Kids", "Services", "Catalog", "Library", "Devices", "Activity", "Account"):
        link = parent.get_by_role("navigation", name="Main").get_by_role("link", name=name, exact=True)
        expect(link).to_be_visible()
        where = link.bounding_box()
        assert where["x"] >= 0 and where["x"] + where["width"] <= PHONE["width"] and where["height"] >= 24, name
    expect(parent.get_by_role("button", name="Log out")).to_be_visible()
    assert scroll_width(parent) <= PHONE["width"]
    parent.get_by_role("link", name="Devices", exact=True).click()
    expect(parent.get_by_role("heading", level=1)).to_have_text("Devices")
    expect(parent.get_by_role("link", name="Kids", exact=True)).to_be_hidden()  # closed again on the new page
    assert outside == []


def test_on_a_wide_screen_the_links_show_without_the_button(server, browser):
    outside: list[str] = []
    parent = signed_in(browser, server, outside)
    parent.set_viewport_size(WIDE)
    parent.goto("/")
    expect(parent.get_by_text("Menu", exact=True)).to_be_hidden()
    links = parent.get_by_role("navigation", name="Main").get_by_role("link")
    expect(links.first).to_be_visible()
    tops = {round(link.bounding_box()["y"]) for link in links.all()}
    assert len(tops) == 1, f"the menu's links stand in one row at 1280 px: {tops}"
    expect(parent.get_by_role("button", name="Log out")).to_be_visible()


def test_the_menu_opens_without_javascript(server, browser):
    parent = signed_in(browser, server, [], java_script_enabled=False)
    parent.goto("/family/library")
    expect(parent.get_by_role("link", name="Activity", exact=True)).to_be_hidden()
    parent.get_by_text("Menu", exact=True).click()
    expect(parent.get_by_role("link", name="Activity", exact=True)).to_be_visible()
    parent.context.close()


def test_the_activity_trail_and_a_long_title_fit_a_phone(server, browser):
    outside: list[str] = []
    parent = signed_in(browser, server, outside)
    # Rows for the trail: titles added to the library, the longest name of the catalog among them.
    for query in ("Harry Potter and the Deathly", "The Chronicles of Narnia: The Voyage"):
        parent.goto(f"/catalog?q={query}")
        submit(parent, parent.get_by_role("button", name="Add “").first.inner_text())
    parent.set_viewport_size(PHONE)
    parent.goto("/family/activity")
    expect(parent.locator("main tbody tr")).not_to_have_count(0)
    assert scroll_width(parent) <= PHONE["width"], "the activity trail scrolls sideways"
    rows = parent.locator("main tbody tr")
    for index in range(min(rows.count(), 5)):
        where = rows.nth(index).bounding_box()
        assert where["x"] >= 0 and where["x"] + where["width"] <= PHONE["width"]

    parent.goto("/catalog?q=The Chronicles of Narnia: The Voyage")
    parent.get_by_role("link", name="Allow or deny “The Chronicles of Narnia: The Voyage of the Dawn Treader”").click()
    expect(parent.get_by_role("heading", level=1)).to_contain_text("Dawn Treader")
    assert scroll_width(parent) <= PHONE["width"], "a title's page scrolls sideways"
    heading = box(parent, "main h1")
    assert heading["x"] + heading["width"] <= PHONE["width"]
    assert outside == []


def test_the_favicon_is_served_and_named_by_every_page(server, browser):
    outside: list[str] = []
    page = new_page(browser, server, outside)
    answer = page.request.get("/favicon.ico")
    assert answer.status == 200 and answer.headers["content-type"].startswith("image/svg+xml")
    assert "max-age" in answer.headers["cache-control"] and b"<svg" in answer.body()
    page.goto("/login")
    assert page.locator('link[rel="icon"]').get_attribute("href") == "/favicon.ico"
    failed: list[str] = []
    page.on("response", lambda response: failed.append(response.url) if response.status >= 400 else None)
    log_in(page, *DEMO_PARENT)
    assert failed == [] and outside == []


# Cells holding one short word whose text spans more than one line (a word broken mid-way).
BROKEN_WORDS = """() => [...document.querySelectorAll("main td, main th")].filter(cell => {
  const text = cell.innerText.trim();
  if (!text || /\\s/.test(text) || text.length > 14) return false;
  const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT), tops = new Set();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const range = document.createRange();
    range.selectNodeContents(node);
    for (const r of range.getClientRects()) if (r.width > 0) tops.add(Math.round(r.top));
  }
  return tops.size > 1;
}).map(cell => cell.innerText.trim())"""


def test_table_cells_keep_their_words_whole_on_a_phone(server, browser):
    """A table on a phone once squeezed its columns into "Sof|ia", "W|hy|?" and "Rol|e", "Own|er"."""
    outside: list[str] = []
    parent = signed_in(browser, server, outside)
    parent.set_viewport_size(PHONE)
    parent.goto("/catalog?q=Harry Potter and the Philosopher")
    parent.get_by_role("link", name="Allow or deny “Harry Potter and the Philosopher's Stone”").click()
    for path in (parent.url, "/family/members"):
        parent.goto(path)
        expect(parent.locator("main td").first).to_be_visible()
        assert parent.evaluate(BROKEN_WORDS) == [], path
        assert scroll_width(parent) <= PHONE["width"], path
    assert outside == []


WORD_LINES = """word => { const node = document.querySelector("main h1").firstChild;
  const range = document.createRange(), at = node.textContent.indexOf(word);
  range.setStart(node, at); range.setEnd(node, at + word.length);
  return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size }"""


def test_a_titles_name_breaks_between_words_on_a_phone(server, browser):
    """The title's heading beside its poster once read "Philosopher'|s Stone"."""
    parent = signed_in(browser, server, [])
    parent.set_viewport_size(PHONE)
    parent.goto("/catalog?q=Harry Potter and the Philosopher")
    parent.get_by_role("link", name="Allow or deny “Harry Potter and the Philosopher's Stone”").click()
    assert parent.evaluate(WORD_LINES, "Philosopher's") == 1
