"""Rendering pages: templates, flash messages, redirects after a form, error pages, the family's
clock (times shown in its time zone, written the reader's way) and the menu's current page."""

from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from markupsafe import Markup

from axolotly.catalog.providers import PROVIDERS_BY_ID, is_safe_link
from axolotly.catalog.tags import category_label, tag_label
from axolotly.errors import DomainError
from axolotly.i18n import (
    LANGUAGE_NAMES,
    N_,
    current_language,
    format_minutes,
    format_moment,
    format_number,
    format_time,
    format_weekday,
    gettext,
    ngettext,
)
from axolotly.notifications.listing import unread_count_of
from axolotly.policies.evaluate import Rules, TitleFacts, rating_reading
from axolotly.ratings.scales import snapshot
from axolotly.web.forms import resubmittable
from axolotly.web.language import LANGUAGE_COOKIE, remember_parents_choice
from axolotly.web.session import CsrfFailed, csrf_token, remember_csrf, set_cookie, signed_in

FLASH = "axolotly_flash"
TMDB_POSTERS = "https://image.tmdb.org/t/p/w342"

templates = Jinja2Templates(
    env=Environment(
        loader=FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=select_autoescape(),
        extensions=["jinja2.ext.i18n"],
    )
)
# `_()` and `ngettext()` in templates speak the request's language (axolotly/i18n.py); newstyle:
# placeholders by name, escaped like any other value, and a literal percent sign written `%%`.
templates.env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]


def poster_url(title_id: int, poster_path: str | None) -> str:
    """TMDB's image when the title has one (online catalog), else our generated poster."""
    return f"{TMDB_POSTERS}{poster_path}" if poster_path else f"/posters/{title_id}.svg"


def service_name(service_id: str) -> str:
    provider = PROVIDERS_BY_ID.get(service_id)
    return provider.name if provider else service_id


def safe_link(url: str | None, provider_id: str | None) -> str:
    """The URL if a page may put it in an href, else "": every crowd-sourced link goes through it.

    The second wall behind the report checks (launcher/episode_links.py): a row that got into the
    database another way (psql, an old import) still never becomes a javascript: or data: link.
    """
    return url if url and is_safe_link(url, provider_id) else ""


def page_zone(request: Request) -> ZoneInfo:
    """The family's zone, which its page dependency (families/deps.py web_family) put on the
    request; UTC on pages without a family (log-in, admin, kid launcher)."""
    return getattr(request.state, "family_zone", None) or ZoneInfo("UTC")


def _on_family_clock(request: Request, moment: datetime) -> tuple[datetime, datetime]:
    """(the moment, aware; the same moment on the family's clock)."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # naive columns hold UTC
    return aware, aware.astimezone(page_zone(request))


@pass_context
def local_time(context, moment: datetime | None, fmt: str = "medium") -> Markup:
    """`{{ event.created_at|local_time }}`: the moment on the family's clock, written the reader's
    way, its zone named ("25 Nov 2026, 21:03 CET", "25. Nov. 2026, 21:03 CET"; the full IANA name
    as the tooltip), machine-readable in datetime=. `fmt`: a name of i18n.MOMENT_FORMATS ("medium",
    "seconds", "short", "time")."""
    if moment is None:
        return Markup("")
    aware, local = _on_family_clock(context["request"], moment)
    return Markup('<time datetime="{}" title="{}">{} {}</time>').format(
        aware.isoformat(), local.tzinfo, format_moment(local, fmt), local.strftime("%Z")
    )


@pass_context
def local_date(context, moment: datetime | None, fmt: str = "date") -> Markup:
    """The day on the family's clock (a day needs no zone name: the footer names it); `fmt`:
    "date" ("25 Nov 2026") or "day" ("Wed 25 Nov")."""
    if moment is None:
        return Markup("")
    _, local = _on_family_clock(context["request"], moment)
    return Markup('<time datetime="{}">{}</time>').format(local.date().isoformat(), format_moment(local, fmt))


@pass_context
def menu_current(context, href: str) -> str:
    """aria-current for a menu link: "page" on that very page, "true" on a page inside its section
    (a kid's "What Emma can watch" is in Kids), "" elsewhere."""
    path = context["request"].url.path
    if path == href:
        return "page"
    return "true" if href != "/" and path.startswith(href + "/") else ""


@pass_context
def rating_here(context, title) -> str:
    """A title's rating as the family's country reads it, as the launcher's `ageRating` says it:
    "12" (the country's own), "DE 16" (the strictest elsewhere, with its country), "" (unrated).
    Pages without a family (admin) read it as a US family would."""
    state = context["request"].state
    rules = Rules(
        country=getattr(state, "family_country", "US"), scales=getattr(state, "family_scales", None) or snapshot()
    )
    certifications = getattr(title, "certifications", None)
    facts = TitleFacts(
        (),
        getattr(title, "certification", None),
        media_type=getattr(title, "media_type", None),
        certifications={c: r for c, r in (certifications or {}).items() if isinstance(r, str)}
        if isinstance(certifications, dict)
        else {},
    )
    reading = rating_reading(facts, rules)
    if reading is None:
        return ""
    return reading.rating if reading.at_home else f"{reading.country} {reading.rating}"


templates.env.globals.update(
    rating_here=rating_here,
    poster_url=poster_url,
    service_name=service_name,
    tag_label=tag_label,
    category_label=category_label,
    safe_link=safe_link,
    menu_current=menu_current,
    page_zone=page_zone,
    current_language=current_language,  # <html lang="{{ current_language() }}">
    language_names=LANGUAGE_NAMES,
    format_number=format_number,
    format_weekday=format_weekday,
    format_minutes=format_minutes,
    format_time=format_time,
    format_moment=format_moment,
    unread_notifications=unread_count_of,  # base.html's menu: the parent's unread notifications
)
templates.env.filters.update(
    local_time=local_time,
    local_date=local_date,
    format_number=format_number,
    format_weekday=format_weekday,
    format_minutes=format_minutes,
    format_time=format_time,
    format_moment=format_moment,
)


def render(request: Request, name: str, status_code: int = 200, **context) -> HTMLResponse:
    flash = request.cookies.get(FLASH)
    kind, _, message = unquote(flash).partition("|") if flash else ("", "", "")
    response = templates.TemplateResponse(
        request,
        name,
        {
            "csrf_token": csrf_token(request),
            "flash": message,
            "flash_kind": kind,
            **context,
        },
        status_code=status_code,
    )
    remember_csrf(request, response)
    remember_parents_choice(request.cookies.get(LANGUAGE_COOKIE), response)
    if flash:
        response.delete_cookie(FLASH, path="/")
    return response


def redirect(url: str, message: str | None = None, kind: str = "ok") -> RedirectResponse:
    """After a form: 303 to a page, with a one-time message."""
    response = RedirectResponse(url, status_code=303)
    if message:
        set_cookie(response, FLASH, quote(f"{kind}|{message}"), max_age=60)
    return response


def same_site_path(request: Request, fallback: str = "/") -> str:
    """Where the form was (Referer), if it is one of our pages; never another host."""
    try:
        referer = urlsplit(request.headers.get("referer", ""))
    except ValueError:  # "http://[::1": unreadable, so not one of our pages (and never a 500)
        return fallback
    if referer.netloc and referer.netloc != request.url.netloc:
        return fallback
    path = referer.path or fallback
    return path + (f"?{referer.query}" if referer.query else "") if path.startswith("/") else fallback


# Translated when shown (the page's language is the request's).
ERROR_HEADINGS = {
    400: N_("That did not work"),
    401: N_("Please log in"),
    403: N_("Not allowed"),
    404: N_("Page not found"),
    405: N_("That did not work"),
    409: N_("That clashed with another change"),
    422: N_("That did not look right"),
    429: N_("Too many tries"),
    500: N_("Something went wrong"),
    502: N_("The catalog is not answering"),
    503: N_("Please try again in a moment"),
}


def translated(detail: str | DomainError) -> str:
    """An error's words in the page's language where the catalog has them (a text marked with N_),
    any other text as it is (gettext("") would be the catalog's header). A domain error given as a
    template and its values is translated first and filled in after (errors.py)."""
    if isinstance(detail, DomainError):
        return detail.fill(translated(detail.template))
    return gettext(detail) if detail else detail


def fragment_refused(error: DomainError) -> Response:
    """A refused request for a fragment a script asked for (a preview panel): its words as plain
    text with its status, never a message kept for the parent's next page."""
    return PlainTextResponse(translated(error), status_code=error.status_code)


def is_kid_page(request: Request) -> bool:
    """The kid launcher's pages: their errors keep the kid look and never show the parents' menu."""
    return request.url.path == "/kids" or request.url.path.startswith("/kids/")


def error_page(
    request: Request, status_code: int, detail: str | DomainError, headers: dict[str, str] | None = None
) -> HTMLResponse:
    """An error as a page with the menu and a way back, never raw JSON.

    It reads no database (a 500 may be the database's fault): the menu shows when the session
    cookie is a valid signed token. Kid launcher pages get the kid look and a way back to /kids.
    """
    kid = is_kid_page(request)
    home = "/kids" if kid else "/"
    back = same_site_path(request, home)
    response = render(
        request,
        "error.html",
        status_code=status_code,
        heading=gettext(ERROR_HEADINGS.get(status_code, ERROR_HEADINGS[400])),
        detail=translated(detail),
        kid=kid,
        signed_in=not kid and signed_in(request),
        home=home,
        back=back if back not in (home, request.url.path) else None,
        body_class="kid" if kid else "",
    )
    response.headers.update(headers or {})
    return response


def stale_form(request: Request, error: CsrfFailed) -> HTMLResponse:
    """The form's own fields again, with a fresh token: what was typed is kept (secrets retyped)."""
    fields, repeated, secrets = resubmittable(error.fields)
    kid = is_kid_page(request)
    return render(
        request,
        "stale_form.html",
        status_code=error.status_code,
        detail=translated(error),
        action=request.url.path,
        fields=fields,
        repeated=repeated,
        secrets=secrets,
        kid=kid,
        signed_in=not kid and signed_in(request),
        back=same_site_path(request, "/kids" if kid else "/"),
        body_class="kid" if kid else "",
    )


def page_error(request: Request, error: DomainError):
    """A refused form goes back to its page with the reason, an expired one is shown again to submit
    once more; a page that cannot be shown says why."""
    if request.method != "POST":
        return error_page(request, error.status_code, error, error.headers)
    response: Response
    if isinstance(error, CsrfFailed):
        response = stale_form(request, error)
    else:
        response = redirect(same_site_path(request), translated(error), kind="error")
    response.headers.update(error.headers or {})  # a 503 or 429 says when to retry on every answer
    return response
