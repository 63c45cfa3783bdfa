"""The "How long" of an allow in a real browser at phone size (static/until.js): the date and time
box shows only while "Until…" is chosen (a date typed under "For good" would allow for good
silently), "How long" only while the row's rule is "Allow" (title page; approving a request is
always an allow); a stored end shows its box at once; without the script everything shows, as the
server reads it all the same. axe finds nothing."""

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Locator, Page, expect

from axolotly.seed.demo import DEMO_PARENT
from tests.support.axe_audit import violations
from tests.support.browser import log_in, new_page
from tests.support.live_app import sql
from tests.support.pg import demo_database
from tests.support.processes import live_server

PHONE = {"width": 375, "height": 812}


@pytest.fixture(scope="module")
def database(server_url):
    return demo_database(server_url, "axolotly_until_choice_ui")


@pytest.fixture(scope="module")
def server(database):
    with live_server(database) as base:
        yield base


def ids(database: str, kid: str, title: str) -> tuple[int, int, int]:
    """The demo family's id, its kid's and the title's."""
    [(family_id, kid_id)] = sql(
        database,
        "SELECT k.family_id, k.id FROM kid_profiles k JOIN users u ON u.id = k.family_id "
        "WHERE u.email = %(email)s AND k.name = %(kid)s",
        {"email": DEMO_PARENT[0], "kid": kid},
    )
    [(title_id,)] = sql(database, "SELECT id FROM titles WHERE title = %(t)s", {"t": title})
    return family_id, kid_id, title_id


def open_request(database: str, kid: str, title: str) -> int:
    family, kid_id, title_id = ids(database, kid, title)
    [(request_id,)] = sql(
        database,
        "INSERT INTO title_requests (family_id, kid_profile_id, title_id, status) "
        "VALUES (%(f)s, %(k)s, %(t)s, 'open') RETURNING id",
        {"f": family, "k": kid_id, "t": title_id},
    )
    return request_id


def parent_at_phone_size(browser, server: str, outside: list[str]) -> Page:
    page = new_page(browser, server, outside)
    log_in(page, *DEMO_PARENT)
    page.set_viewport_size(PHONE)
    return page


def cannot_take_focus(field: Locator) -> bool:
    return field.evaluate("(input) => { input.focus(); return document.activeElement !== input; }")


def test_the_title_page_shows_the_date_only_for_until_and_how_long_only_for_an_allow(server, database, browser):
    _family, emma, moana = ids(database, "Emma", "Moana")  # Emma: allowed for good; Leo: denied
    _family, leo, _moana = ids(database, "Leo", "Moana")
    outside: list[str] = []
    parent = parent_at_phone_size(browser, server, outside)
    parent.goto(f"/catalog/titles/{moana}")

    how_long, when, date = (parent.locator(f"#{name}-{emma}") for name in ("until-choice", "until-when", "until-local"))
    expect(how_long).to_be_visible()
    expect(how_long).to_have_value("")  # For good
    expect(when).to_be_hidden()
    assert cannot_take_focus(date)
    expect(parent.locator(f"#until-choice-{leo}")).to_be_hidden()  # a deny: "How long" means nothing
    expect(parent.locator(f"#until-local-{leo}")).to_be_hidden()
    leos_cell = parent.locator(f"#how-long-{leo}").locator("xpath=..")
    expect(leos_cell).not_to_have_attribute("data-label", "How long an allow lasts")  # no empty heading on a phone

    how_long.select_option(label="Until…")
    expect(when).to_be_visible()
    expect(when.get_by_label("Until (date and time)")).to_be_visible()  # labels still name the fields
    expect(parent.get_by_label("How long Emma may watch it")).to_be_visible()
    date.fill("2030-01-05T20:00")
    assert parent.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert violations(parent) == []

    how_long.select_option(label="For good")
    expect(when).to_be_hidden()
    parent.locator(f"#policy-{emma}").select_option(label="Deny")
    expect(how_long).to_be_hidden()
    parent.locator(f"#policy-{leo}").select_option(label="Allow")
    expect(parent.locator(f"#until-choice-{leo}")).to_be_visible()
    expect(parent.locator(f"#until-when-{leo}")).to_be_hidden()
    expect(leos_cell).to_have_attribute("data-label", "How long an allow lasts")
    assert violations(parent) == []
    assert outside == []


def test_a_stored_end_shows_its_date_at_once(server, database, browser):
    _family, emma, wild_kratts = ids(database, "Emma", "Wild Kratts")
    ends = (datetime.now(UTC) + timedelta(days=2)).replace(second=0, microsecond=0)
    sql(
        database,
        "UPDATE kid_profiles_titles SET allowed_until = %(ends)s WHERE kid_profile_id = %(k)s AND title_id = %(t)s",
        {"ends": ends, "k": emma, "t": wild_kratts},
    )
    outside: list[str] = []
    parent = parent_at_phone_size(browser, server, outside)
    parent.goto(f"/catalog/titles/{wild_kratts}")
    expect(parent.locator(f"#until-choice-{emma}")).to_have_value("until")
    expect(parent.locator(f"#until-local-{emma}")).to_be_visible()
    expect(parent.locator(f"#until-local-{emma}")).not_to_have_value("")
    assert outside == []


def test_the_requests_page_shows_the_date_only_for_until(server, database, browser):
    request_id = open_request(database, "Leo", "Wild Kratts")
    outside: list[str] = []
    parent = parent_at_phone_size(browser, server, outside)
    parent.goto("/family/requests")
    approve = parent.locator(f'form[action="/family/requests/{request_id}/approve"]')
    how_long, date = approve.get_by_label("How long"), approve.locator('input[name="until_local"]')

    expect(how_long).to_be_visible()
    expect(date).to_be_hidden()
    assert cannot_take_focus(date)
    how_long.select_option(label="Until…")
    expect(approve.get_by_label("Until (date and time)")).to_be_visible()
    assert parent.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert violations(parent) == []
    how_long.select_option(label="Today only")
    expect(date).to_be_hidden()
    assert outside == []


def test_without_the_script_everything_shows(server, database, browser):
    _family, leo, moana = ids(database, "Leo", "Moana")
    context = browser.new_context(base_url=server, viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    log_in(page, *DEMO_PARENT)
    page.goto(f"/catalog/titles/{moana}")
    expect(page.locator(f"#until-choice-{leo}")).to_be_visible()  # Leo's deny, with "For good"
    expect(page.locator(f"#until-local-{leo}")).to_be_visible()
    request_id = open_request(database, "Leo", "Octonauts")
    page.goto("/family/requests")
    expect(
        page.locator(f'form[action="/family/requests/{request_id}/approve"] input[name="until_local"]')
    ).to_be_visible()
    context.close()
