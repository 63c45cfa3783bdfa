"""The menu marks the current page, a skip link and landmarks on every page; times are shown on
the family's clock with the zone named."""

import re
from datetime import UTC, datetime

from sqlalchemy import select, update

from axolotly.models import AuditEvent, Device
from tests.support.api import add_kid, auth, join, sign_up
from tests.support.launcher_helpers import pair_device
from tests.support.pages import log_in


def logged_in_parent(client) -> dict:
    parent = sign_up(client)
    log_in(client, parent["email"])
    return parent


def set_zone(client, parent, zone: str) -> None:
    response = client.put("/api/parent/family", json={"time_zone": zone}, headers=auth(parent))
    assert response.status_code == 200, response.text


def current_links(page: str) -> list[tuple[str, str]]:
    menu = re.search(r'<nav aria-label="Main">(.*?)</nav>', page, re.S)[1]
    return re.findall(r'<a href="([^"]+)" aria-current="(page|true)">', menu)


def test_the_menu_marks_the_current_page_and_its_section(client):
    parent = logged_in_parent(client)
    kid = add_kid(client, parent)
    assert current_links(client.get("/").text) == [("/", "page")]
    assert current_links(client.get("/family/kids").text) == [("/family/kids", "page")]
    assert current_links(client.get("/family/devices").text) == [("/family/devices", "page")]
    # A page inside a section marks the section (not as "page": it is not that page).
    assert current_links(client.get(f"/family/kids/{kid['id']}/watch").text) == [("/family/kids", "true")]
    assert current_links(client.get("/family/activity").text) == [("/family/activity", "page")]


def test_every_page_starts_with_a_skip_link_to_the_main_landmark(client):
    logged_in_parent(client)
    for path in ("/", "/family/kids", "/family/devices", "/family/library", "/no-such-page", "/login"):
        page = client.get(path).text
        body = page.split("<body", 1)[1]
        first_link = re.search(r"<a [^>]*>", body)[0]
        assert first_link == '<a class="skip-link" href="#main">', path
        assert '<main id="main" tabindex="-1">' in page and '<header class="top">' in page, path
        assert page.count("<main") == 1, path


def test_a_page_with_a_family_names_its_zone_in_a_footer_landmark(client):
    parent = logged_in_parent(client)
    set_zone(client, parent, "America/New_York")
    page = client.get("/family/devices").text
    assert re.search(
        r'<footer class="page-foot">\s*<p class="muted">Times are shown in America/New_York time\.</p>', page
    )
    utc = sign_up(client)
    log_in(client, utc["email"])
    assert "Times are shown in UTC time (set your family" in client.get("/").text


def test_times_are_on_the_familys_clock_with_the_zone_named(client, db):
    parent = logged_in_parent(client)
    add_kid(client, parent)  # an event in the activity trail
    winter = datetime(2026, 1, 15, 12, 0, 5, tzinfo=UTC)
    db.execute(update(AuditEvent).where(AuditEvent.family_id == parent["id"]).values(created_at=winter))

    page = client.get("/family/activity").text
    assert ">15 Jan 2026 12:00:05 UTC</time>" in page and "When (UTC)" in page

    set_zone(client, parent, "Europe/Berlin")
    db.execute(update(AuditEvent).where(AuditEvent.family_id == parent["id"]).values(created_at=winter))
    page = client.get("/family/activity").text
    assert (
        '<time datetime="2026-01-15T12:00:05+00:00" title="Europe/Berlin">15 Jan 2026 13:00:05 CET</time>' in page
    ) and "When (Europe/Berlin)" in page
    summer = datetime(2026, 7, 15, 23, 30, tzinfo=UTC)  # the next day in Berlin
    db.execute(update(AuditEvent).where(AuditEvent.family_id == parent["id"]).values(created_at=summer))
    assert ">16 Jul 2026 01:30:00 CEST</time>" in client.get("/family/activity").text
    assert ">16 Jul 01:30 CEST</time>" in client.get("/").text  # the home page's recent activity


def test_device_times_follow_the_zone_and_a_co_parent_sees_the_familys_zone(client, db):
    owner = sign_up(client)
    set_zone(client, owner, "Asia/Tokyo")
    pair_device(client, owner)
    paired = datetime(2026, 3, 1, 20, 15, tzinfo=UTC)
    db.execute(update(Device).where(Device.family_id == owner["id"]).values(paired_at=paired, last_active=paired))
    co_parent = join(client, owner)
    log_in(client, co_parent["email"])  # the co-parent's own account is on UTC: the family's zone wins
    page = client.get("/family/devices").text
    assert "Paired <time" in page and page.count(">02 Mar 2026, 05:15 JST</time>") == 2
    assert "Times are shown in Asia/Tokyo time." in page
    assert db.scalar(select(Device.paired_at).where(Device.family_id == owner["id"])) == paired
