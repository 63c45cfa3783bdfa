def test_healthz_reports_database_connectivity(database_url):
    from fastapi.testclient import TestClient

    from axolotly.main import create_app

    with TestClient(create_app()) as client:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_openapi_docs_are_served(client):
    assert client.get("/docs").status_code == 200
    assert client.get("/openapi.json").json()["info"]["title"] == "Axolotly"


def test_production_refuses_placeholder_jwt_secret(monkeypatch):
    import pytest
    from pydantic import ValidationError

    from axolotly.config import Settings

    monkeypatch.setenv("ENV", "production")
    for name, value in {"COOKIE_SECURE": "true", "MAIL_URL": "smtp://mail.example", "METRICS_PUBLIC": "true"}.items():
        monkeypatch.setenv(name, value)  # production's other refusals: tests/security/test_secure_defaults.py
    monkeypatch.delenv("JWT_SECRET", raising=False)
    with pytest.raises(ValidationError, match="JWT_SECRET"):
        Settings()
    monkeypatch.setenv("JWT_SECRET", "changeme")
    with pytest.raises(ValidationError, match="JWT_SECRET"):
        Settings()
    monkeypatch.setenv("JWT_SECRET", "x" * 40)
    assert Settings().env == "production"
