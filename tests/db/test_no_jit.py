"""Migration 0038: the app's statements are never JIT-compiled (seconds of compiling for a
statement that runs in milliseconds: docs/operations.md "JIT off")."""

from sqlalchemy import text


def test_every_new_session_of_the_database_runs_without_jit(engine):
    with engine.connect() as connection:
        assert connection.execute(text("SHOW jit")).scalar_one() == "off"
