"""Secure by default: no signing key from the repository, production refuses insecure settings,
the admin API's map is not published in production, and a kid's session ends with their PIN."""

import json
import os
import re
import secrets
import stat
import subprocess
import sys
import time

import pytest
from pydantic import ValidationError
from sqlalchemy import create_engine, update
from sqlalchemy.orm import Session

from axolotly.config import PLACEHOLDER_SECRETS, Settings, get_settings
from axolotly.db.cluster import free_port
from axolotly.models import User
from axolotly.security import api_keys
from axolotly.security.installation_key import FILE_NAME
from axolotly.security.passwords import hash_secret
from axolotly.seed.demo import published_logins_in_use
from tests.support.api import admin_headers, auth
from tests.support.kid_pages import signed_in
from tests.support.pg import demo_database
from tests.support.processes import run_axolotly

PRODUCTION = {
    "ENV": "production",
    "JWT_SECRET": secrets.token_urlsafe(48),
    "COOKIE_SECURE": "true",
    "MAIL_URL": "smtp://mail.example",
    "METRICS_TOKEN": secrets.token_urlsafe(24),
}


def fresh_settings() -> Settings:
    """Settings as a new process would read them (a restart)."""
    get_settings.cache_clear()
    return get_settings()


@pytest.fixture
def unset_secret(monkeypatch, tmp_path):
    """A development installation in a home of its own, with no JWT_SECRET."""
    monkeypatch.setenv("ENV", "development")
    monkeypatch.setenv("AXOLOTLY_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("JWT_SECRET", raising=False)
    monkeypatch.delenv("DEVICE_KEY_SECRET", raising=False)
    yield tmp_path / "home"
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.fixture
def production(monkeypatch):
    for name, value in PRODUCTION.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


# -- the signing key -----------------------------------------------------------------------------


def test_without_jwt_secret_a_random_key_is_made_once_and_kept_private(unset_secret):
    key = fresh_settings().jwt_secret
    assert len(key) >= 32 and key not in PLACEHOLDER_SECRETS
    path = unset_secret / FILE_NAME
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text().strip() == key
    assert [p.name for p in unset_secret.iterdir()] == [FILE_NAME]  # no candidate left behind

    digest = api_keys.digest("a device key")  # DEVICE_KEY_SECRET falls back to the kept key
    assert fresh_settings().jwt_secret == key, "a restart signs with the same key"
    assert api_keys.digest("a device key") == digest, "devices keep working after a restart"


def test_no_two_installations_share_a_key(unset_secret, monkeypatch, tmp_path):
    first = fresh_settings().jwt_secret
    monkeypatch.setenv("AXOLOTLY_HOME", str(tmp_path / "another"))
    assert fresh_settings().jwt_secret != first


def test_processes_starting_together_agree_on_one_key(unset_secret):
    """The server, the worker and uvicorn's workers start at once: exactly one key wins."""
    start_at = time.time() + 3  # every process imports first, then all ask at the same instant
    script = (
        "import sys, time; from axolotly.config import Settings; "
        "time.sleep(max(0, float(sys.argv[1]) - time.time())); print(Settings().jwt_secret)"
    )
    env = {key: value for key, value in os.environ.items() if key != "JWT_SECRET"}
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(start_at)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(6)
    ]
    outputs = [process.communicate(timeout=60) for process in processes]
    assert all(process.returncode == 0 for process in processes), [err for _, err in outputs]
    keys = {out.strip() for out, _ in outputs}
    assert len(keys) == 1 and keys == {(unset_secret / FILE_NAME).read_text().strip()}
    assert [p.name for p in unset_secret.iterdir()] == [FILE_NAME]


def test_a_short_or_unreadable_key_file_is_refused_by_name(unset_secret):
    unset_secret.mkdir()
    (unset_secret / FILE_NAME).write_text("short\n")
    (unset_secret / FILE_NAME).chmod(0o600)
    with pytest.raises(ValidationError, match="secret-key holds fewer than"):
        Settings()


def test_a_key_file_others_can_read_is_refused(unset_secret):
    key = fresh_settings().jwt_secret  # made private
    (unset_secret / FILE_NAME).chmod(0o644)
    with pytest.raises(ValidationError, match="can be read by other users"):
        Settings()
    (unset_secret / FILE_NAME).chmod(0o600)
    assert fresh_settings().jwt_secret == key


@pytest.mark.parametrize("environment", ["development", "test", "production"])
def test_a_published_placeholder_is_refused_in_every_environment(monkeypatch, environment):
    for name, value in PRODUCTION.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("ENV", environment)
    monkeypatch.setenv("JWT_SECRET", "dev-only-insecure-secret-change-me")
    with pytest.raises(ValidationError, match="JWT_SECRET is a published placeholder"):
        Settings()


def test_the_suite_signs_with_a_key_of_its_own():
    assert len(get_settings().jwt_secret) >= 32 and get_settings().jwt_secret not in PLACEHOLDER_SECRETS


# -- what production refuses ---------------------------------------------------------------------


def test_production_starts_with_secure_settings(production):
    assert fresh_settings().env == "production"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("JWT_SECRET", None),
        ("JWT_SECRET", "x" * 31),
        ("DEVICE_KEY_SECRET", "x" * 31),
        ("COOKIE_SECURE", "false"),
        ("COOKIE_SECURE", None),
        ("MAIL_URL", None),
        ("MAIL_URL", "console://"),
        ("MAIL_URL", " console "),
        ("METRICS_TOKEN", None),
        ("METRICS_TOKEN", "x" * 31),
    ],
)
def test_production_refuses_an_insecure_setting_by_name(production, monkeypatch, name, value):
    if value is None:
        monkeypatch.delenv(name)
    else:
        monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError, match=f"- {name}"):
        Settings()


def test_a_public_metrics_endpoint_is_an_explicit_choice(production, monkeypatch):
    monkeypatch.delenv("METRICS_TOKEN")
    monkeypatch.setenv("METRICS_PUBLIC", "true")
    assert Settings().metrics_public


def test_the_server_refuses_to_start_and_says_which_setting(database_url):
    env = {**PRODUCTION, "DATABASE_URL": database_url, "COOKIE_SECURE": "false"}
    refused = run_axolotly("serve", "--port", str(free_port()), env=env, timeout=60)
    assert refused.returncode != 0 and "COOKIE_SECURE must be true" in refused.stderr


def test_production_will_not_serve_a_database_whose_demo_admin_has_the_published_password(server_url):
    seeded = demo_database(server_url, "axolotly_seeded_then_production")  # `make run` once, then ENV=production
    refused = run_axolotly("serve", "--port", str(free_port()), env={**PRODUCTION, "DATABASE_URL": seeded}, timeout=60)
    assert refused.returncode == 1 and "admin@axolotly.example" in refused.stderr and "published" in refused.stderr
    engine = create_engine(seeded)
    with Session(engine) as db, db.begin():
        db.execute(update(User).values(password_hash=hash_secret(secrets.token_urlsafe(16))))
        assert published_logins_in_use(db) == []
    engine.dispose()


def test_seed_demo_is_refused_in_production():
    # An unreachable database: the refusal comes before any connection.
    env = {**PRODUCTION, "DATABASE_URL": "postgresql://nobody:x@127.0.0.1:1/none"}
    refused = run_axolotly("seed-demo", env=env, timeout=60)
    assert refused.returncode == 1 and "seed-demo is refused with ENV=production" in refused.stderr
    assert "demo logins" not in refused.stdout


# -- the published API map ------------------------------------------------------------------------


def published_paths(client) -> set[str]:
    return set(client.get("/openapi.json").json()["paths"])


def test_the_admin_api_is_published_outside_production(client):
    paths = published_paths(client)
    assert "/api/admin/tags" in paths and "/api/admin/ota/releases" in paths


def test_production_publishes_the_launcher_and_parent_apis_but_not_the_admin_api(production, client, db):
    paths = published_paths(client)
    assert not [path for path in paths if path.startswith("/api/admin")]
    assert "/api/apps" in paths and "/api/parent/kids" in paths
    document = client.get("/openapi.json").json()
    schemas = document["components"]["schemas"]
    assert "TagIn" not in schemas and "ReleaseCreate" not in schemas  # the admin API's own schemas
    refs = set(re.findall(r'"#/components/schemas/([^"]+)"', json.dumps(document)))
    assert refs and refs <= set(schemas), "every schema the published API names is there"
    assert client.get("/docs").status_code == 200
    assert client.get("/api/admin/tags", headers=admin_headers(client, db)).status_code == 200  # still served


# -- smaller ones ---------------------------------------------------------------------------------


def test_a_non_ascii_metrics_authorization_is_a_401(client, monkeypatch):
    monkeypatch.setenv("METRICS_TOKEN", "scrape-me")
    get_settings.cache_clear()
    try:
        response = client.get("/metrics", headers={"Authorization": "Bearer é-scrape-me".encode()})
        assert response.status_code == 401 and response.json()["detail"] == "Metrics token required"
        monkeypatch.setenv("METRICS_TOKEN", "é-scrape-me")  # a token may hold any character
        get_settings.cache_clear()
        assert client.get("/metrics", headers={"Authorization": "Bearer é-scrape-me".encode()}).status_code == 200
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


def test_a_new_pin_ends_the_kids_web_launcher_session(client, family):  # noqa: F811 (the fixture)
    emma, parent = family["emma"], family["parent"]
    browser = signed_in(client, family)
    launcher = f"/kids/{emma['id']}/launcher"
    assert "Emma's shows" in browser.get(launcher).text
    # The same digits again: still a new PIN (a new hash), and the cookie earned before ends.
    assert (
        client.put(f"/api/parent/kids/{emma['id']}/pin", json={"pin": "1234"}, headers=auth(parent)).status_code == 204
    )
    ended = browser.get(launcher, follow_redirects=False)
    assert ended.status_code == 303 and ended.headers["location"] == f"/kids/{emma['id']}/pin"
    leo = signed_in(client, family, kid="leo", pin="5678")
    assert "Leo's shows" in leo.get(f"/kids/{family['leo']['id']}/launcher").text  # other kids go on
