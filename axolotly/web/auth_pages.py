"""Sign up, log in (throttled like the API), log out, and "Forgot password?" (the emailed
single-use link: accounts/password_reset.py). The account page: account_pages.py."""

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Form, Path, Request

from axolotly import mail
from axolotly.accounts import password_reset, service, web_sessions
from axolotly.accounts.deps import DbSession
from axolotly.accounts.schemas import PasswordReset, PasswordResetRequest, SignUp
from axolotly.config import get_settings
from axolotly.errors import DomainError, Unauthorized
from axolotly.families import settings, time_zones
from axolotly.i18n import N_, current_language, gettext
from axolotly.ratings.service import current_scales
from axolotly.security.client import client_address
from axolotly.security.cookies import page_session
from axolotly.types import Text
from axolotly.web import account_pages
from axolotly.web.forms import validated
from axolotly.web.session import CsrfChecked, end_session, start_session
from axolotly.web.templating import redirect, render, translated

router = APIRouter(include_in_schema=False)
# The account pages ride on this router: pages.install() mounts it already.
router.include_router(account_pages.router)
ResetToken = Annotated[Text, Path(max_length=200)]


def _safe_next(target: str | None) -> str:
    """Only our own paths (no `//host` or scheme): an open redirect would help phishing."""
    return target if target and target.startswith("/") and not target.startswith("//") else "/"


def _demo_logins() -> dict | None:
    if get_settings().env != "development":
        return None
    from axolotly.seed.demo import DEMO_ADMIN, DEMO_PARENT

    return {"parent": DEMO_PARENT, "admin": DEMO_ADMIN}


SIGNED_OUT_BECAUSE = {
    web_sessions.PASSWORD_CHANGED: N_(
        "You were signed out because the password was changed. "
        "Log in with the new password; if you did not change it, use “Forgot password?”."
    )
}


@router.get("/login")
def login_page(request: Request, next: Text = "/", reason: Text = ""):
    """`reason`: why a session ended (accounts/deps.py adds it when a password change ended it)."""
    if reason in SIGNED_OUT_BECAUSE:
        why = gettext(SIGNED_OUT_BECAUSE[reason])
        return render(request, "login.html", next=_safe_next(next), demo=_demo_logins(), flash=why, flash_kind="ok")
    return render(request, "login.html", next=_safe_next(next), demo=_demo_logins())


@router.post("/login", dependencies=[CsrfChecked])
def log_in(
    request: Request,
    db: DbSession,
    email: Annotated[Text, Form()],
    password: Annotated[Text, Form()],
    next: Annotated[Text, Form()] = "/",
):
    try:
        user = service.authenticate(db, email[:320], password[:200], client_address(request))
    except Unauthorized:
        return redirect(f"/login?next={_safe_next(next)}", gettext("Wrong email or password"), kind="error")
    response = redirect(_safe_next(next))
    start_session(response, user.id, user.token_epoch)
    return response


def _countries(db: DbSession) -> list[tuple[str, str]]:
    return settings.country_choices(current_scales(db), current_language())


@router.get("/signup")
def signup_page(request: Request, db: DbSession):
    """The country is guessed from the browser's languages ("de-AT" -> Austria, "fr" -> France)."""
    return render(
        request,
        "signup.html",
        zone_groups=time_zones.zone_groups(),
        time_zone="UTC",
        pick_browser_zone=True,
        countries=_countries(db),
        country=settings.guess_country(request.headers.get("accept-language"), current_scales(db)),
    )


@router.post("/signup", dependencies=[CsrfChecked])
def sign_up(
    request: Request,
    db: DbSession,
    email: Annotated[Text, Form()],
    password: Annotated[Text, Form()],
    family_name: Annotated[Text, Form()] = "",
    display_name: Annotated[Text, Form()] = "",
    time_zone: Annotated[Text, Form()] = "UTC",
    country: Annotated[Text, Form()] = "US",
):
    """Invited co-parents sign up on their invitation's page (/join/<token>, web/members_pages.py).
    The time zone is the browser's when its script ran (static/app.js), UTC otherwise."""
    try:
        body = validated(
            SignUp,
            email=email,
            password=password,
            family_name=family_name.strip() or None,
            display_name=display_name.strip() or None,
            country=country.strip()[:10] or "US",
        )
        user = service.sign_up(
            db,
            body.email,
            body.password,
            body.family_name,
            client_address(request),
            display_name=body.display_name,
            time_zone=time_zone,
            country=body.country,
        )
    except DomainError as error:  # the form again, as typed (but the password), with the reason
        return render(
            request,
            "signup.html",
            status_code=error.status_code,
            email=email[:320],
            family_name=family_name[:100],
            display_name=display_name[:100],
            zone_groups=time_zones.zone_groups(time_zone[:64]),
            time_zone=time_zone[:64],
            countries=_countries(db),
            country=country[:10],
            flash=translated(error),
            flash_kind="error",
        )
    response = redirect("/", gettext("Welcome! Add your kids to begin."))
    start_session(response, user.id, user.token_epoch)
    return response


@router.post("/logout", dependencies=[CsrfChecked])
def log_out(request: Request, db: DbSession):
    """Ends the session on the server, not only the cookie here: a copy of it stops working too."""
    web_sessions.end(db, page_session(request))
    response = redirect("/login", gettext("Logged out"))
    end_session(response)
    return response


def _mail_note() -> str | None:
    """Development without MAIL_URL: where the mail went instead."""
    if get_settings().env == "development" and mail.is_console():
        return gettext("Development server without MAIL_URL: the mail is printed to the server log, not sent.")
    return None


@router.get("/forgot-password")
def forgot_password_page(request: Request):
    return render(request, "forgot_password.html", mail_note=_mail_note())


@router.post("/forgot-password", dependencies=[CsrfChecked])
def forgot_password(request: Request, db: DbSession, mails: BackgroundTasks, email: Annotated[Text, Form()]):
    """The same page whether or not the address has an account (the mail leaves afterwards)."""
    body = validated(PasswordResetRequest, email=email.strip()[:320])
    reset = password_reset.request_reset(db, body.email, client_address(request), str(request.base_url))
    if reset is not None:
        mails.add_task(mail.send_quietly, reset)
    return render(request, "forgot_password.html", sent=gettext(password_reset.SENT), mail_note=_mail_note())


@router.get("/reset-password/{token}")
def reset_password_page(request: Request, db: DbSession, token: ResetToken):
    if password_reset.reset_link_user(db, token) is None:
        return render(request, "reset_password.html", status_code=400, dead=gettext(password_reset.DEAD_LINK))
    return render(request, "reset_password.html", token=token)


@router.post("/reset-password/{token}", dependencies=[CsrfChecked])
def reset_password(db: DbSession, token: ResetToken, new_password: Annotated[Text, Form()]):
    body = validated(PasswordReset, token=token, new_password=new_password)
    password_reset.reset_password(db, body.token, body.new_password)
    response = redirect("/login", gettext("Password changed: log in with the new one"))
    end_session(response)  # whoever was signed in on this browser before, it is over
    return response
