"""The account page: email, password, family name and time zone, sign out everywhere, and
deleting the account (after a page that says exactly what goes)."""

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Form, Request

from axolotly import mail
from axolotly.accounts import service
from axolotly.accounts.deletion import deletion_summary
from axolotly.accounts.deps import DbSession, WebUser
from axolotly.accounts.schemas import DeleteAccount, EmailChange, PasswordChange
from axolotly.families import settings
from axolotly.families.deps import WebFamily
from axolotly.families.schemas import FamilySettingsBody
from axolotly.types import Text
from axolotly.web.forms import validated
from axolotly.web.session import CsrfChecked, end_session, start_session
from axolotly.web.templating import redirect, render

router = APIRouter(include_in_schema=False)


@router.get("/account")
def account_page(request: Request, family: WebFamily, db: DbSession):
    return render(
        request,
        "account.html",
        user=family.user,
        family=family,
        family_settings=settings.load_family_settings(db, family.id),
        zones=settings.zone_names(),
    )


@router.post("/account/email", dependencies=[CsrfChecked])
def change_email(
    user: WebUser,
    db: DbSession,
    mails: BackgroundTasks,
    email: Annotated[Text, Form()],
    password: Annotated[Text, Form()],
):
    body = validated(EmailChange, email=email.strip()[:320], password=password[:200])
    notice = service.change_email(db, user, body.password, body.email)
    if notice is None:
        return redirect("/account", "That is already your email")
    mails.add_task(mail.send_quietly, notice)
    return redirect("/account", f"Email changed: you now log in as {user.email}")


@router.post("/account/password", dependencies=[CsrfChecked])
def change_password(
    user: WebUser, db: DbSession, current_password: Annotated[Text, Form()], new_password: Annotated[Text, Form()]
):
    """Every other session ends; this browser gets a new session cookie and stays signed in."""
    body = validated(PasswordChange, current_password=current_password, new_password=new_password)
    service.change_password(db, user, body.current_password, body.new_password)
    response = redirect("/account", "Password changed; every other session is signed out")
    start_session(response, user.id, user.token_epoch)
    return response


@router.post("/account/family", dependencies=[CsrfChecked])
def change_family(
    family: WebFamily, db: DbSession, family_name: Annotated[Text, Form()], time_zone: Annotated[Text, Form()]
):
    body = validated(FamilySettingsBody, family_name=family_name, time_zone=time_zone)
    saved = settings.update_settings(db, family, body.family_name, body.time_zone)
    return redirect("/account", f"Saved: {saved.family_name}, times in {saved.time_zone}")


@router.post("/account/sign-out-everywhere", dependencies=[CsrfChecked])
def sign_out_everywhere(user: WebUser, db: DbSession):
    service.sign_out_everywhere(db, user)
    response = redirect("/login", "Signed out everywhere, this browser included")
    end_session(response)
    return response


@router.get("/account/delete")
def delete_page(request: Request, user: WebUser, db: DbSession):
    return render(request, "account_delete.html", user=user, summary=deletion_summary(db, user))


@router.post("/account/delete", dependencies=[CsrfChecked])
def delete_account(family: WebFamily, db: DbSession, password: Annotated[Text, Form()]):
    body = validated(DeleteAccount, password=password[:200])
    service.delete_account(db, family.user, body.password)
    response = redirect(
        "/login",
        "Your account and your family's data were deleted"
        if family.is_owner
        else "Your account was deleted; the family goes on without you",
    )
    end_session(response)
    return response
