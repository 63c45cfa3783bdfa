"""Rendering pages: templates, flash messages, redirects after a form, error pages."""

from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from axolotly.catalog.providers import PROVIDERS_BY_ID, is_safe_link
from axolotly.errors import DomainError
from axolotly.web.session import CsrfFailed, csrf_token, remember_csrf, set_cookie

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


templates.env.globals.update(poster_url=poster_url, service_name=service_name, safe_link=safe_link)


def render(request: Request, name: str, status_code: int = 200, **context) -> HTMLResponse:
    flash = request.cookies.get(FLASH)
    kind, _, message = unquote(flash).partition("|") if flash else ("", "", "")
    response = templates.TemplateResponse(request, name, {
        "csrf_token": csrf_token(request), "flash": message, "flash_kind": kind, **context,
    }, status_code=status_code)
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
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc and referer.netloc != request.url.netloc:
        return fallback
    path = referer.path or fallback
    return path + (f"?{referer.query}" if referer.query else "") if path.startswith("/") else fallback


def page_error(request: Request, error: DomainError):
    """A refused form goes back to its page with the reason; a page that cannot be shown says why."""
    if request.method == "POST" and not isinstance(error, CsrfFailed):
        return redirect(same_site_path(request), error.detail, kind="error")
    return render(request, "error.html", status_code=error.status_code, detail=error.detail)
