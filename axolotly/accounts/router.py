from fastapi import APIRouter, BackgroundTasks, Request, status

from axolotly import mail
from axolotly.accounts import password_reset, service
from axolotly.accounts.deps import CurrentUser, DbSession
from axolotly.accounts.schemas import (
    AccessToken,
    Credentials,
    DeleteAccount,
    EmailChange,
    LanguageChange,
    Message,
    NameChange,
    PasswordChange,
    PasswordReset,
    PasswordResetRequest,
    SignUp,
    UserOut,
)
from axolotly.security.client import client_address

router = APIRouter(prefix="/api/parent", tags=["accounts"])


def _access_token(user) -> AccessToken:
    token, expires_in = service.issue_access_token(user)
    return AccessToken(access_token=token, expires_in=expires_in)


@router.post(
    "/auth/signup",
    status_code=status.HTTP_201_CREATED,
    response_model=UserOut,
    responses={
        404: {"description": "Unknown, used or expired invitation"},
        409: {"description": "Email taken, or the invitation cannot be accepted"},
    },
)
def sign_up(body: SignUp, request: Request, db: DbSession):
    """Create a parent account (admins are created with `axolotly users create-admin`); with an
    `invitation_token`, the account joins that family as a co-parent, or is not created."""
    return service.sign_up(
        db,
        body.email,
        body.password,
        body.family_name,
        client_address(request),
        body.invitation_token,
        display_name=body.display_name,
        country=body.country,
    )


@router.post(
    "/auth/login",
    response_model=AccessToken,
    responses={401: {"description": "Wrong email or password"}, 429: {"description": "Throttled"}},
)
def log_in(body: Credentials, request: Request, db: DbSession):
    return _access_token(service.authenticate(db, body.email, body.password, client_address(request)))


@router.post(
    "/auth/password-reset",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=Message,
    responses={
        429: {"description": "Throttled (per address and per email)"},
        503: {"description": "Production without PUBLIC_URL"},
    },
)
def request_password_reset(body: PasswordResetRequest, request: Request, db: DbSession, mails: BackgroundTasks):
    """Mails a single-use link valid one hour, if the address has an account; the answer is the
    same either way (it never tells whether an account exists)."""
    reset = password_reset.request_reset(db, body.email, client_address(request), str(request.base_url))
    if reset is not None:
        mails.add_task(mail.send_quietly, reset)
    return Message(detail=password_reset.SENT)


@router.post(
    "/auth/password-reset/confirm",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={400: {"description": "Expired, used or unknown link"}},
)
def reset_password(body: PasswordReset, db: DbSession) -> None:
    """Sets the new password from the emailed link's token; every session of the account ends."""
    password_reset.reset_password(db, body.token, body.new_password)


@router.get("/me", response_model=UserOut)
def me(user: CurrentUser):
    return user


@router.put(
    "/me/password",
    response_model=AccessToken,
    responses={401: {"description": "Wrong current password"}, 429: {"description": "Throttled"}},
)
def change_password(body: PasswordChange, user: CurrentUser, db: DbSession, mails: BackgroundTasks):
    """Change the password. Every older token and page session of the account stops working; the
    answer is a fresh access token for the client that asked, so it stays signed in. The account's
    address gets a notice (after the commit)."""
    mails.add_task(mail.send_quietly, service.change_password(db, user, body.current_password, body.new_password))
    return _access_token(user)


@router.put("/me", response_model=UserOut, responses={422: {"description": "Unknown language"}})
def update_me(body: LanguageChange, user: CurrentUser, db: DbSession):
    """This parent's own settings: the language of their pages and emails (null: the browser's).
    The family's country is the family's: PUT /api/parent/family."""
    service.change_language(db, user, body.language)
    return user


@router.put("/me/name", response_model=UserOut)
def change_name(body: NameChange, user: CurrentUser, db: DbSession):
    """How co-parents, the activity trail and answered requests name this parent; null or blank:
    by the email."""
    service.change_display_name(db, user, body.display_name)
    return user


@router.put(
    "/me/email",
    response_model=UserOut,
    responses={
        401: {"description": "Wrong password"},
        409: {"description": "Email taken"},
        429: {"description": "Throttled"},
    },
)
def change_email(body: EmailChange, user: CurrentUser, db: DbSession, mails: BackgroundTasks):
    """Change the sign-in email (the password confirms it); the old address is told."""
    notice = service.change_email(db, user, body.password, body.email)
    if notice is not None:
        mails.add_task(mail.send_quietly, notice)
    return user


@router.post("/me/sign-out-everywhere", status_code=status.HTTP_204_NO_CONTENT)
def sign_out_everywhere(user: CurrentUser, db: DbSession) -> None:
    """Every token and page session of the account stops working, this one included."""
    service.sign_out_everywhere(db, user)


@router.delete("/me", status_code=status.HTTP_204_NO_CONTENT)
def delete_me(body: DeleteAccount, user: CurrentUser, db: DbSession) -> None:
    """Delete the account. The owner's takes the family with it (kids, policies, devices, codes,
    reports, co-parents' membership); a co-parent's removes only their own account."""
    service.delete_account(db, user, body.password)
