"""The kid web launcher (/kids) through the pages: a poster per title, a title's episodes by
season, the PIN pad, and a PIN lock per kid AND device that a parent sees and lifts."""

import re

from sqlalchemy import select, text

from axolotly.launcher.service import page_launcher
from axolotly.models import AuditEvent, PinLockout
from tests.support.api import auth, sign_up
from tests.support.kid_pages import enter_pin, paired_browser, signed_in
from tests.support.pages import csrf, log_in


def cards(page: str) -> dict[str, str]:
    """Each poster card's HTML by the title it names."""
    found = re.findall(r'<li class="poster-card">(.*?</ul>)\s*</li>', page, re.S)
    return {re.search(r'<h2 class="poster-name">([^<]+)</h2>', card)[1]: card for card in found}


# -- the grid -------------------------------------------------------------------------------------


def test_the_grid_has_one_poster_per_title_with_its_services_as_badges(client, db, family):
    page = signed_in(client, family).get(f"/kids/{family['emma']['id']}/launcher").text
    titles = re.findall(r'<h2 class="poster-name">([^<]+)</h2>', page)
    assert titles == ["Bluey", "Moon Picnic", "Sunny Days"]  # by name, once each
    groups = page_launcher(db, family["parent"]["id"], family["emma"]["id"])
    assert len(groups) > 1 and sum(len(g["content"]) for g in groups) > len(titles), "one per title, not per service"

    show = family["show"]
    card = cards(page)["Sunny Days"]
    assert f'href="/kids/{family["emma"]["id"]}/titles/{show.id}"' in card
    assert f'src="/posters/{show.id}.svg"' in card  # the offline catalog's generated artwork
    assert re.findall(r'<li class="service-badge">([^<]+)</li>', card) == ["Netflix", "Disney+"]


def test_leo_sees_only_his_titles_and_an_empty_grid_says_so(client, db, family):
    page = signed_in(client, family, "leo", "5678").get(f"/kids/{family['leo']['id']}/launcher").text
    assert re.findall(r'<h2 class="poster-name">([^<]+)</h2>', page) == ["Bluey"]
    db.execute(text("DELETE FROM kid_profiles_titles WHERE kid_profile_id = :k"), {"k": family["leo"]["id"]})
    page = signed_in(client, family, "leo", "5678").get(f"/kids/{family['leo']['id']}/launcher").text
    assert "Nothing here yet" in page and "poster-name" not in page


# -- a title's page -------------------------------------------------------------------------------


def test_a_title_shows_episodes_by_season_with_names_and_no_codes(client, family):
    emma, show = family["emma"], family["show"]
    page = signed_in(client, family).get(f"/kids/{emma['id']}/titles/{show.id}").text
    assert re.findall(r'<h2 id="season-\d+">([^<]+)</h2>', page) == ["Season 1", "Season 2"]
    names = re.findall(r'<span class="episode-name">([^<]+)</span>', page)
    assert names == ["The Kite", "Rainy Puddles", "Snow Fort"]
    assert not re.search(r"\bS\d+\s*E\d+\b", page, re.I), "no S1E4 codes for a five-year-old"


def test_a_card_with_a_link_plays_and_one_without_opens_the_service_and_looks_different(client, family):
    emma, show = family["emma"], family["show"]
    page = signed_in(client, family).get(f"/kids/{emma['id']}/titles/{show.id}").text
    found = re.findall(
        r'<a class="episode-card (\w[\w-]*)" href="([^"]*)"[^>]*>.*?class="episode-name">([^<]+)<'
        r'.*?class="episode-how">([^<]+)<',
        page,
        re.S,
    )
    assert found == [
        ("opens-app", "https://netflix.com/", "The Kite", "Opens Netflix"),
        ("plays", "https://www.netflix.com/watch/42", "Rainy Puddles", "Play"),
        ("opens-app", "https://netflix.com/", "Snow Fort", "Opens Netflix"),
    ]
    # Nothing tappable that does nothing: every link goes somewhere, every button submits a form.
    assert all(href.startswith(("https://", "/", "#")) for href in re.findall(r'<a [^>]*href="([^"]*)"', page))
    assert "<button" not in page.split("<main")[1]


def test_a_movie_opens_on_each_of_its_services(client, family):
    emma, movie = family["emma"], family["movie"]
    page = signed_in(client, family).get(f"/kids/{emma['id']}/titles/{movie.id}").text
    found = re.findall(r'<a class="episode-card (opens-app|plays)" href="([^"]*)"', page)
    assert found == [("opens-app", "https://netflix.com/"), ("opens-app", "https://primevideo.com/")]
    assert "Opens Prime Video" in page and "Season" not in page


def test_a_title_the_kid_may_not_see_is_not_found(client, family):
    leo, show = family["leo"], family["show"]
    browser = signed_in(client, family, "leo", "5678")
    for title_id in (show.id, 2**31 - 1):
        page = browser.get(f"/kids/{leo['id']}/titles/{title_id}")
        assert page.status_code == 404 and "could not find that show" in page.text and "All my shows" in page.text
        assert "<html" in page.text  # a page, not JSON
    assert browser.get(f"/kids/{leo['id']}/titles/{family['bluey'].id}").status_code == 200


def test_a_title_page_needs_the_kids_pin_on_this_browser(client, family):
    emma, show = family["emma"], family["show"]
    browser, _ = paired_browser(client, family["parent"])
    response = browser.get(f"/kids/{emma['id']}/titles/{show.id}", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == f"/kids/{emma['id']}/pin"
    leo_browser = signed_in(client, family, "leo", "5678")  # Leo's cookie is not Emma's
    assert leo_browser.get(f"/kids/{emma['id']}/titles/{show.id}", follow_redirects=False).status_code == 303


# -- the PIN pad ----------------------------------------------------------------------------------


def test_the_pin_page_is_a_number_pad_with_labelled_keys(client, family):
    browser, _ = paired_browser(client, family["parent"])
    page = browser.get(f"/kids/{family['emma']['id']}/pin").text
    assert '<label for="pin">Your PIN</label>' in page and 'role="group" aria-label="Number pad"' in page
    digits = re.findall(r'<button type="button" class="pin-key" data-digit="(\d)" hidden>(\d)</button>', page)
    assert sorted(d for d, _ in digits) == list("0123456789") and all(d == shown for d, shown in digits)
    assert (
        'aria-label="Delete the last number"' in page
        and '<button type="submit" class="pin-key pin-go">Go</button>' in page
    )
    assert '<script src="/static/kid.js" defer></script>' in page
    assert "data-digit" in browser.get("/static/kid.js").text


def test_wrong_pins_say_how_many_tries_are_left_then_the_lock_in_kid_words(client, family):
    emma = family["emma"]
    browser, token = paired_browser(client, family["parent"])
    for left in ("4 tries left", "3 tries left", "2 tries left", "1 try left"):
        assert f"That PIN is not right. {left}." in enter_pin(browser, token, emma, "0000").text
    page = enter_pin(browser, token, emma, "0000").text
    assert "Too many tries!" in page and "Ask a grown-up, or try again in 15 minutes." in page
    assert "data-pin-pad" not in page, "no pad while locked: it would do nothing"
    page = enter_pin(browser, token, emma, "1234").text
    assert "Too many tries!" in page and "Emma's shows" not in page


def test_a_right_pin_starts_the_count_again(client, family):
    emma = family["emma"]
    browser, token = paired_browser(client, family["parent"])
    for _ in range(3):
        enter_pin(browser, token, emma, "0000")
    assert "Emma's shows" in enter_pin(browser, token, emma, "1234").text
    assert "4 tries left" in enter_pin(browser, token, emma, "0000").text


def test_a_pin_that_is_not_four_digits_is_refused_uncounted(client, family):
    emma = family["emma"]
    browser, token = paired_browser(client, family["parent"])
    page = enter_pin(browser, token, emma, "12a4")
    assert page.status_code == 200 and "A PIN is 4 numbers" in page.text
    assert "4 tries left" in enter_pin(browser, token, emma, "0000").text


# -- the lock: per kid and device -----------------------------------------------------------------


def lock(browser, token, kid) -> None:
    for _ in range(5):
        page = enter_pin(browser, token, kid, "0000")
    assert "Too many tries!" in page.text


def test_a_lock_holds_one_kid_on_one_device_only(client, db, family):
    emma, leo, parent = family["emma"], family["leo"], family["parent"]
    tablet, tablet_token = paired_browser(client, parent, "Tablet")
    tv, tv_token = paired_browser(client, parent, "Living room TV")
    lock(tablet, tablet_token, emma)  # a sibling guessing on the tablet

    assert "Emma's shows" in enter_pin(tv, tv_token, emma, "1234").text, "Emma still gets in on the TV"
    assert "Leo's shows" in enter_pin(tablet, tablet_token, leo, "5678").text, "Leo still gets in on the tablet"
    assert "Too many tries!" in tablet.get(f"/kids/{emma['id']}/pin").text
    # The parent API's check is a place of its own: not locked by the tablet, never locking a device.
    url = f"/api/parent/kids/{emma['id']}/verify-pin"
    assert client.post(url, json={"pin": "1234"}, headers=auth(parent)).json() == {"verified": True}
    for _ in range(5):
        client.post(url, json={"pin": "0000"}, headers=auth(parent))
    assert client.post(url, json={"pin": "1234"}, headers=auth(parent)).status_code == 429
    tv.cookies.delete("axolotly_kid")
    assert "Emma's shows" in enter_pin(tv, tv_token, emma, "1234").text

    kid = client.get(f"/api/parent/kids/{emma['id']}", headers=auth(parent)).json()
    assert sorted(lock["place"] for lock in kid["locks"]) == ["Tablet", "the parent app"]
    assert kid["locked_until"] == max(lock["locked_until"] for lock in kid["locks"])
    assert client.get(f"/api/parent/kids/{leo['id']}", headers=auth(parent)).json()["locks"] == []
    summaries = db.scalars(select(AuditEvent.summary).where(AuditEvent.action == "pin_locked")).all()
    assert "Emma's profile locked on Tablet for 15 minutes after 5 wrong PINs" in summaries


def test_the_parent_sees_which_device_locked_and_unlocks_it(client, db, family):
    emma, parent = family["emma"], family["parent"]
    tablet, token = paired_browser(client, parent, "Tablet")
    lock(tablet, token, emma)

    log_in(client, parent["email"])
    page = client.get("/family/kids").text
    assert "Emma is locked out" in page and "<li>Tablet, until" in page
    assert f'action="/family/kids/{emma["id"]}/unlock"' in page and "Unlock Emma" in page
    assert "Leo is locked out" not in page
    unlocked = client.post(f"/family/kids/{emma['id']}/unlock", data={"csrf_token": csrf(client, "/family/kids")})
    assert "Unlocked Emma" in unlocked.text and "Emma is locked out" not in unlocked.text
    events = db.scalars(select(AuditEvent.summary).where(AuditEvent.action == "pin_unlocked")).all()
    assert events == ["Unlocked Emma's profile on Tablet"]

    assert "Emma's shows" in enter_pin(tablet, token, emma, "1234").text
    tablet.cookies.delete("axolotly_kid")
    assert "4 tries left" in enter_pin(tablet, token, emma, "0000").text, "the count starts again"
    again = client.post(f"/family/kids/{emma['id']}/unlock", data={"csrf_token": csrf(client, "/family/kids")})
    assert "Emma was not locked" in again.text
    assert len(db.scalars(select(AuditEvent.id).where(AuditEvent.action == "pin_unlocked")).all()) == 1


def test_the_unlock_api_lifts_every_lock_of_the_kid(client, db, family):
    emma, parent = family["emma"], family["parent"]
    tablet, tablet_token = paired_browser(client, parent, "Tablet")
    tv, tv_token = paired_browser(client, parent, "TV")
    lock(tablet, tablet_token, emma)
    lock(tv, tv_token, emma)
    assert len(client.get(f"/api/parent/kids/{emma['id']}", headers=auth(parent)).json()["locks"]) == 2

    response = client.post(f"/api/parent/kids/{emma['id']}/unlock", headers=auth(parent))
    assert response.status_code == 200
    assert response.json()["locks"] == [] and response.json()["locked_until"] is None
    assert db.scalar(select(PinLockout.id).where(PinLockout.kid_profile_id == emma["id"])) is None
    assert "Emma's shows" in enter_pin(tablet, tablet_token, emma, "1234").text
    assert "Emma's shows" in enter_pin(tv, tv_token, emma, "1234").text
    (summary,) = db.scalars(select(AuditEvent.summary).where(AuditEvent.action == "pin_unlocked")).all()
    assert summary.startswith("Unlocked Emma's profile on ") and "Tablet" in summary and "TV" in summary


def test_another_familys_kid_cannot_be_unlocked_or_seen_locked(client, db, family):
    emma, parent = family["emma"], family["parent"]
    tablet, token = paired_browser(client, parent, "Tablet")
    lock(tablet, token, emma)
    stranger = sign_up(client)
    response = client.post(f"/api/parent/kids/{emma['id']}/unlock", headers=auth(stranger))
    assert response.status_code == 404 and response.json()["detail"] == "Kid profile not found"
    log_in(client, stranger["email"])
    page = client.post(f"/family/kids/{emma['id']}/unlock", data={"csrf_token": csrf(client, "/family/kids")})
    assert "Kid profile not found" in page.text and "Tablet" not in page.text  # back on their own kids page
    assert db.scalar(select(PinLockout.id).where(PinLockout.kid_profile_id == emma["id"])) is not None
    assert "Too many tries!" in tablet.get(f"/kids/{emma['id']}/pin").text
    assert not db.scalars(select(AuditEvent.id).where(AuditEvent.action == "pin_unlocked")).all()


def test_a_new_pin_lifts_the_locks_and_unpairing_drops_the_devices_lock(client, db, family):
    emma, parent = family["emma"], family["parent"]
    tablet, token = paired_browser(client, parent, "Tablet")
    lock(tablet, token, emma)
    assert (
        client.put(f"/api/parent/kids/{emma['id']}/pin", json={"pin": "2468"}, headers=auth(parent)).status_code == 204
    )
    assert "Emma's shows" in enter_pin(tablet, token, emma, "2468").text

    tablet.cookies.delete("axolotly_kid")
    lock(tablet, token, emma)
    device = next(
        d for d in client.get("/api/parent/devices", headers=auth(parent)).json() if d["friendly_name"] == "Tablet"
    )
    assert client.delete(f"/api/parent/devices/{device['id']}", headers=auth(parent)).status_code == 204
    assert client.get(f"/api/parent/kids/{emma['id']}", headers=auth(parent)).json()["locks"] == []


def test_a_lock_that_ran_out_brings_the_pad_back(client, db, engine, family):
    emma = family["emma"]
    tablet, token = paired_browser(client, family["parent"], "Tablet")
    lock(tablet, token, emma)
    # Fifteen minutes later: the lock row and the guess counter (committed on its own) both ran out.
    db.execute(text("UPDATE pin_lockouts SET locked_until = now() - interval '1 second'"))
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE rate_limits SET window_start = now() - interval '16 minutes' WHERE key LIKE 'pin:kid:%'")
        )
    assert "data-pin-pad" in tablet.get(f"/kids/{emma['id']}/pin").text
    assert client.get(f"/api/parent/kids/{emma['id']}", headers=auth(family["parent"])).json()["locks"] == []
    assert "Emma's shows" in enter_pin(tablet, token, emma, "1234").text
    assert db.scalar(select(PinLockout.id)) is None, "the stale lock is gone with the right PIN"
