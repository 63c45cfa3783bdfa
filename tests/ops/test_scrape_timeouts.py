"""Scrapes never hang: a locked table makes the figures stale, never the scrape slow."""

import re
import time
from contextlib import contextmanager

import httpx
import psycopg

from tests.support.api import admin_headers
from tests.support.pages import log_in
from tests.support.pg import libpq_url
from tests.support.processes import live_server


@contextmanager
def table_locked(database_url: str, table: str):
    """Another session holds an ACCESS EXCLUSIVE lock (e.g. a long ALTER TABLE or VACUUM FULL)."""
    with psycopg.connect(libpq_url(database_url)) as holder:
        holder.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
        try:
            yield
        finally:
            holder.rollback()


def metric(body: str, name: str) -> float | None:
    match = re.search(rf"^{re.escape(name)} (\S+)$", body, re.MULTILINE)
    return float(match.group(1)) if match else None


def test_a_scrape_answers_within_a_second_while_a_table_is_locked(database_url):
    with live_server(database_url, env={"DB_STATS_CACHE_SECONDS": "0"}) as base:
        before = httpx.get(f"{base}/metrics").text
        assert metric(before, "axolotly_db_stats_stale") == 0
        titles_bytes = metric(before, 'axolotly_db_table_bytes{table="titles"}')
        assert titles_bytes is not None

        with table_locked(database_url, "titles"):
            started = time.monotonic()
            during = httpx.get(f"{base}/metrics", timeout=10)
            elapsed = time.monotonic() - started
            assert during.status_code == 200
            assert elapsed < 1.0, f"scrape took {elapsed:.2f} s"
            body = during.text
            assert metric(body, "axolotly_db_stats_stale") == 1
            assert metric(body, 'axolotly_db_table_bytes{table="titles"}') == titles_bytes  # the last good value
            assert metric(body, "axolotly_db_connections") >= 2  # live figures still fresh: the holder is there
            assert metric(body, "axolotly_db_lock_waits") is not None

        after = httpx.get(f"{base}/metrics").text
        assert metric(after, "axolotly_db_stats_stale") == 0


def test_db_health_says_which_figures_are_stale(client, db, database_url, uncached):
    headers = admin_headers(client, db, "stale-figures-admin@example.com")
    db.commit()  # the admin's rows must not hold locks the holder waits for
    assert log_in(client, "stale-figures-admin@example.com").status_code == 303  # for the page
    first = client.get("/api/admin/db-health", headers=headers).json()
    assert first["stale"] is False and first["stale_parts"] == [] and first["table_bytes"]["titles"] > 0

    with table_locked(database_url, "titles"):
        started = time.monotonic()
        health = client.get("/api/admin/db-health", headers=headers).json()
        assert time.monotonic() - started < 1.0
        page = client.get("/admin/db-health").text
    assert health["stale"] is True and health["stale_parts"] == ["tables"]
    assert "lock timeout" in health["stale_reasons"]["tables"]
    assert health["table_bytes"] == first["table_bytes"]  # last good values, not blanks
    assert health["connections"] >= 1  # the activity part was read fresh
    assert health["taken_at"] == first["taken_at"]  # the oldest figure shown is from the first read
    assert "Stale figures: tables could not be read just now" in page and "lock timeout" in page

    after = client.get("/api/admin/db-health", headers=headers).json()
    assert after["stale"] is False and after["taken_at"] > first["taken_at"]


def test_figures_before_any_good_read_are_absent_not_zero(monkeypatch, uncached):
    """Database unreachable from the start: the scrape still answers, without invented zeros."""
    from sqlalchemy import create_engine

    unreachable = create_engine("postgresql+psycopg://nobody:none@127.0.0.1:1/none")
    snapshot = uncached.snapshot(unreachable)
    assert snapshot["stale"] is True and set(snapshot["stale_parts"]) == {"activity", "tables", "statements"}
    assert snapshot["connections"] is None and snapshot["table_bytes"] == {} and snapshot["taken_at"] is None
