"""The kid web launcher (/kids): a browser paired like an Android launcher, PIN per kid, poster grid.

The browser holds a device id and key (HttpOnly cookie) from redeeming a parent's pairing code,
exactly as the Android launcher does; unpairing the device in the parent's Devices page signs it
out. A kid who enters the right PIN on a number pad gets a 4-hour kid cookie for this device; five
wrong PINs lock that kid on this device only (families/kids.py). A device a parent gave to one kid
opens that kid's launcher without asking, and lets nobody else in unless the parent said any kid of
the family may use it (devices/service.py may_sign_in). What the signed-in kid sees is
decided in one place, `kid_home`: a poster grid of the kid's launcher (as `/api/apps` sends it,
launcher/service.py, regrouped by title in web/kid_shelf.py), one title's episodes, or a screen
that covers them (time's up, bedtime, paused by a parent, or "finish your episode" while the
parent's episode grace lets the episode opened here play on: web/kid_playing.py). Each of these
pages long-polls `/kids/{kid}/live` (static/kid.js) and reloads itself as soon as what it shows
has changed.
"""

import asyncio
import hashlib
from collections.abc import Coroutine
from dataclasses import dataclass
from datetime import time
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError

from axolotly.accounts.deps import DbSession
from axolotly.devices import codes
from axolotly.devices import service as devices
from axolotly.errors import BadRequest, Conflict, DomainError, Invalid, NotFound, TooManyRequests, Unauthorized
from axolotly.families import kids
from axolotly.families import requests as title_requests
from axolotly.families import settings as family_settings
from axolotly.families.context import owner_of
from axolotly.i18n import N_, family_language, format_time, format_weekday, gettext, ngettext, set_language
from axolotly.launcher import live
from axolotly.launcher.answers import held_capacity
from axolotly.launcher.auth import AuthenticatedDevice, authenticate_device
from axolotly.launcher.service import page_launcher
from axolotly.policies.until import allow_clock
from axolotly.screen_time import service as screen_time
from axolotly.screen_time import time_requests, usage
from axolotly.screen_time.clock import Playing, Today, runs_out_at
from axolotly.screen_time.schemas import UsageLogBody
from axolotly.security.client import client_address
from axolotly.types import RowId, SmallCount, Text
from axolotly.web import kid_playing, kid_shelf
from axolotly.web.forms import validated
from axolotly.web.session import DEVICE, KID, CsrfChecked, kid_claims, set_cookie, start_kid_session
from axolotly.web.templating import redirect, render, translated

router = APIRouter(include_in_schema=False)
PAIRED_FOR = 365 * 24 * 3600


def paired_device(request: Request, db) -> AuthenticatedDevice | None:
    """The browser's paired device; from here on the page speaks the family's language (an
    unpaired browser keeps the browser's)."""
    device_id, _, api_key = request.cookies.get(DEVICE, "").partition(":")
    try:
        device = authenticate_device(db, device_id, api_key)
    except Unauthorized:
        return None
    set_language(family_language(owner_of(db, device.family_id)))
    return device


def _signed_in_kid(request: Request, kid) -> bool:
    """The kid cookie names this kid, was made for this paired browser, under the kid's current PIN."""
    claims = kid_claims(request, kid.pin_hash)
    return bool(
        claims
        and claims.get("kid") == kid.id
        and claims.get("device") == request.cookies.get(DEVICE, "").partition(":")[0]
    )


@router.get("/kids")
def kids_home(request: Request, db: DbSession):
    device = paired_device(request, db)
    if device is None:
        return render(request, "kids/pair.html", body_class="kid")
    own = devices.opens_for(db, device.id)
    if own is not None:  # this device is one kid's: their launcher, nobody else's
        return redirect(f"/kids/{own}/launcher")
    devices.record_watching(db, device.id, None)
    family = owner_of(db, device.family_id)
    return render(request, "kids/pick.html", body_class="kid", family=family, kids=kids.list_kids(db, device.family_id))


@router.post("/kids/pair", dependencies=[CsrfChecked])
def pair(request: Request, db: DbSession, code: Annotated[Text, Form()]):
    code = code.strip()
    if not (len(code) == 6 and code.isascii() and code.isdigit()):
        raise Invalid(N_("The code has 6 digits"))
    paired = codes.pair_with_code(db, code, client_address(request))
    if paired is None:
        # Back to the pairing form with a kid-friendly message (the guess is counted already).
        return redirect("/kids", gettext("That code did not work. Ask a parent for a new one."), kind="error")
    device, api_key, _ = paired
    set_language(family_language(owner_of(db, device.family_id)))
    device.friendly_name = gettext("Web launcher")  # a name the parent reads (and may change) on Devices
    response = redirect("/kids", gettext("This browser is now a kid launcher"))
    set_cookie(response, DEVICE, f"{device.device_id}:{api_key}", max_age=PAIRED_FOR)
    return response


def _device_or_pairing(request: Request, db) -> AuthenticatedDevice:
    device = paired_device(request, db)
    if device is None:
        raise DomainError(N_("This browser is not paired (or was unpaired); pair it again at /kids"))
    return device


def whole_minutes(seconds: int) -> int:
    """Minutes as a kid counts them: a started minute counts, and never "0 minutes"."""
    return max(1, (seconds + 59) // 60)


@router.get("/kids/{kid_id}/pin")
def pin_page(kid_id: RowId, request: Request, db: DbSession):
    """The number pad, or, when this kid is locked on this device, why and for how long."""
    device = _device_or_pairing(request, db)
    kid = kids.get_kid(db, device.family_id, kid_id)
    if not devices.may_sign_in(db, device.id, kid.id):
        return _not_yours(request, device, kid)
    if devices.opens_for(db, device.id) == kid.id:
        return redirect(f"/kids/{kid.id}/launcher")
    locked_for = kids.locked_for_seconds(db, kid, device.id)
    return render(
        request,
        "kids/pin.html",
        body_class="kid",
        kid=kid,
        locked_minutes=whole_minutes(locked_for) if locked_for is not None else None,
    )


@router.post("/kids/{kid_id}/pin", dependencies=[CsrfChecked])
def enter_pin(kid_id: RowId, request: Request, db: DbSession, pin: Annotated[Text, Form()]):
    device = _device_or_pairing(request, db)
    pin = pin.strip()
    if not (len(pin) == 4 and pin.isascii() and pin.isdigit()):  # not a guess: nothing to count
        raise Invalid(N_("A PIN is 4 numbers"))
    kid = kids.get_kid(db, device.family_id, kid_id)
    if not devices.may_sign_in(db, device.id, kid.id):  # no PIN lets another kid onto a kid's device
        return _not_yours(request, device, kid)
    try:
        kids.check_pin(db, kid, pin, device.id)
    except TooManyRequests:
        return redirect(f"/kids/{kid_id}/pin")  # the page explains the lock
    except kids.WrongPin as wrong:
        left = wrong.tries_left
        words = ngettext("That PIN is not right. %(num)d try left.", "That PIN is not right. %(num)d tries left.", left)
        return redirect(f"/kids/{kid_id}/pin", words % {"num": left}, kind="error")
    response = redirect(f"/kids/{kid_id}/launcher")
    start_kid_session(response, request.cookies[DEVICE].partition(":")[0], kid.id, kid.pin_hash)
    return response


def _not_yours(request: Request, device: AuthenticatedDevice, kid):
    """Another kid on a device a parent gave to one kid: only a parent can let them in."""
    return render(
        request,
        "kids/not_yours.html",
        status_code=403,
        body_class="kid",
        kid=kid,
        owner=device.kid_name,  # None: the page says "another kid's"
    )


def _signed_in(request: Request, db, kid_id: int):
    """(device, kid) for a kid signed in on this browser, or on the device a parent gave them;
    None when the kid must enter the PIN (or may not use this device: the PIN page says so)."""
    device = _device_or_pairing(request, db)
    kid = kids.get_kid(db, device.family_id, kid_id)
    if not devices.may_sign_in(db, device.id, kid.id):
        return None, kid
    own = devices.opens_for(db, device.id) == kid.id
    return (device, kid) if own or _signed_in_kid(request, kid) else (None, kid)


def time_left_words(today) -> str:
    """The grid's line about today's screen time, in kid words ("" without a limit today)."""
    if not today.enabled or today.limit_minutes is None:
        return ""
    left = whole_minutes(today.limit_minutes * 60 - today.used_seconds)
    words = ngettext("%(num)d minute of screen time left today", "%(num)d minutes of screen time left today", left)
    return words % {"num": left}


def kid_home(request: Request, db, device: AuthenticatedDevice, kid, title_id: int | None = None):
    """What the signed-in kid sees on this device: the poster grid, or one title's page.

    The one place that decides it: a screen that replaces the launcher (e.g. "time's up" from
    screen time) goes first here and covers the grid and every title page alike.
    """
    devices.record_watching(db, device.id, kid.id)
    can_switch = devices.opens_for(db, device.id) is None
    today, opened = _answer_here(request, db, kid)
    asked_time = time_requests.latest_today(db, kid)
    allows_ended, _ = allow_clock(db, kid.id, screen_time.now_utc())
    live_url = f"/kids/{kid.id}/live?since={shown_token(kid, today, asked_time, allows_ended)}"
    if today.finishing_until is not None and opened is not None:
        return _finishing(request, db, device, kid, today.finishing_until, opened, can_switch, live_url)
    if not today.allowed_now:
        back_at = _back_at(today, family_settings.family_zone(db, kid.family_id))
        if today.reason == "paused":  # no "Ask for more time": a pause is a parent's decision, not the day's budget
            return render(
                request,
                "kids/paused.html",
                body_class="kid",
                kid=kid,
                back_at=back_at,
                can_switch=can_switch,
                live_url=live_url,
            )
        return render(
            request,
            "kids/times_up.html",
            body_class="kid",
            kid=kid,
            today=today,
            back_at=back_at,
            can_switch=can_switch,
            may_ask_time=time_requests.may_ask(today, asked_time),
            time_answer=time_requests.kid_message(asked_time),
            live_url=live_url,
        )
    titles = kid_shelf.titles_of(page_launcher(db, device.family_id, kid.id))
    if kid.id == device.kid_profile_id:
        devices.record_held_version(db, device.id, kid.launcher_version)
    if title_id is not None:
        title = kid_shelf.find(titles, title_id)
        if title is None:  # not (or no longer) allowed for this kid: same answer as never allowed
            return render(request, "kids/not_found.html", status_code=404, body_class="kid", kid=kid, live_url=live_url)
        return render(request, "kids/title.html", body_class="kid", kid=kid, title=title, live_url=live_url)
    asked = title_requests.kid_requests(db, kid)
    askable = []
    if title_requests.sees_ask_list(kid):
        waiting = {view.title.id for view in asked if view.request.status == title_requests.OPEN}
        askable = [title for title in title_requests.askable_titles(db, kid) if title.id not in waiting]
    return render(
        request,
        "kids/launcher.html",
        body_class="kid",
        kid=kid,
        titles=titles,
        asked=asked,
        askable=askable,
        messages={status: gettext(words) for status, words in title_requests.KID_MESSAGES.items()},
        can_switch=can_switch,
        time_left=time_left_words(today),
        time_answer=time_requests.kid_message(asked_time) if asked_time and asked_time.status == "granted" else "",
        live_url=live_url,
    )


def _answer_here(request: Request, db, kid) -> tuple[Today, kid_playing.Opened | None]:
    """The screen-time answer on this browser, and the episode the kid opened here: that episode
    may play on past the limit or bedtime within the parent's grace (the answer's `finishing_until`)."""
    opened = kid_playing.read(request, kid.id)
    return screen_time.allowed_now_playing(db, kid, opened.playing if opened else None), opened


def _finishing(request: Request, db, device: AuthenticatedDevice, kid, until, opened, can_switch, live_url):
    """ "You can finish this episode": the one episode to go back to (while the kid still sees it)
    and when it is time to stop; every other title stays covered, as by the time's-up screen."""
    title = kid_shelf.find(kid_shelf.titles_of(page_launcher(db, device.family_id, kid.id)), opened.title_id)
    return render(
        request,
        "kids/finishing.html",
        body_class="kid",
        kid=kid,
        title=title,
        episode=title.episode(opened.episode) if title else None,
        until=format_time(until.astimezone(family_settings.family_zone(db, kid.family_id))),
        can_switch=can_switch,
        live_url=live_url,
    )


@router.post(
    "/kids/{kid_id}/playing",
    dependencies=[CsrfChecked],
    status_code=204,
    responses={404: {"description": "Not an episode on this kid's screen"}, 409: {"description": "Time is up"}},
)
def episode_opened(
    kid_id: RowId,
    request: Request,
    db: DbSession,
    title_id: Annotated[Text, Form(max_length=20)] = "",  # checked below: a refusal is a plain answer
    season: Annotated[Text, Form(max_length=20)] = "",
    episode: Annotated[Text, Form(max_length=20)] = "",
):
    """The web launcher's "this episode starts now" (static/kid_usage.js, as the kid opens it): the
    server's clock notes when it started, when the kid's time was to run out then, and the
    episode's runtime, in this browser's cookie (web/kid_playing.py). Once time is up (or paused)
    nothing is noted: an episode started then gets no grace.

    A beacon nobody reads: a refusal is a plain answer with its reason, never a message kept for
    the kid's next page (as a refused form's would be)."""
    try:
        device, kid = _signed_in(request, db, kid_id)
        opened = validated(OpenedEpisode, title_id=title_id, season=season, episode=episode)
    except DomainError as error:
        return _refused(error)
    if device is None:
        return _refused(Unauthorized(N_("Sign in with your PIN first")))
    now = screen_time.now_utc()
    status = screen_time.allowed_now(db, kid, now)
    if not status.allowed_now:
        return _refused(Conflict(N_("Time is up: no new episode now")))
    key = kid_shelf.episode_key(opened.season, opened.episode)
    title = kid_shelf.find(kid_shelf.titles_of(page_launcher(db, device.family_id, kid.id)), opened.title_id)
    if title is None or title.episode(key) is None:
        return _refused(NotFound(N_("This episode is not on your screen")))
    runtime = screen_time.episode_runtime(db, opened.title_id, opened.season, opened.episode)
    response = Response(status_code=204)
    playing = Playing(now, runs_out_at(status, now), runtime)
    kid_playing.remember(request, response, kid.id, kid_playing.Opened(opened.title_id, key, playing))
    return response


class OpenedEpisode(BaseModel):
    """The beacon's fields, checked here so a bad one is a plain refusal like any other."""

    title_id: RowId
    season: SmallCount
    episode: SmallCount


def _refused(error: DomainError) -> JSONResponse:
    return JSONResponse({"detail": translated(error)}, status_code=error.status_code)


# -- the page refreshes itself (static/kid.js) ---------------------------------------------------

LIVE_HOLD_SECONDS = 25.0  # under the 30 s that proxies and browsers commonly allow an idle request


def shown_token(kid, today, asked_time, allows_ended: str | None = None) -> str:
    """A digest of what a kid page shows that can change while the kid only looks at it: the
    launcher (its version, and the last end of the kid's allows for a while that has come: an
    allow's end changes the launcher with no write, policies/until.py), the screen-time answer (a
    parent's settings, bonus, pause, or the clock) and the answer to a request for more time. Not
    the minutes left: they tick by usage."""
    shown = (
        kid.launcher_version,
        allows_ended,
        today.allowed_now,
        today.reason,
        today.next_change_at,
        today.limit_minutes,
        today.paused_until,
        asked_time.status if asked_time else None,
    )
    return hashlib.sha256(repr(shown).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Shown:
    token: str
    keys: tuple[str, ...]  # launcher/live.py keys whose change may change the token
    hold_seconds: float  # until the clock alone changes the answer, at most LIVE_HOLD_SECONDS


def _shown_now(request: Request, db, kid_id: int, since: str) -> Shown | None:
    """What the kid's page would show now, read in a short transaction ended here: a held request
    holds no database connection. None: the page would not show this kid (unpaired, signed out,
    not the family's kid, not this device's): reloading shows what it should instead."""
    db.expire_all()  # read afresh what an earlier read of this request loaded
    try:
        device, kid = _signed_in(request, db, kid_id)
    except DomainError:
        device = None
    shown = None
    if device is not None:
        today, _ = _answer_here(request, db, kid)
        hold = LIVE_HOLD_SECONDS
        if today.next_change_at is not None:  # wake when the clock changes the answer (a pause ends)
            until_change = (today.next_change_at - screen_time.now_utc()).total_seconds()
            hold = min(hold, max(1.0, until_change + 0.5))
        allows_ended, next_end = allow_clock(db, kid.id, screen_time.now_utc())
        if next_end is not None:  # wake when an allow ends: the launcher changes then, with no write
            hold = min(hold, max(0.05, (next_end - screen_time.now_utc()).total_seconds() + 0.05))
        keys = (live.launcher_key(kid.id), live.time_key(kid.id), live.device_key(device.id))
        asked_time = time_requests.latest_today(db, kid)
        shown = Shown(shown_token(kid, today, asked_time, allows_ended), keys, hold)
        if shown.token == since:  # the page shows this kid now: "who is watching" (one write a minute)
            devices.record_watching(db, device.id, kid.id)
    db.commit()
    return shown


async def _held(request: Request, waiting: Coroutine[Any, Any, bool]) -> bool:
    """Runs the wait until it ends or the browser goes away (the tab closed, the page left): a hold
    nobody waits for ends at once, freeing its place and never delaying a server's shutdown.
    True when the browser left."""
    changed = asyncio.ensure_future(waiting)
    gone = asyncio.ensure_future(_disconnected(request))
    try:
        await asyncio.wait((changed, gone), return_when=asyncio.FIRST_COMPLETED)
    finally:
        changed.cancel()
        gone.cancel()
    return gone.done() and not gone.cancelled()


async def _disconnected(request: Request) -> None:
    while (await request.receive())["type"] != "http.disconnect":
        continue


@router.get("/kids/{kid_id}/live", responses={503: {"description": "Too many held requests (Retry-After)"}})
async def live_changes(
    kid_id: RowId, request: Request, db: DbSession, since: Annotated[Text, Query(max_length=64)] = ""
) -> Response:
    """The kid page's long poll: `{"reload": true}` as soon as what the page showed (`since`, its
    token) is no longer what it would show, else `{"reload": false}` after up to 25 s. Woken by
    launcher/live.py (a parent's change, a new launcher version, the device unpaired), or when the
    clock changes the answer (a pause or a bedtime ends); no thread and no connection while held."""
    changes = live.get_changes(request)
    mark = changes.mark()  # before the read: a change committed after it wakes the wait at once
    shown = await run_in_threadpool(_shown_now, request, db, kid_id, since)
    if shown is not None and shown.token == since:
        capacity = held_capacity(request.scope)
        if capacity is not None and not capacity.try_hold():  # past the ceiling of held polls
            return JSONResponse({"detail": "Too many held requests"}, status_code=503, headers={"Retry-After": "5"})
        try:
            left = await _held(request, changes.wait(shown.keys, timeout=shown.hold_seconds, since=mark))
        finally:
            if capacity is not None:
                capacity.end_hold()
        if left:
            return Response(status_code=204)  # nobody reads it
        shown = await run_in_threadpool(_shown_now, request, db, kid_id, since)
    reload = shown is None or shown.token != since
    return JSONResponse({"reload": reload}, headers={"Cache-Control": "no-store"})


def _back_at(today, zone) -> str:
    """When the shows come back, in kid words: "at 07:00", "tomorrow", "on Monday", "another day".

    The words end two sentences of times_up.html ("Your shows will be back …", "See you …"), so
    each is a whole time phrase a translator can place (German "am Montag", French "lundi")."""
    if today.next_change_at is None:
        return gettext("another day")  # nothing changes by the clock alone: a grown-up decides
    local = today.next_change_at.astimezone(zone)
    clock_time = format_time(local)
    days_away = (local.date() - today.day).days
    if days_away == 0:
        return gettext("at %(time)s") % {"time": clock_time}
    at_midnight = local.time() == time(0)
    if days_away == 1:
        return gettext("tomorrow") if at_midnight else gettext("tomorrow at %(time)s") % {"time": clock_time}
    weekday = format_weekday(local.date())
    if at_midnight:
        return gettext("on %(weekday)s") % {"weekday": weekday}
    return gettext("on %(weekday)s at %(time)s") % {"weekday": weekday, "time": clock_time}


@router.post("/kids/{kid_id}/usage", dependencies=[CsrfChecked], status_code=204)
def log_viewing(
    kid_id: RowId,
    request: Request,
    db: DbSession,
    app_id: Annotated[Text, Form(max_length=64)],
    seconds: Annotated[Text, Form(max_length=6)],
    app_name: Annotated[Text, Form(max_length=500)] = "",
):
    """The web launcher's own viewing time (static/kid_usage.js): the last `seconds` until now.

    The server's clock places the session (a kid's computer may be minutes off); the log is
    checked like any launcher's. Stored under the browser's device row, like any device's.
    """
    device, kid = _signed_in(request, db, kid_id)
    if device is None:
        raise Unauthorized(N_("Sign in with your PIN first"))
    if not seconds.isascii() or not seconds.isdigit():
        raise BadRequest("seconds: a whole number")
    try:  # the launcher contract's short body: `timestamp` is when the session ended (now)
        body = UsageLogBody(
            app_id=app_id,
            appName=app_name[:200] or None,
            timestamp=screen_time.now_utc().replace(microsecond=0),
            duration_seconds=int(seconds),
        )
    except ValidationError as error:
        raise BadRequest(error.errors()[0]["msg"]) from None
    usage.record(db, kid, device.id, body.log())
    return Response(status_code=204)


@router.get("/kids/{kid_id}/launcher")
def launcher(kid_id: RowId, request: Request, db: DbSession):
    device, kid = _signed_in(request, db, kid_id)
    if device is None:
        return redirect(f"/kids/{kid.id}/pin")
    return kid_home(request, db, device, kid)


@router.get("/kids/{kid_id}/titles/{title_id}")
def title_page(kid_id: RowId, title_id: RowId, request: Request, db: DbSession):
    device, kid = _signed_in(request, db, kid_id)
    if device is None:
        return redirect(f"/kids/{kid.id}/pin")
    return kid_home(request, db, device, kid, title_id)


@router.post("/kids/{kid_id}/requests", dependencies=[CsrfChecked])
def ask_a_parent(kid_id: RowId, request: Request, db: DbSession, title_id: Annotated[RowId, Form()]):
    """The signed-in kid asks a parent for a library title hidden for them (families/requests.py)."""
    device, kid = _signed_in(request, db, kid_id)
    if device is None:
        return redirect(f"/kids/{kid.id}/pin")
    title_requests.ask(db, kid, title_id, device.id)
    return redirect(f"/kids/{kid.id}/launcher", gettext("Asked! A parent will answer soon."))


@router.post("/kids/{kid_id}/more-time", dependencies=[CsrfChecked])
def ask_for_more_time(kid_id: RowId, request: Request, db: DbSession):
    """The time's-up screen's "Ask for more time": a request a parent answers with bonus minutes."""
    device, kid = _signed_in(request, db, kid_id)
    if device is None:
        return redirect(f"/kids/{kid.id}/pin")
    try:
        time_requests.ask(db, kid)
    except Conflict as refused:
        return redirect(f"/kids/{kid.id}/launcher", gettext(refused.detail), kind="error")  # a fixed kid sentence
    return redirect(f"/kids/{kid.id}/launcher", gettext("Asked! A grown-up will answer soon."))


@router.post("/kids/switch", dependencies=[CsrfChecked])
def switch_kid(request: Request, db: DbSession):
    device = paired_device(request, db)
    if device is not None:
        devices.record_watching(db, device.id, None)
    response = redirect("/kids")
    response.delete_cookie(KID, path="/")
    kid_playing.forget(response)
    return response
