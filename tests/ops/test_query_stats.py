"""Query times from PostgreSQL itself: pg_stat_statements on the embedded cluster, top statements
by total and by mean time on db-health and /metrics, the server's own slow-statement log."""

import re

from sqlalchemy import text

from axolotly.config import get_settings
from axolotly.ops import stats
from tests.support.api import admin_headers
from tests.support.pages import log_in

PROBE = "SELECT pg_sleep(:seconds) AS axolotly_probe_statement"


def test_the_embedded_cluster_preloads_pg_stat_statements_and_logs_slow_statements(engine):
    with engine.connect() as connection:
        settings = dict(
            connection.execute(
                text(
                    "SELECT name, setting FROM pg_settings WHERE name IN "
                    "('shared_preload_libraries', 'log_min_duration_statement')"
                )
            ).all()
        )
    assert "pg_stat_statements" in settings["shared_preload_libraries"]
    assert settings["log_min_duration_statement"] == str(int(get_settings().slow_query_ms))  # milliseconds


def test_top_statements_by_total_and_by_mean_time(client, db, engine, uncached):
    with engine.begin() as connection:
        stats.read_figures(engine)  # creates the extension where the server preloads it
        connection.execute(text("SELECT pg_stat_statements_reset()"))
    with engine.connect() as connection:
        for seconds in (0.15, 0.15, 0.15):  # the largest total
            connection.execute(text(PROBE), {"seconds": seconds})
        connection.execute(text("SELECT pg_sleep(0.3) AS axolotly_slowest_once"))  # the largest mean

    headers = admin_headers(client, db, "query-stats-admin@example.com")
    health = client.get("/api/admin/db-health", headers=headers).json()
    assert health["statements_source"] == "pg_stat_statements"
    by_total, by_mean = health["statements_by_total"], health["statements_by_mean"]
    assert "axolotly_probe_statement" in by_total[0]["statement"], by_total[:2]
    assert by_total[0]["calls"] == 3 and by_total[0]["total_ms"] >= 450
    assert "axolotly_slowest_once" in by_mean[0]["statement"] and by_mean[0]["mean_ms"] >= 300
    assert by_total[0]["statement"] != by_total[1]["statement"]

    body = client.get("/metrics").text
    probe = [
        line
        for line in body.splitlines()
        if line.startswith("axolotly_db_statement_calls{") and "axolotly_probe_statement" in line
    ]
    assert any('order="total"' in line and line.endswith(" 3.0") for line in probe), probe
    mean = re.search(
        r'^axolotly_db_statement_mean_seconds\{order="mean",queryid="[-\d]+",'
        r'statement="SELECT pg_sleep\(\$1\) AS axolotly_slowest_once"\} (\S+)$',
        body,
        re.MULTILINE,
    )
    assert mean and float(mean.group(1)) >= 0.3

    db.commit()
    log_in(client, "query-stats-admin@example.com")
    page = client.get("/admin/db-health").text
    assert "Top statements by total time" in page and "Top statements by mean time" in page
    assert "axolotly_probe_statement" in page


def test_the_extension_is_created_where_the_server_preloads_it(engine, uncached, monkeypatch):
    """No migration depends on it (a managed server may lack it): the statistics read creates it."""
    monkeypatch.setattr(stats, "_create_refused", False)
    with engine.begin() as connection:
        connection.execute(text("DROP EXTENSION IF EXISTS pg_stat_statements"))
    snapshot = uncached.snapshot(engine)
    assert snapshot["statements_source"] == "pg_stat_statements" and not snapshot["stale"]
    with engine.connect() as connection:
        assert connection.execute(text("SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements'")).scalar()


def test_without_pg_stat_statements_the_slow_query_log_is_shown(engine, uncached, monkeypatch):
    """A server that does not preload the library (or refuses the extension): the app's own log."""
    monkeypatch.setattr(stats, "PRELOADED_SQL", text("SELECT false AS preloaded, false AS installed"))
    snapshot = uncached.snapshot(engine)
    assert snapshot["statements_source"] == "none" and snapshot["slow_statements_source"] == "slow_query_log"
    assert snapshot["statements_by_total"] == [] and not snapshot["stale"]
