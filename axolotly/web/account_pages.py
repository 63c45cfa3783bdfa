"""The account page: the parent's name, email, password and language, the family's name, time
zone and country (a new country is shown first: what each kid's caps become), sign out
everywhere, the family's data as a zip to keep, and deleting the account (after a page that says
exactly what goes)."""

from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Form, Request

from axolotly import mail
from axolotly.accounts import service
from axolotly.accounts.deletion import deletion_summary
from axolotly.accounts.deps import DbSession, WebUser
from axolotly.accounts.schemas import DeleteAccount, EmailChange, LanguageChange, NameChange, PasswordChange
from axolotly.exports import family_export
from axolotly.exports.zipstream import zip_response
from axolotly.families import settings, time_zones
from axolotly.families.deps import WebFamily
from axolotly.families.schemas import CountryBody, FamilySettingsBody
from axolotly.i18n import LANGUAGE_NAMES, current_language, gettext, speak_parents_choice
from axolotly.ratings.service import current_scales
from axolotly.types import Text
from axolotly.web.forms import validated
from axolotly.web.language import LANGUAGE_COOKIE, remember_parents_choice
from axolotly.web.session import CsrfChecked, end_session, start_session
from axolotly.web.templating import redirect, render

router = APIRouter(include_in_schema=False)


def _account(request: Request, family: WebFamily, db: DbSession, **extra: Any):
    family_settings = settings.load_family_settings(db, family.id)
    language = current_language()
    return render(
        request,
        "account.html",
        user=family.user,
        family=family,
        family_settings=family_settings,
        zone_groups=time_zones.zone_groups(family_settings.time_zone),
        countries=settings.country_choices(current_scales(db), language),
        country_name=settings.country_name(family_settings.country, language),
        languages=LANGUAGE_NAMES,
        **extra,
    )


@router.get("/account")
def account_page(request: Request, family: WebFamily, db: DbSession):
    return _account(request, family, db)


@router.post("/account/name", dependencies=[CsrfChecked])
def change_name(user: WebUser, db: DbSession, display_name: Annotated[Text, Form()] = ""):
    body = validated(NameChange, display_name=display_name)
    service.change_display_name(db, user, body.display_name)
    if user.display_name is None:
        return redirect("/account", gettext("Your co-parents see you as %(name)s") % {"name": user.email})
    return redirect("/account", gettext("Your co-parents see you as %(name)s") % {"name": user.display_name})


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
        return redirect("/account", gettext("That is already your email"))
    mails.add_task(mail.send_quietly, notice)
    return redirect("/account", gettext("Email changed: you now log in as %(email)s") % {"email": user.email})


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
    response = redirect("/account", gettext("Password changed; every other session is signed out"))
    start_session(response, user.id, user.token_epoch)
    return response


@router.post("/account/family", dependencies=[CsrfChecked])
def change_family(
    family: WebFamily, db: DbSession, family_name: Annotated[Text, Form()], time_zone: Annotated[Text, Form()]
):
    body = validated(FamilySettingsBody, family_name=family_name, time_zone=time_zone)
    saved = settings.update_settings(db, family, body.family_name, body.time_zone)
    words = gettext("Saved: %(family)s, times in %(zone)s")
    return redirect("/account", words % {"family": saved.family_name, "zone": saved.time_zone})


@router.post("/account/country", dependencies=[CsrfChecked])
def change_country(
    request: Request,
    family: WebFamily,
    db: DbSession,
    country: Annotated[Text, Form()],
    confirm: Annotated[Text, Form()] = "",
    expected: Annotated[Text, Form()] = "",
):
    """A first submit shows what each kid's caps become and asks again ("Change country"); the
    confirmed one switches, if the caps' re-mapping is still the one shown (`expected`, its
    digest): else the new one is shown with a 409. No script needed either way. Any parent of the
    family may, as with the time zone."""
    body = validated(CountryBody, country=country.strip()[:10])
    chosen = settings.valid_country(body.country, current_scales(db))
    name = settings.country_name(chosen, current_language())
    if chosen == settings.load_family_settings(db, family.id).country:
        return redirect("/account#country", gettext("Your family is in %(country)s already") % {"country": name})
    if confirm != "yes":
        return _preview(request, family, db, chosen, name)
    try:
        settings.change_country(db, family, chosen, expected=expected.strip()[:64])
    except settings.PreviewOutdated:
        return _preview(request, family, db, chosen, name, outdated=True)
    return redirect("/account#country", gettext("Your family is now in %(country)s") % {"country": name})


def _preview(request: Request, family: WebFamily, db: DbSession, chosen: str, name: str, outdated: bool = False):
    """The account page with what the switch makes of each kid's caps, and its digest for the
    confirm form; after an outdated confirm, the new re-mapping, said so, with a 409."""
    preview = settings.country_preview(db, family.id, chosen)
    shown: dict[str, Any] = {"preview": preview, "preview_country": chosen, "preview_name": name}
    shown["preview_digest"] = settings.preview_digest(preview)
    if outdated:
        shown |= {"status_code": 409, "flash": gettext(settings.CHANGED_SINCE_PREVIEW), "flash_kind": "error"}
    return _account(request, family, db, **shown)


@router.post("/account/language", dependencies=[CsrfChecked])
def change_language(request: Request, user: WebUser, db: DbSession, language: Annotated[Text, Form()] = ""):
    """ "" is "Automatic": the browser's languages decide."""
    body = validated(LanguageChange, language=language.strip()[:10] or None)
    service.change_language(db, user, body.language)
    speak_parents_choice(body.language)  # the message below, and the cookie, in the new choice already
    response = redirect("/account#language", gettext("Language saved"))
    remember_parents_choice(request.cookies.get(LANGUAGE_COOKIE), response)
    return response


@router.post("/account/sign-out-everywhere", dependencies=[CsrfChecked])
def sign_out_everywhere(user: WebUser, db: DbSession):
    service.sign_out_everywhere(db, user)
    response = redirect("/login", gettext("Signed out everywhere, this browser included"))
    end_session(response)
    return response


@router.post("/account/export", dependencies=[CsrfChecked])
def export_family(family: WebFamily, db: DbSession):
    """The same zip as GET /api/parent/me/export. A form (POST, CSRF-checked) rather than a link:
    the export writes a line to the activity list, and the browser saves the answer as a file."""
    name = family_export.start_family_export(db, family)
    return zip_response(family_export.family_body(db, family.id), name)


@router.get("/account/delete")
def delete_page(request: Request, user: WebUser, db: DbSession):
    return render(request, "account_delete.html", user=user, summary=deletion_summary(db, user))


@router.post("/account/delete", dependencies=[CsrfChecked])
def delete_account(family: WebFamily, db: DbSession, password: Annotated[Text, Form()]):
    body = validated(DeleteAccount, password=password[:200])
    service.delete_account(db, family.user, body.password)
    response = redirect(
        "/login",
        gettext("Your account and your family's data were deleted")
        if family.is_owner
        else gettext("Your account was deleted; the family goes on without you"),
    )
    end_session(response)
    return response
