"""Monitoring: /metrics, /api/admin/db-health, the slow-query log and `axolotly db explain`."""

import json
import logging

from sqlalchemy import text

from axolotly.config import get_settings
from axolotly.db import slow_queries
from axolotly.ops.stats import database_stats, read_figures
from tests.support.api import admin_headers, auth, sign_up
from tests.support.processes import run_axolotly


def metric_lines(client, prefix: str) -> list[str]:
    body = client.get("/metrics").text
    return [line for line in body.splitlines() if line.startswith(prefix)]


def test_metrics_label_requests_by_route_template_and_status(client):
    parent = sign_up(client)
    client.get("/api/parent/kids/999999", headers=auth(parent))
    client.get("/no/such/page")
    client.get("/healthz")
    lines = metric_lines(client, "axolotly_http_request_duration_seconds_count")
    assert any('route="/api/parent/kids/{kid_id}"' in line and 'status="404"' in line for line in lines), lines
    assert any('route="unmatched"' in line for line in lines)
    assert any('route="/healthz"' in line and 'status="200"' in line for line in lines)
    assert not any("999999" in line for line in lines)  # raw paths never become labels
    assert metric_lines(client, "axolotly_http_requests_in_flight")
    assert any('figure="checked_out",pool="orm"' in line for line in metric_lines(client, "axolotly_db_pool"))


def test_database_gauges_come_from_postgres_and_are_cached(client, count_statements, monkeypatch):
    monkeypatch.setenv("DB_STATS_CACHE_SECONDS", "60")
    get_settings.cache_clear()
    database_stats._snapshot = None
    try:
        first = client.get("/metrics").text
        second = client.get("/metrics").text
    finally:
        get_settings.cache_clear()
    for gauge in (
        "axolotly_db_cache_hit_ratio",
        "axolotly_db_connections",
        "axolotly_db_longest_query_seconds",
        "axolotly_db_lock_waits",
        "axolotly_db_replication_lag_seconds",
        "axolotly_db_jobs_queued",
        "axolotly_db_jobs_failed",
    ):
        assert f"\n{gauge} " in first, gauge
    assert 'axolotly_db_table_bytes{table="titles"}' in second
    health_queries = [s for s in count_statements.statements if "pg_stat_database" in s]
    assert len(health_queries) == 1  # two scrapes, one read of the statistics views


def test_metrics_token_when_configured(client, monkeypatch):
    monkeypatch.setenv("METRICS_TOKEN", "scrape-me")
    get_settings.cache_clear()
    try:
        assert client.get("/metrics").status_code == 401
        assert client.get("/metrics", headers={"Authorization": "Bearer scrape-me"}).status_code == 200
    finally:
        get_settings.cache_clear()


def test_db_health_is_for_admins_and_has_the_figures(client, db):
    parent = sign_up(client)
    assert client.get("/api/admin/db-health", headers=auth(parent)).status_code == 403
    assert client.get("/api/admin/db-health").status_code == 401
    database_stats._snapshot = None
    health = client.get(
        "/api/admin/db-health", headers=admin_headers(client, db, "monitoring-admin@example.com")
    ).json()
    assert 0 <= health["cache_hit_ratio"] <= 1 and health["connections"] >= 1
    assert health["table_bytes"]["users"] > 0
    assert health["slow_statements_source"] in ("pg_stat_statements", "slow_query_log")
    assert isinstance(health["slow_statements"], list) and health["replica_status"] == []


def test_slow_statements_are_logged_as_json_without_parameters(db, caplog, monkeypatch):
    monkeypatch.setenv("SLOW_QUERY_MS", "20")
    get_settings.cache_clear()
    try:
        with caplog.at_level(logging.WARNING, logger="axolotly.slow_query"):
            db.execute(text("SELECT pg_sleep(0.03), :secret AS p, 'literal-secret'"), {"secret": "hunter2"})
            db.execute(text("SELECT 1"))  # fast: not logged
    finally:
        get_settings.cache_clear()
    [record] = [r for r in caplog.records if r.name == "axolotly.slow_query"]
    entry = json.loads(record.getMessage())
    assert entry["event"] == "slow_query" and entry["duration_ms"] >= 20
    assert "pg_sleep" in entry["statement"]
    assert "hunter2" not in record.getMessage() and "literal-secret" not in record.getMessage()
    assert entry in slow_queries.slowest()


def test_health_figures_read_on_the_schema(engine):
    figures = read_figures(engine)
    assert figures["jobs_failed"] >= 0 and figures["database_bytes"] > 0


def test_explain_prints_the_analysed_plan_and_refuses_writes_and_batches(database_url):
    shown = run_axolotly("db", "explain", "SELECT * FROM titles WHERE tmdb_id = 123456")
    assert shown.returncode == 0, shown.stderr
    # The plan itself depends on the table's statistics (an analysed empty table is a seq scan).
    assert "Execution Time" in shown.stdout and "on titles" in shown.stdout and "Buffers" in shown.stdout
    write = run_axolotly("db", "explain", "DELETE FROM titles")
    assert write.returncode == 1 and "read-only transaction" in write.stderr
    batch = run_axolotly("db", "explain", "SELECT 1; DROP TABLE titles")
    assert batch.returncode == 1 and "exactly one statement" in batch.stderr
