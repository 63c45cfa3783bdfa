"""Co-parents on the pages: the family's members, invitations (shown once) and joining by link."""

import logging
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Path, Request
from pydantic import BaseModel, EmailStr, Field

from axolotly import mail
from axolotly.accounts import service as accounts
from axolotly.accounts.deps import DbSession, OptionalWebUser, WebUser
from axolotly.accounts.schemas import SignUp
from axolotly.families import members
from axolotly.families.context import family_of
from axolotly.families.deps import WebFamily, require_owner
from axolotly.i18n import gettext
from axolotly.security.client import client_address
from axolotly.types import FormText, RowId, Text
from axolotly.web.forms import validated
from axolotly.web.session import CsrfChecked, start_session
from axolotly.web.templating import redirect, render

logger = logging.getLogger("axolotly.mail")
router = APIRouter(include_in_schema=False)
Token = Annotated[Text, Path(max_length=100)]


class InvitationMailForm(BaseModel):
    email: EmailStr
    token: Text = Field(min_length=1, max_length=100)


def members_page_for(request: Request, family, db, invitation=None, invitation_token: str | None = None):
    """The page; right after an invitation is made, with its link (shown only then)."""
    invitations = members.open_invitations(db, family) if family.is_owner else []
    url = members.invitation_url(str(request.base_url), invitation_token) if invitation_token else None
    return render(
        request,
        "members.html",
        status_code=201 if invitation_token else 200,
        user=family.user,
        family=family,
        members=members.members(db, family.id),
        invitation_url=url,
        invitation_token=invitation_token,
        invitation_expires=invitation.expires_at if invitation else None,
        family_name=members.family_name(db, family.id),
        invitations=invitations,
    )


@router.get("/family/members")
def members_page(request: Request, family: WebFamily, db: DbSession):
    return members_page_for(request, family, db)


@router.post("/family/invitations", dependencies=[CsrfChecked])
def invite(request: Request, family: WebFamily, db: DbSession):
    """The link is shown once, on the page this answers (never stored in a cookie or a redirect)."""
    invitation, token = members.invite(db, require_owner(family))
    return members_page_for(request, family, db, invitation, token)


@router.post("/family/invitations/mail", dependencies=[CsrfChecked])
def mail_invitation(
    request: Request, family: WebFamily, db: DbSession, mails: BackgroundTasks, email: FormText, token: FormText
):
    """The link the page showed, mailed to the address typed next to it (after the commit).

    The mail leaves after the answer, so the page never claims it arrived: it says what happens,
    and a mail the server cannot send is logged (send_quietly) and not retried."""
    body = validated(InvitationMailForm, email=email.strip()[:320], token=token)
    try:
        mail.transport()
    except ValueError:
        logger.exception("Could not mail an invitation: MAIL_URL is unusable")
        return redirect(
            "/family/members",
            gettext(
                "The invitation could not be mailed to %(email)s: the server's mail is not set up. "
                "Make a new link and share it yourself."
            )
            % {"email": body.email},
            kind="error",
        )
    message = members.invitation_mail(db, family, body.token, body.email, str(request.base_url))
    mails.add_task(mail.send_quietly, message)
    return redirect(
        "/family/members",
        # Said before the mail leaves (it goes after the answer): "sending", never "sent".
        gettext(
            "Sending the invitation to %(email)s. If it has not arrived in a few minutes, copy the link and "
            "share it yourself."
        )
        % {"email": body.email},
    )


@router.post("/family/invitations/{invitation_id}/revoke", dependencies=[CsrfChecked])
def revoke(invitation_id: RowId, family: WebFamily, db: DbSession):
    members.revoke_invitation(db, family, invitation_id)
    return redirect("/family/members", gettext("Invitation revoked: its link no longer works"))


@router.post("/family/members/{user_id}/remove", dependencies=[CsrfChecked])
def remove(user_id: RowId, family: WebFamily, db: DbSession):
    members.remove_member(db, family, user_id)
    if user_id == family.user.id:
        return redirect("/", gettext("You left the family"))
    return redirect("/family/members", gettext("Co-parent removed"))


@router.get("/join/{token}")
def join_page(token: Token, request: Request, db: DbSession, user: OptionalWebUser):
    owner = members.invitation_family(db, token)
    if owner is None:
        return render(request, "error.html", status_code=404, user=user, detail=gettext(members.INVITATION_GONE))
    return render(
        request,
        "join.html",
        user=user,
        token=token,
        family_name=members.family_name(db, owner.id),
        inviter=owner.name_or_email,
    )


@router.post("/join/{token}", dependencies=[CsrfChecked])
def join(token: Token, user: WebUser, db: DbSession):
    family = members.accept_invitation(db, user, token)
    return redirect("/", gettext("Welcome to %(family)s!") % {"family": members.family_name(db, family.id)})


@router.post("/join/{token}/signup", dependencies=[CsrfChecked])
def sign_up_and_join(
    token: Token, request: Request, db: DbSession, email: FormText, password: FormText, display_name: FormText = ""
):
    body = validated(SignUp, email=email, password=password, display_name=display_name.strip() or None)
    # A refused invitation refuses the sign-up: the request's rollback takes the account with it.
    # The family's time zone is the owner's: the co-parent's own stays UTC (unused while a member).
    user = accounts.sign_up(
        db,
        body.email,
        body.password,
        None,
        client_address(request),
        invitation_token=token,
        display_name=body.display_name,
    )
    family = family_of(db, user)
    response = redirect("/", gettext("Welcome to %(family)s!") % {"family": members.family_name(db, family.id)})
    start_session(response, user.id, user.token_epoch)
    return response
