"""Issue 23: parents named by their display name (email as fallback), invitations mailed through a
real SMTP server after the commit, the grouped time-zone picker and the sign-up's zone, the log-in
page saying a password change ended the session, and the mail a password change sends."""

import re

import pytest
from sqlalchemy import func, select

from axolotly.config import get_settings
from axolotly.families.time_zones import REGIONS, zone_groups
from axolotly.models import FamilyInvitation, FamilyTitle, TitleRequest, User
from tests.support.api import PASSWORD, add_kid, auth, invite, join, sign_up
from tests.support.factories import make_title
from tests.support.mailbox import local_smtp_server
from tests.support.pages import csrf, log_in

NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture
def inbox(monkeypatch):
    with local_smtp_server() as server:
        monkeypatch.setenv("MAIL_URL", server.mail_url)
        get_settings.cache_clear()
        yield server
        monkeypatch.undo()
        get_settings.cache_clear()


def form(client, path: str, page: str, **fields):
    return client.post(
        path,
        data={**fields, "csrf_token": csrf(client, page)},
        headers={"referer": f"http://testserver{page}"},
        follow_redirects=False,
    )


def name_parent(client, parent, name):
    response = client.put("/api/parent/me/name", json={"display_name": name}, headers=auth(parent))
    assert response.status_code == 200, response.text
    return response.json()


def session_cookie(client) -> str:
    return next(cookie.value for cookie in client.cookies.jar if cookie.name == "axolotly_web")


def use_session(client, cookie: str) -> None:
    """This client now holds another browser's session cookie."""
    client.cookies.delete("axolotly_web")
    client.cookies.set("axolotly_web", cookie)


# -- display names ---------------------------------------------------------------------------------


def test_a_display_name_replaces_the_email_on_members_activity_and_answered_requests(client, db):
    family = sign_up(client)
    partner = join(client, family)
    assert name_parent(client, family, "Maria")["display_name"] == "Maria"
    name_parent(client, partner, "  ")  # blank: named by the email
    add_kid(client, family, "Emma")

    log_in(client, partner["email"])
    members_page = client.get("/family/members").text
    assert "Maria" in members_page and family["email"] in members_page  # the email stays, beneath the name
    assert partner["email"] in members_page
    activity = client.get("/family/activity").text
    assert re.search(r'data-label="Who">Maria<', activity), "the trail names Maria, not her email"
    assert not re.search(rf'data-label="Who">{re.escape(family["email"])}<', activity)

    api_members = client.get("/api/parent/family/members", headers=auth(partner)).json()
    assert [m["display_name"] for m in api_members] == ["Maria", None]


def test_answered_requests_say_who_answered_by_name(client, db):
    parent = sign_up(client)
    name_parent(client, parent, "Dad")
    kid = add_kid(client, parent, "Emma")
    title = make_title(db, title="Bluey")
    db.add(FamilyTitle(family_id=parent["id"], title_id=title.id))
    db.add(TitleRequest(family_id=parent["id"], kid_profile_id=kid["id"], title_id=title.id, status="open"))
    db.flush()
    log_in(client, parent["email"])
    request_id = db.scalar(select(TitleRequest.id))
    assert form(client, f"/family/requests/{request_id}/decline", "/family/requests").status_code == 303
    page = client.get("/family/requests").text
    assert re.search(r"\(by Dad, ", page)
    assert "Dad declined Emma" in client.get("/family/activity").text


def test_a_name_is_set_at_sign_up_and_on_the_account_page_and_bad_names_are_4xx(client, db):
    page = client.get("/signup")
    response = client.post(
        "/signup",
        data={
            "email": "named@example.com",
            "password": PASSWORD,
            "display_name": "Sam",
            "time_zone": "Europe/Berlin",
            "csrf_token": csrf(client, "/signup"),
        },
        headers={"referer": "http://testserver/signup"},
        follow_redirects=False,
    )
    assert page.status_code == 200 and response.status_code == 303
    user = db.scalar(select(User).where(User.email == "named@example.com"))
    assert (user.display_name, user.time_zone) == ("Sam", "Europe/Berlin")

    assert form(client, "/account/name", "/account", display_name="Samira").status_code == 303
    db.refresh(user)
    assert user.display_name == "Samira"
    assert "Signed in as <strong>Samira</strong>" in client.get("/account").text
    too_long = form(client, "/account/name", "/account", display_name="x" * 101)
    assert too_long.status_code in (303, 422)
    db.refresh(user)
    assert user.display_name == "Samira"
    assert form(client, "/account/name", "/account", display_name="").status_code == 303
    db.refresh(user)
    assert user.display_name is None
    bad = client.put("/api/parent/me/name", json={"display_name": "a\x00b"}, headers=auth(sign_up(client)))
    assert bad.status_code == 422


# -- time zones ------------------------------------------------------------------------------------


def test_the_picker_groups_canonical_place_zones_by_region_and_leaves_odd_names_out(client):
    groups = zone_groups()
    assert [group.region for group in groups] == list(REGIONS)
    keys = {zone.key for group in groups for zone in group.zones}
    assert {"Europe/Berlin", "America/Argentina/Buenos_Aires", "Asia/Kolkata", "Pacific/Auckland"} <= keys
    assert not keys & {"Factory", "localtime", "W-SU", "US/Eastern", "Asia/Calcutta", "Etc/GMT+3", "posixrules"}
    kolkata = next(zone for group in groups for zone in group.zones if zone.key == "Asia/Kolkata")
    assert "Asia/Calcutta" in kolkata.aliases  # what browsers still report

    page = client.get("/signup").text
    assert '<optgroup label="Europe">' in page and '<option value="UTC" selected>' in page
    assert "data-browser-zone" in page and "so UTC is picked" in page  # said, not silent, without JS
    assert 'value="Factory"' not in page and 'value="W-SU"' not in page and 'value="localtime"' not in page


def test_the_account_page_keeps_an_old_zone_name_and_refuses_unknown_ones(client, db):
    parent = sign_up(client)
    assert client.put("/api/parent/family", json={"time_zone": "US/Eastern"}, headers=auth(parent)).status_code == 200
    log_in(client, parent["email"])
    page = client.get("/account").text
    assert '<optgroup label="Current">' in page and '<option value="US/Eastern" selected>' in page
    saved = form(client, "/account/family", "/account", family_name="The Zones", time_zone="America/New_York")
    assert saved.status_code == 303
    assert db.get(User, parent["id"]).time_zone == "America/New_York"

    refused = client.post(
        "/signup",
        data={"email": "zone@example.com", "password": PASSWORD, "time_zone": "Mars/Olympus"},
        headers={"referer": "http://testserver/signup"},
        cookies={},
    )
    assert refused.status_code in (400, 403, 422)
    assert db.scalar(select(func.count()).select_from(User).where(User.email == "zone@example.com")) == 0


# -- invitations by mail ---------------------------------------------------------------------------


def test_an_invitation_is_mailed_with_who_which_family_the_link_and_its_expiry(client, db, inbox):
    owner = sign_up(client)
    name_parent(client, owner, "Maria")
    client.put("/api/parent/family", json={"family_name": "The Axolotls"}, headers=auth(owner))
    log_in(client, owner["email"])
    made = form(client, "/family/invitations", "/family/members")
    assert made.status_code == 201
    link = re.search(r'<code id="invitation-link">([^<]+)</code>', made.text)[1]
    token = re.search(r'name="token" value="([^"]+)"', made.text)[1]
    assert link.endswith(f"/join/{token}") and 'data-copy="invitation-link"' in made.text

    sent = form(client, "/family/invitations/mail", "/family/members", email="grandma@example.com", token=token)
    assert (
        sent.status_code == 303
        and "Sending the invitation to grandma@example.com" in client.get("/family/members").text
    )
    assert len(inbox.messages) == 1
    message = inbox.messages[0]
    body = message.get_content()
    assert message["To"] == "grandma@example.com"
    assert "Maria" in message["Subject"] and "The Axolotls" in message["Subject"]
    assert link in body and "Maria" in body and "The Axolotls" in body
    expires = db.scalar(select(FamilyInvitation.expires_at))
    assert f"{expires:%d %B %Y}" in body and "UTC" in body

    # The mailed link works: the grandma signs up on it and joins.
    page = client.get(link.removeprefix("http://testserver"))
    assert "Maria invited you" in page.text


def test_mailing_an_invitation_refuses_bad_input_and_other_families_tokens(client, db, inbox):
    owner, other = sign_up(client), sign_up(client)
    foreign_token = invite(client, other)["token"]
    log_in(client, owner["email"])
    token = re.search(r'name="token" value="([^"]+)"', form(client, "/family/invitations", "/family/members").text)[1]
    for fields in (
        {"email": "not an address", "token": token},
        {"email": "a@example.com", "token": foreign_token},
        {"email": "a@example.com", "token": "x" * 101},
        {"email": "a@example.com", "token": "nope"},
    ):
        response = form(client, "/family/invitations/mail", "/family/members", **fields)
        assert 300 <= response.status_code < 500, (fields, response.status_code)
    assert inbox.messages == []


# -- password changes ------------------------------------------------------------------------------


def test_a_password_change_mails_a_notice_and_tells_ended_sessions_why(client, db, inbox):
    parent = sign_up(client)
    log_in(client, parent["email"])
    other_browser = session_cookie(client)
    changed = form(client, "/account/password", "/account", current_password=PASSWORD, new_password=NEW_PASSWORD)
    assert changed.status_code == 303
    assert len(inbox.messages) == 1
    notice = inbox.messages[0]
    assert notice["To"] == parent["email"] and "password was changed" in notice["Subject"]
    assert "If it was not you" in notice.get_content() and "Forgot password?" in notice.get_content()

    use_session(client, other_browser)
    refused = client.get("/family/kids", follow_redirects=False)
    assert refused.headers["location"] == "/login?next=/family/kids&reason=password-changed"
    assert "You were signed out because the password was changed" in client.get(refused.headers["location"]).text

    # Signing out everywhere is no password change: the log-in page says nothing of the kind.
    client.cookies.clear()
    log_in(client, parent["email"], NEW_PASSWORD)
    stale = session_cookie(client)
    form(client, "/account/sign-out-everywhere", "/account")
    use_session(client, stale)
    assert client.get("/family/kids", follow_redirects=False).headers["location"] == "/login?next=/family/kids"
    assert "password was changed" not in client.get("/login?reason=unknown").text


def test_the_api_password_change_mails_the_notice_too(client, inbox):
    parent = sign_up(client)
    response = client.put(
        "/api/parent/me/password",
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers=auth(parent),
    )
    assert response.status_code == 200
    assert [message["To"] for message in inbox.messages] == [parent["email"]]


# -- issue 23 review: invitation mails ------------------------------------------------------------


def made_invitation_token(client) -> str:
    made = form(client, "/family/invitations", "/family/members")
    return re.search(r'name="token" value="([^"]+)"', made.text)[1]


def mail_invitation(client, token: str, email: str, host: str = "testserver"):
    """`host`: the Host header an owner may send (the form's Referer follows it, as a browser's would)."""
    return client.post(
        "/family/invitations/mail",
        data={"email": email, "token": token, "csrf_token": csrf(client, "/family/members")},
        headers={"host": host, "referer": f"http://{host}/family/members"},
        follow_redirects=False,
    )


def test_a_mailed_invitation_never_links_to_the_requests_host(client, inbox, monkeypatch):
    owner = sign_up(client)
    log_in(client, owner["email"])
    token = made_invitation_token(client)
    monkeypatch.setattr(get_settings(), "public_url", "https://axolotly.example/")
    assert mail_invitation(client, token, "a@example.com", host="evil.example").status_code == 303
    assert f"https://axolotly.example/join/{token}" in inbox.messages[0].get_content()
    assert "evil.example" not in inbox.messages[0].get_content()

    # Production without PUBLIC_URL builds no link at all (as password reset): nothing is mailed.
    monkeypatch.setattr(get_settings(), "public_url", None)
    monkeypatch.setattr(get_settings(), "env", "production")
    refused = mail_invitation(client, token, "b@example.com", host="evil.example")
    assert refused.status_code in (303, 503) and len(inbox.messages) == 1
    assert client.post("/api/parent/family/invitations", headers=auth(owner)).status_code == 503


def test_invitation_mails_are_throttled_per_recipient_and_overall(client, inbox, monkeypatch):
    from axolotly.families import members

    owner = sign_up(client)
    log_in(client, owner["email"])
    token = made_invitation_token(client)

    def refused(response) -> bool:  # the page answers a 429 by going back with the reason
        return "Too many invitation mails" in client.get(response.headers["location"]).text

    answers = [refused(mail_invitation(client, token, "Grandma@Example.com")) for _ in range(4)]
    assert answers == [False, False, False, True]
    assert len(inbox.messages) == 3

    # Another family cannot add to the same mailbox either; and the global budget holds for all.
    other = sign_up(client)
    log_in(client, other["email"])
    other_token = made_invitation_token(client)
    assert refused(mail_invitation(client, other_token, "grandma@example.com"))
    monkeypatch.setattr(members, "INVITATION_MAILS_PER_HOUR_OVERALL", 4)
    assert not refused(mail_invitation(client, other_token, "uncle@example.com"))
    assert refused(mail_invitation(client, other_token, "aunt@example.com"))
    assert len(inbox.messages) == 4


@pytest.mark.parametrize("bad", ["Maria\nBcc: victim@example.com", "Ma\rria", "Ma\tria", "Ma\u2028ria", "M\x85x"])
def test_names_with_control_characters_are_refused_at_input(client, bad):
    owner = sign_up(client)
    assert client.put("/api/parent/me/name", json={"display_name": bad}, headers=auth(owner)).status_code == 422
    assert client.put("/api/parent/family", json={"family_name": bad}, headers=auth(owner)).status_code == 422
    signed_up = client.post(
        "/api/parent/auth/signup",
        json={"email": "line@example.com", "password": PASSWORD, "display_name": bad, "family_name": "Fine"},
    )
    assert signed_up.status_code == 422
    signed_up = client.post(
        "/api/parent/auth/signup", json={"email": "line@example.com", "password": PASSWORD, "family_name": bad}
    )
    assert signed_up.status_code == 422


def test_an_old_name_with_a_line_break_still_makes_a_valid_mail(client, db, inbox):
    owner = sign_up(client)
    db.execute(select(User).where(User.email == owner["email"])).scalar_one().family_name = "The\nAxolotls"
    db.flush()
    log_in(client, owner["email"])
    assert mail_invitation(client, made_invitation_token(client), "a@example.com").status_code == 303
    assert inbox.messages[0]["Subject"].endswith("The Axolotls on Axolotly")


def test_a_failed_invitation_mail_is_not_claimed_as_sent(client, monkeypatch, caplog):
    owner = sign_up(client)
    log_in(client, owner["email"])
    token = made_invitation_token(client)
    monkeypatch.setenv("MAIL_URL", "smtp://127.0.0.1:1")  # nothing listens: the mail cannot leave
    get_settings.cache_clear()
    try:
        sent = mail_invitation(client, token, "a@example.com")
        page = client.get("/family/members").text
        assert "Invitation sent" not in page and "Sending the invitation" in page and "share it yourself" in page
        assert "Could not send mail" in caplog.text

        monkeypatch.setenv("MAIL_URL", "carrier-pigeon://x")  # unusable: said at once, nothing spent
        get_settings.cache_clear()
        refused = mail_invitation(client, token, "b@example.com")
        assert "could not be mailed" in client.get(refused.headers["location"]).text
    finally:
        monkeypatch.delenv("MAIL_URL")
        get_settings.cache_clear()
    assert sent.status_code == 303
