"""Sign up, log in (throttled like the API), log out; the account page: password, sign-out everywhere."""

from typing import Annotated

from fastapi import APIRouter, Form, Request

from axolotly.accounts import service
from axolotly.accounts.deps import DbSession, WebUser
from axolotly.accounts.schemas import PasswordChange, SignUp
from axolotly.config import get_settings
from axolotly.errors import Unauthorized
from axolotly.security.client import client_address
from axolotly.types import Text
from axolotly.web.forms import validated
from axolotly.web.session import CsrfChecked, end_session, start_session
from axolotly.web.templating import redirect, render

router = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str:
    """Only our own paths (no `//host` or scheme): an open redirect would help phishing."""
    return target if target and target.startswith("/") and not target.startswith("//") else "/"


def _demo_logins() -> dict | None:
    if get_settings().env != "development":
        return None
    from axolotly.seed.demo import DEMO_ADMIN, DEMO_PARENT

    return {"parent": DEMO_PARENT, "admin": DEMO_ADMIN}


@router.get("/login")
def login_page(request: Request, next: Text = "/"):
    return render(request, "login.html", next=_safe_next(next), demo=_demo_logins())


@router.post("/login", dependencies=[CsrfChecked])
def log_in(request: Request, db: DbSession, email: Annotated[Text, Form()], password: Annotated[Text, Form()],
           next: Annotated[Text, Form()] = "/"):
    try:
        user = service.authenticate(db, email[:320], password[:200], client_address(request))
    except Unauthorized:
        return redirect(f"/login?next={_safe_next(next)}", "Wrong email or password", kind="error")
    response = redirect(_safe_next(next))
    start_session(response, user.id, user.token_epoch)
    return response


@router.get("/signup")
def signup_page(request: Request):
    return render(request, "signup.html")


@router.post("/signup", dependencies=[CsrfChecked])
def sign_up(request: Request, db: DbSession, email: Annotated[Text, Form()], password: Annotated[Text, Form()],
            family_name: Annotated[Text, Form()] = ""):
    """Invited co-parents sign up on their invitation's page (/join/<token>, web/members_pages.py)."""
    body = validated(SignUp, email=email, password=password, family_name=family_name.strip() or None)
    user = service.sign_up(db, body.email, body.password, body.family_name, client_address(request))
    response = redirect("/", "Welcome! Add your kids to begin.")
    start_session(response, user.id, user.token_epoch)
    return response


@router.post("/logout", dependencies=[CsrfChecked])
def log_out():
    response = redirect("/login", "Logged out")
    end_session(response)
    return response


@router.get("/account")
def account_page(request: Request, user: WebUser):
    return render(request, "account.html", user=user)


@router.post("/account/password", dependencies=[CsrfChecked])
def change_password(user: WebUser, db: DbSession, current_password: Annotated[Text, Form()],
                    new_password: Annotated[Text, Form()]):
    """Every other session ends; this browser gets a new session cookie and stays signed in."""
    body = validated(PasswordChange, current_password=current_password, new_password=new_password)
    service.change_password(db, user, body.current_password, body.new_password)
    response = redirect("/account", "Password changed; every other session is signed out")
    start_session(response, user.id, user.token_epoch)
    return response


@router.post("/account/sign-out-everywhere", dependencies=[CsrfChecked])
def sign_out_everywhere(user: WebUser, db: DbSession):
    service.sign_out_everywhere(db, user)
    response = redirect("/login", "Signed out everywhere, this browser included")
    end_session(response)
    return response
