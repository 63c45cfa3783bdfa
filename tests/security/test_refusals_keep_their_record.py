"""A refused attempt keeps what the request recorded about it (security/rate_limits.py `refuse`),
decided by the request's transaction owner (db/engine.py `end_request`), never by a service
commit; any other error rolls the request back."""

import pytest
from sqlalchemy import func, select, text

from axolotly.db.engine import get_session
from axolotly.errors import Invalid, TooManyRequests
from axolotly.models import AuditEvent
from axolotly.security import rate_limits
from tests.support.api import sign_up

MARKER = "test:refusal-record"


@pytest.fixture
def request_session(engine):
    """The app's own session dependency, driven as FastAPI drives it (an error is thrown into it),
    with one row written; the row is removed again after the test."""
    dependency = get_session()
    session = next(dependency)
    session.execute(
        text("INSERT INTO rate_limits (key, window_start, failures) VALUES (:key, now(), 1)"), {"key": MARKER}
    )
    yield dependency, session
    dependency.close()
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM rate_limits WHERE key = :key"), {"key": MARKER})


def stored(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(text("SELECT count(*) FROM rate_limits WHERE key = :key"), {"key": MARKER}).scalar()


def test_a_refusal_ending_the_request_commits_what_it_wrote(engine, request_session):
    dependency, session = request_session
    refusal = TooManyRequests("locked", retry_after_seconds=60)
    with pytest.raises(TooManyRequests):
        rate_limits.refuse(session, refusal)
    with pytest.raises(TooManyRequests):
        dependency.throw(refusal)
    assert stored(engine) == 1


def test_another_error_ending_the_request_rolls_it_back(engine, request_session):
    dependency, session = request_session
    with pytest.raises(TooManyRequests):
        rate_limits.refuse(session, TooManyRequests("locked", retry_after_seconds=60))
    with pytest.raises(Invalid):
        dependency.throw(Invalid("a later, different error"))  # not the refusal: nothing stands
    assert stored(engine) == 0


def test_an_error_without_a_refusal_rolls_the_request_back(engine, request_session):
    dependency, _ = request_session
    with pytest.raises(TooManyRequests):
        dependency.throw(TooManyRequests("locked", retry_after_seconds=60))
    assert stored(engine) == 0


def test_a_failed_api_log_in_keeps_its_audit_event(client, db):
    parent = sign_up(client)
    wrong = client.post("/api/parent/auth/login", json={"email": parent["email"], "password": "not the password"})
    assert wrong.status_code == 401
    assert (
        db.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.family_id == parent["id"], AuditEvent.action == "login_failed")
        )
        == 1
    )
