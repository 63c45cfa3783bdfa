"""Backups through the real CLI: pg_dump, list, restore into a fresh database, identical tables."""

import os
import stat
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from axolotly.ops.backups import PREFIX, STAMP, SUFFIX, list_backups, prune_backups, take_backup
from tests.support.pg import demo_database, libpq_url, recreate_database
from tests.support.processes import run_axolotly


def table_fingerprints(url: str) -> dict[str, tuple[int, str]]:
    """Row count and md5 of every public table's rows in a fixed order."""
    with psycopg.connect(libpq_url(url)) as connection:
        tables = [
            row[0]
            for row in connection.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
        ]
        return {
            table: connection.execute(
                f"SELECT count(*), md5(COALESCE(string_agg(t::text, ',' ORDER BY t::text), '')) FROM \"{table}\" t"
            ).fetchone()
            for table in tables
        }


@pytest.fixture
def filled_database(server_url):
    return demo_database(server_url, "axolotly_backup_source")


def test_backup_then_restore_into_a_fresh_database_gives_identical_tables(filled_database, server_url, tmp_path):
    env = {"DATABASE_URL": filled_database, "BACKUP_DIR": str(tmp_path)}
    made = run_axolotly("db", "backup", env=env)
    assert made.returncode == 0, made.stderr
    assert "pg_dump" in made.stderr  # progress, table by table
    [backup] = list_backups(tmp_path)
    assert backup.checksum_ok() and backup.path.name.startswith("axolotly-") and backup.path.suffix == ".dump"
    listed = run_axolotly("db", "backups", env=env)
    assert backup.path.name in listed.stdout and " ok " in listed.stdout

    target = recreate_database(server_url, "axolotly_backup_target")
    restored = run_axolotly("db", "restore", str(backup.path), "--into", target, env=env)
    assert restored.returncode == 0, restored.stderr
    source, copy = table_fingerprints(filled_database), table_fingerprints(target)
    assert source["titles"][0] > 0 and source["users"][0] > 0
    assert copy == source

    # A second restore into the now non-empty database is refused, unless forced.
    refused = run_axolotly("db", "restore", str(backup.path), "--into", target, env=env)
    assert refused.returncode == 1 and "not empty" in refused.stderr
    forced = run_axolotly("db", "restore", str(backup.path), "--into", target, "--force", env=env)
    assert forced.returncode == 0, forced.stderr
    assert table_fingerprints(target) == source


def test_a_corrupted_backup_is_refused(filled_database, server_url, tmp_path):
    env = {"DATABASE_URL": filled_database, "BACKUP_DIR": str(tmp_path)}
    assert run_axolotly("db", "backup", env=env).returncode == 0
    [backup] = list_backups(tmp_path)
    with backup.path.open("r+b") as file:
        file.seek(100)
        file.write(b"corrupted")
    target = recreate_database(server_url, "axolotly_backup_target")
    refused = run_axolotly("db", "restore", str(backup.path), "--into", target, env=env)
    assert refused.returncode == 1 and "checksum" in refused.stderr
    assert "CHECKSUM MISMATCH" in run_axolotly("db", "backups", env=env).stdout


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_backups_are_readable_by_their_owner_only(filled_database, tmp_path):
    directory = tmp_path / "backups"
    previous = os.umask(0o022)  # an ordinary umask: left alone, files come out world-readable
    try:
        made = run_axolotly("db", "backup", env={"DATABASE_URL": filled_database, "BACKUP_DIR": str(directory)})
    finally:
        os.umask(previous)
    assert made.returncode == 0, made.stderr
    [backup] = list_backups(directory)
    assert (mode(directory), mode(backup.path), mode(backup.checksum_file)) == (0o700, 0o600, 0o600)


def test_a_backup_without_its_checksum_file_is_restored_only_with_no_verify(filled_database, server_url, tmp_path):
    env = {"DATABASE_URL": filled_database, "BACKUP_DIR": str(tmp_path)}
    assert run_axolotly("db", "backup", env=env).returncode == 0
    [backup] = list_backups(tmp_path)
    backup.checksum_file.unlink()
    target = recreate_database(server_url, "axolotly_backup_target")
    refused = run_axolotly("db", "restore", str(backup.path), "--into", target, env=env)
    assert refused.returncode == 1 and "no checksum file" in refused.stderr and "--no-verify" in refused.stderr
    assert table_fingerprints(target) == {}, "nothing restored"
    restored = run_axolotly("db", "restore", str(backup.path), "--into", target, "--no-verify", env=env)
    assert restored.returncode == 0, restored.stderr
    assert table_fingerprints(target) == table_fingerprints(filled_database)


def test_a_failing_backup_exits_non_zero_with_the_reason(tmp_path):
    failed = run_axolotly(
        "db", "backup", env={"DATABASE_URL": "postgresql://nobody:x@127.0.0.1:1/none", "BACKUP_DIR": str(tmp_path)}
    )
    assert failed.returncode == 1 and "could not dump" in failed.stderr
    assert list(tmp_path.iterdir()) == []  # no partial file left behind


def test_retention_prunes_old_backups_but_never_the_newest(tmp_path):
    now = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
    for age_days in (45, 31, 29, 1):
        name = f"axolotly-{(now - timedelta(days=age_days)):%Y%m%dT%H%M%SZ}.dump"
        (tmp_path / name).write_bytes(b"x")
        (tmp_path / (name + ".sha256")).write_text("x\n")
    gone = prune_backups(tmp_path, 30, now=now)
    assert sorted(b.taken_at.day for b in gone) == sorted(
        [(now - timedelta(days=45)).day, (now - timedelta(days=31)).day]
    )
    assert len(list_backups(tmp_path)) == 2 and len(list(tmp_path.glob("*.sha256"))) == 2

    # Everything old, nothing new (backups stopped a while ago): the newest one stays.
    old_only = tmp_path / "old"
    old_only.mkdir()
    for age_days in (90, 60):
        (old_only / f"axolotly-{(now - timedelta(days=age_days)):%Y%m%dT%H%M%SZ}.dump").write_bytes(b"x")
    prune_backups(old_only, 30, now=now)
    assert [b.taken_at for b in list_backups(old_only)] == [now - timedelta(days=60)]


def test_a_link_planted_under_the_backups_name_is_never_followed(filled_database, tmp_path):
    """In a folder others can write to, the dump's predictable name must not lead us into their target."""
    taken_at = datetime(2026, 12, 6, 3, 0, tzinfo=UTC)
    name = f"{PREFIX}{taken_at.strftime(STAMP)}{SUFFIX}.partial"
    victim = tmp_path / "victim.txt"
    victim.write_text("someone else's file\n")
    directory = tmp_path / "backups"
    directory.mkdir()
    (directory / name).symlink_to(victim)
    backup = take_backup(filled_database, directory, now=taken_at)
    assert victim.read_text() == "someone else's file\n", "the link's target was left alone"
    assert not backup.path.is_symlink() and mode(backup.path) == 0o600
