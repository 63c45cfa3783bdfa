"""The web launcher lets the episode finish (the parent's episode grace): an episode the kid opened
before the day's limit plays on to its end (its runtime), at most the grace past the limit, with a
friendly line instead of the time's-up screen; then time's up. An episode opened after the limit,
a grace of 0 or a pause gets none. The time watched in the grace is in the kid's history.

On a pinned clock: noon on the family's clock (a school day, a weekend, Berlin's DST day). Emma
has watched 20 of her 30 minutes when she opens "Rainy Puddles" (22 minutes) at 12:00, so her
time runs out at 12:10 and the episode ends at 12:22, within a grace of 15 minutes (12:25)."""

import html
import re
import time as wall
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import update

from axolotly.i18n import gettext, use_language
from axolotly.models import Episode, User
from axolotly.web import kid_pages, kid_playing
from tests.support.api import auth, use_zone
from tests.support.kid_pages import paired_browser, signed_in
from tests.support.pages import csrf
from tests.support.pinned_days import SCHOOL_DAY
from tests.support.processes import wait_for

FRIENDLY = "You can finish this episode. Then it's time to stop."
TIMES_UP = "That's all for today, Emma!"
MINUTE = timedelta(minutes=1)
school_day = pytest.mark.parametrize("clock", [SCHOOL_DAY], indirect=True)


@pytest.fixture
def emma(client, db, family, clock):
    """Emma's browser, signed in, 30 minutes a day; "Rainy Puddles" (season 1, episode 2) runs 22 minutes."""
    use_zone(client, family["parent"], clock.zone)
    db.execute(update(Episode).where(Episode.name == "Rainy Puddles").values(runtime_minutes=22))
    return signed_in(client, family)


def settings(client, family, grace: int, limit: int = 30) -> None:
    body = {
        "enabled": True,
        "school_day_limit_minutes": limit,
        "weekend_limit_minutes": limit,
        "episode_grace_minutes": grace,
    }
    response = client.put(
        f"/api/parent/kids/{family['emma']['id']}/screen-time", json=body, headers=auth(family["parent"])
    )
    assert response.status_code == 200, response.text


def launcher(family) -> str:
    return f"/kids/{family['emma']['id']}/launcher"


def watched(browser, family, minutes: int) -> None:
    """What kid_usage.js sends as the kid comes back: the last `minutes` on the server's clock."""
    form = {
        "app_id": str(family["show"].id),
        "app_name": "Sunny Days",
        "seconds": str(minutes * 60),
        "csrf_token": csrf(browser, launcher(family)),
    }
    assert browser.post(f"/kids/{family['emma']['id']}/usage", data=form).status_code == 204


def open_episode(browser, family, season: int = 1, episode: int = 2, title_id: int | None = None):
    """What kid_usage.js beacons as the kid taps an episode card."""
    form = {
        "title_id": str(title_id or family["show"].id),
        "season": str(season),
        "episode": str(episode),
        "csrf_token": csrf(browser, launcher(family)),
    }
    return browser.post(f"/kids/{family['emma']['id']}/playing", data=form, follow_redirects=False)


def test_the_episode_opened_before_the_limit_finishes_then_times_up(client, family, emma, clock):
    settings(client, family, grace=15)
    watched(emma, family, 20)
    assert open_episode(emma, family).status_code == 204
    clock.shift(15 * MINUTE)  # 12:15, five minutes past the limit; she comes back to the launcher
    watched(emma, family, 15)
    for path in (launcher(family), f"/kids/{family['emma']['id']}/titles/{family['show'].id}"):
        page = emma.get(path).text
        assert "Almost time to stop, Emma!" in page and FRIENDLY in page, path
        assert "Your episode can play until 12:22." in page
        assert "Rainy Puddles" in page and 'href="https://www.netflix.com/watch/42"' in page  # back to it
        assert "poster-card" not in page and "The Kite" not in page  # nothing else to start
    clock.shift(7 * MINUTE)  # 12:22: the episode's end
    page = emma.get(launcher(family)).text
    assert TIMES_UP in page and FRIENDLY not in page and "Rainy Puddles" not in page


@school_day
def test_a_long_episode_ends_at_the_parents_grace(client, db, family, emma, clock):
    db.execute(update(Episode).where(Episode.name == "Rainy Puddles").values(runtime_minutes=45))
    settings(client, family, grace=15)
    watched(emma, family, 20)
    open_episode(emma, family)
    clock.shift(24 * MINUTE)
    watched(emma, family, 24)
    assert "Your episode can play until 12:25." in emma.get(launcher(family)).text
    clock.shift(MINUTE)
    assert TIMES_UP in emma.get(launcher(family)).text


@school_day
def test_an_episode_opened_after_the_limit_gets_no_grace(client, family, emma, clock):
    settings(client, family, grace=15)
    watched(emma, family, 31)
    answer = open_episode(emma, family)
    assert answer.status_code == 409 and answer.json() == {"detail": "Time is up: no new episode now"}
    assert kid_playing.COOKIE not in emma.cookies
    clock.shift(MINUTE)
    page = emma.get(launcher(family)).text
    assert TIMES_UP in page and FRIENDLY not in page


@school_day
def test_with_the_grace_off_time_is_up_at_the_limit(client, family, emma, clock):
    settings(client, family, grace=0)
    watched(emma, family, 20)
    assert open_episode(emma, family).status_code == 204  # noted all the same: a parent may turn it on
    clock.shift(15 * MINUTE)
    watched(emma, family, 15)
    page = emma.get(launcher(family)).text
    assert TIMES_UP in page and FRIENDLY not in page
    settings(client, family, grace=15)  # turned on mid-episode: it still may finish
    assert FRIENDLY in emma.get(launcher(family)).text


@school_day
def test_a_runtime_unknown_gets_no_grace(client, db, family, emma, clock):
    db.execute(update(Episode).where(Episode.name == "Rainy Puddles").values(runtime_minutes=None))
    settings(client, family, grace=15)
    watched(emma, family, 20)
    open_episode(emma, family)
    clock.shift(15 * MINUTE)
    watched(emma, family, 15)
    assert TIMES_UP in emma.get(launcher(family)).text


@school_day
def test_a_pause_is_never_softened(client, family, emma, clock):
    settings(client, family, grace=15)
    watched(emma, family, 20)
    open_episode(emma, family)
    clock.shift(15 * MINUTE)
    watched(emma, family, 15)
    assert FRIENDLY in emma.get(launcher(family)).text
    paused = client.post(
        f"/api/parent/kids/{family['emma']['id']}/pause", json={"minutes": 30}, headers=auth(family["parent"])
    )
    assert paused.status_code == 200
    page = emma.get(launcher(family)).text  # the day's spent time outlasts the pause: it says so
    assert TIMES_UP in page and FRIENDLY not in page


def test_the_time_watched_in_the_grace_is_in_the_history(client, family, emma, clock):
    settings(client, family, grace=15)
    watched(emma, family, 20)
    open_episode(emma, family)
    clock.shift(22 * MINUTE)
    watched(emma, family, 22)  # the whole episode, 12 minutes of it past the limit
    history = client.get(f"/api/parent/kids/{family['emma']['id']}/usage", headers=auth(family["parent"])).json()
    today = history["days"][-1]
    assert today["minutes"] == 42  # not cut at the 30-minute limit
    assert [(title["name"], title["seconds"]) for title in today["titles"]] == [("Sunny Days", 42 * 60)]


# -- the live page follows the grace ---------------------------------------------------------------


def live_url(page: str) -> str:
    return re.search(r'<meta name="axolotly-live" content="([^"]+)">', page)[1]


@school_day
def test_the_live_poll_reloads_the_page_into_times_up_when_the_grace_ends(app, client, family, emma, clock):
    settings(client, family, grace=15)
    watched(emma, family, 20)
    open_episode(emma, family)
    clock.shift(15 * MINUTE)
    watched(emma, family, 15)
    clock.shift(7 * MINUTE - timedelta(milliseconds=500))  # half a second before the episode's end
    url = live_url(emma.get(launcher(family)).text)
    with ThreadPoolExecutor(1) as pool:
        started = wall.monotonic()
        held = pool.submit(emma.get, url)
        wait_for(lambda: app.state.changes.held > 0, timeout=30)
        clock.shift(timedelta(seconds=1))  # the grace ends while the poll is held
        assert held.result(timeout=20).json() == {"reload": True}
        assert wall.monotonic() - started < 10  # not the 25 s hold
    assert TIMES_UP in emma.get(launcher(family)).text


@school_day
def test_the_live_poll_in_the_grace_costs_what_it_costs_at_times_up(
    client, family, emma, clock, count_statements, monkeypatch
):
    monkeypatch.setattr(kid_pages, "LIVE_HOLD_SECONDS", 0.05)
    settings(client, family, grace=15)
    watched(emma, family, 20)
    open_episode(emma, family)
    clock.shift(15 * MINUTE)
    watched(emma, family, 15)
    finishing = live_url(emma.get(launcher(family)).text)
    count_statements.statements.clear()
    assert emma.get(finishing).json() == {"reload": False}
    in_grace = count_statements.count
    emma.cookies.delete(kid_playing.COOKIE)  # the same kid and moment without an episode: time's up
    times_up = live_url(emma.get(launcher(family)).text)
    count_statements.statements.clear()
    assert emma.get(times_up).json() == {"reload": False}
    assert in_grace == count_statements.count, count_statements.statements


# -- what the browser says it opened is checked ----------------------------------------------------


@school_day
def test_only_a_signed_in_kids_own_episode_is_noted(client, family, emma, clock):
    settings(client, family, grace=15)
    assert open_episode(emma, family, season=9, episode=9).status_code == 404
    assert open_episode(emma, family, title_id=family["movie"].id).status_code == 404  # a movie: no episodes
    assert open_episode(emma, family, title_id=2_147_483_647).status_code == 404
    for bad in ("x", "-1", "2147483648", "1.5", ""):  # a plain refusal, never a message for the kid's next page
        refused = open_episode(emma, family, season=bad)
        assert refused.status_code == 422 and refused.json()["detail"], bad
        assert "axolotly_flash" not in refused.headers.get("set-cookie", ""), bad
    elsewhere = emma.post("/kids/999999999/playing", data={"title_id": "1", "season": "1", "episode": "2"})
    assert elsewhere.status_code in (403, 404) and "axolotly_flash" not in elsewhere.headers.get("set-cookie", "")
    leo = signed_in(client, family, "leo", "5678")  # Sunny Days is not on Leo's screen
    form = {"title_id": family["show"].id, "season": 1, "episode": 2}
    form["csrf_token"] = csrf(leo, f"/kids/{family['leo']['id']}/launcher")
    assert leo.post(f"/kids/{family['leo']['id']}/playing", data=form).status_code == 404
    nobody, form["csrf_token"] = paired_browser(client, family["parent"])  # no kid signed in on it
    assert nobody.post(f"/kids/{family['emma']['id']}/playing", data=form).status_code == 401
    assert kid_playing.COOKIE not in emma.cookies and kid_playing.COOKIE not in leo.cookies
    no_token = {key: value for key, value in form.items() if key != "csrf_token"}
    assert emma.post(f"/kids/{family['emma']['id']}/playing", data=no_token).status_code == 403


@school_day
def test_a_cookie_changed_or_carried_elsewhere_gives_no_grace(client, family, emma, clock):
    another_browser = signed_in(client, family)  # Emma on another paired browser
    settings(client, family, grace=15)
    watched(emma, family, 20)
    open_episode(emma, family)
    noted = emma.cookies[kid_playing.COOKIE]
    clock.shift(15 * MINUTE)
    watched(emma, family, 15)
    kid, title, episode, started, runs_out, runtime, mac = noted.split(".")
    longer = ".".join((kid, title, episode, started, str(int(runs_out) + 3600), runtime, mac))
    emma.cookies.set(kid_playing.COOKIE, longer)
    assert TIMES_UP in emma.get(launcher(family)).text  # a later "time runs out": the signature fails
    another_browser.cookies.set(kid_playing.COOKIE, noted)
    assert TIMES_UP in another_browser.get(launcher(family)).text
    emma.cookies.set(kid_playing.COOKIE, noted)
    assert FRIENDLY in emma.get(launcher(family)).text


@school_day
@pytest.mark.parametrize("language", ["de", "es", "fr"])
def test_the_finishing_page_speaks_the_familys_language(client, db, family, emma, clock, language):
    """The kid launcher speaks the family's language (its country's here), the finishing page too."""
    db.execute(update(User).where(User.id == family["parent"]["id"]).values(country=language.upper()))
    settings(client, family, grace=15)
    watched(emma, family, 20)
    assert open_episode(emma, family).status_code == 204
    clock.shift(15 * MINUTE)
    watched(emma, family, 15)  # five minutes past the limit
    page = emma.get(launcher(family)).text
    with use_language(language):
        friendly = gettext(FRIENDLY)
    assert f'<html lang="{language}">' in page
    assert friendly != FRIENDLY and html.escape(friendly, quote=False) in page.replace("&#39;", "'")
