"""The account page: the parent's name, email, password, family name and time zone, sign out everywhere, and
deleting the account (after a page that says exactly what goes)."""

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Form, Request

from axolotly import mail
from axolotly.accounts import service
from axolotly.accounts.deletion import deletion_summary
from axolotly.accounts.deps import DbSession, WebUser
from axolotly.accounts.schemas import DeleteAccount, EmailChange, NameChange, PasswordChange
from axolotly.families import settings, time_zones
from axolotly.families.deps import WebFamily
from axolotly.families.schemas import FamilySettingsBody
from axolotly.types import Text
from axolotly.web.forms import validated
from axolotly.web.session import CsrfChecked, end_session, start_session
from axolotly.web.templating import redirect, render

router = APIRouter(include_in_schema=False)


@router.get("/account")
def account_page(request: Request, family: WebFamily, db: DbSession):
    family_settings = settings.load_family_settings(db, family.id)
    return render(
        request,
        "account.html",
        user=family.user,
        family=family,
        family_settings=family_settings,
        zone_groups=time_zones.zone_groups(family_settings.time_zone),
    )


@router.post("/account/name", dependencies=[CsrfChecked])
def change_name(user: WebUser, db: DbSession, display_name: Annotated[Text, Form()] = ""):
    body = validated(NameChange, display_name=display_name)
    service.change_display_name(db, user, body.display_name)
    if user.display_name is None:
        return redirect("/account", f"Your co-parents see you as {user.email}")
    return redirect("/account", f"Your co-parents see you as {user.display_name}")


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
    user: WebUser,
    db: DbSession,
    mails: BackgroundTasks,
    current_password: Annotated[Text, Form()],
    new_password: Annotated[Text, Form()],
):
    """Every other session ends; this browser gets a new session cookie and stays signed in. The
    account's address is told (after the commit)."""
    body = validated(PasswordChange, current_password=current_password, new_password=new_password)
    mails.add_task(mail.send_quietly, service.change_password(db, user, body.current_password, body.new_password))
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
