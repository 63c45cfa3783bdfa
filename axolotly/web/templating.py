"""Rendering pages: templates, flash messages, redirects after a form, error pages, the family's
clock (times shown in its time zone) and the menu's current page."""

from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from markupsafe import Markup

from axolotly.catalog.providers import PROVIDERS_BY_ID, is_safe_link
from axolotly.catalog.tags import category_label, tag_label
from axolotly.errors import DomainError
from axolotly.web.forms import resubmittable
from axolotly.web.session import CsrfFailed, csrf_token, remember_csrf, set_cookie, signed_in

FLASH = "axolotly_flash"
TMDB_POSTERS = "https://image.tmdb.org/t/p/w342"

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")


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


@pass_context
def local_time(context, moment: datetime | None, fmt: str = "%d %b %Y, %H:%M") -> Markup:
    """`{{ event.created_at|local_time }}`: the moment on the family's clock, its zone named
    ("25 Nov 2026, 21:03 CET", the full IANA name as the tooltip), machine-readable in datetime=."""
    if moment is None:
        return Markup("")
    zone = page_zone(context["request"])
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # naive columns hold UTC
    local = aware.astimezone(zone)
    return Markup('<time datetime="{}" title="{}">{} {}</time>').format(
        aware.isoformat(), zone.key, local.strftime(fmt), local.strftime("%Z")
    )


@pass_context
def local_date(context, moment: datetime | None) -> Markup:
    """The day on the family's clock (a day needs no zone name: the footer names it)."""
    if moment is None:
        return Markup("")
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    local = aware.astimezone(page_zone(context["request"]))
    return Markup('<time datetime="{}">{}</time>').format(local.date().isoformat(), local.strftime("%d %b %Y"))


@pass_context
def menu_current(context, href: str) -> str:
    """aria-current for a menu link: "page" on that very page, "true" on a page inside its section
    (a kid's "What Emma can watch" is in Kids), "" elsewhere."""
    path = context["request"].url.path
    if path == href:
        return "page"
    return "true" if href != "/" and path.startswith(href + "/") else ""


templates.env.globals.update(
    poster_url=poster_url,
    service_name=service_name,
    tag_label=tag_label,
    category_label=category_label,
    safe_link=safe_link,
    menu_current=menu_current,
    page_zone=page_zone,
)
templates.env.filters.update(local_time=local_time, local_date=local_date)


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


ERROR_HEADINGS = {
    400: "That did not work",
    401: "Please log in",
    403: "Not allowed",
    404: "Page not found",
    405: "That did not work",
    409: "That clashed with another change",
    422: "That did not look right",
    429: "Too many tries",
    500: "Something went wrong",
    502: "The catalog is not answering",
    503: "Please try again in a moment",
}


def is_kid_page(request: Request) -> bool:
    """The kid launcher's pages: their errors keep the kid look and never show the parents' menu."""
    return request.url.path == "/kids" or request.url.path.startswith("/kids/")


def error_page(request: Request, status_code: int, detail: str, headers: dict[str, str] | None = None) -> HTMLResponse:
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
        heading=ERROR_HEADINGS.get(status_code, "That did not work"),
        detail=detail,
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
        detail=error.detail,
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
        return error_page(request, error.status_code, error.detail, error.headers)
    response: Response
    if isinstance(error, CsrfFailed):
        response = stale_form(request, error)
    else:
        response = redirect(same_site_path(request), error.detail, kind="error")
    response.headers.update(error.headers or {})  # a 503 or 429 says when to retry on every answer
    return response
