from fastapi import APIRouter, Request, status
from fastapi.responses import JSONResponse

from axolotly.accounts import service
from axolotly.accounts.deps import CurrentUser, DbSession
from axolotly.accounts.schemas import AccessToken, Credentials, DeleteAccount, SignUp, UserOut
from axolotly.security.client import client_address
from axolotly.security.tokens import issue_access_token

router = APIRouter(prefix="/api/parent", tags=["accounts"])

INVALID_LOGIN = {"detail": "Invalid email or password"}


@router.post("/auth/signup", status_code=status.HTTP_201_CREATED, response_model=UserOut)
def sign_up(body: SignUp, request: Request, db: DbSession):
    """Create a parent account (admins are created with `axolotly users create-admin`)."""
    return service.sign_up(db, body.email, body.password, body.family_name, client_address(request))


@router.post("/auth/login", response_model=AccessToken,
             responses={401: {"description": "Wrong email or password"}, 429: {"description": "Throttled"}})
def log_in(body: Credentials, request: Request, db: DbSession):
    user = service.authenticate(db, body.email, body.password, client_address(request))
    if user is None:
        # A response, not an exception: the audit event of the failure must be committed.
        return JSONResponse(INVALID_LOGIN, status_code=401)
    token, expires_in = issue_access_token(user.id, user.role)
    return AccessToken(access_token=token, expires_in=expires_in)


@router.get("/me", response_model=UserOut)
def me(user: CurrentUser):
    return user


@router.delete("/me", status_code=status.HTTP_204_NO_CONTENT)
def delete_me(body: DeleteAccount, user: CurrentUser, db: DbSession) -> None:
    """Delete the account and everything of the family (kids, policies, devices, codes, reports)."""
    service.delete_account(db, user, body.password)
