"""The older backend's database, beside the suite's own on the throw-away server, filled the way
the older backend's own code writes it (tests/importer/original_schema.sql: its tables at 683cfba)."""

import hashlib
import json
import secrets
from pathlib import Path

import bcrypt
import psycopg
import pytest
from sqlalchemy import text

from axolotly.db.migrate import recreate_database
from axolotly.importer.run import import_original
from axolotly.importer.source import open_source
from tests.support.pg import libpq_url

SCHEMA = (Path(__file__).parent / "original_schema.sql").read_text()
TABLES = (
    "content_reports, episode_tags, title_tags, content_tags, device_episode_reports, episode_links,"
    " content_package_items, usage_logs, time_limits, devices, episode_policies, policies, episodes, titles,"
    " kid_profiles"
)
OLD_PASSWORD = "old-backend-password"


@pytest.fixture(scope="session")
def original_url(database_url):
    url = recreate_database(database_url, "older_backend")
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        conn.execute(SCHEMA)
    return url


class OlderBackend:
    """Writes rows as the older backend's code does: bcrypt passwords and PINs, SHA-256 hex keys."""

    def __init__(self, conn: psycopg.Connection):
        self.conn = conn

    def one(self, sql: str, *params) -> int:
        row = self.conn.execute(sql + " RETURNING id", params).fetchone()
        assert row is not None
        return row[0]

    def parent(self, email: str, password: str = OLD_PASSWORD, is_admin: bool = False) -> int:
        hashed = bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=4)).decode()
        return self.one(
            "INSERT INTO users (email, password_hash, is_admin) VALUES (%s, %s, %s)", email, hashed, is_admin
        )

    def kid(self, parent: int, name: str, age: int = 7, pin: str = "1234") -> int:
        hashed = bcrypt.hashpw(pin.encode(), bcrypt.gensalt(rounds=4)).decode()
        return self.one(
            "INSERT INTO kid_profiles (parent_id, name, age, pin, created_at) VALUES (%s, %s, %s, %s, now())",
            parent,
            name,
            age,
            hashed,
        )

    def services(self, parent: int, *services: str) -> None:
        self.conn.execute(
            "INSERT INTO streaming_service_selections (family_id, selected_services) VALUES (%s, %s)",
            (parent, json.dumps(list(services))),
        )

    def title(self, tmdb_id: int, name: str, media_type: str, providers: list[str], rating: str = "TV-Y") -> int:
        return self.one(
            "INSERT INTO titles (tmdb_id, title, media_type, providers, rating, release_date, genres, deep_links,"
            " poster_path) VALUES (%s, %s, %s, %s, %s, '2018-10-01', '[]', '{}', %s)",
            tmdb_id,
            name,
            media_type,
            json.dumps(providers),
            rating,
            f"/{tmdb_id}.jpg",
        )

    def episode(self, title: int, tmdb_episode_id: int | None, season: int, number: int) -> int:
        return self.one(
            "INSERT INTO episodes (title_id, tmdb_episode_id, season_number, episode_number, episode_name, air_date)"
            " VALUES (%s, %s, %s, %s, %s, '')",
            title,
            tmdb_episode_id,
            season,
            number,
            f"Episode {number}",
        )

    def policy(self, kid: int, title: int, allowed: bool = True) -> int:
        return self.one(
            "INSERT INTO policies (kid_profile_id, title_id, is_allowed, created_at) VALUES (%s, %s, %s, now())",
            kid,
            title,
            allowed,
        )

    def block_episode(self, policy: int, episode: int) -> None:
        self.conn.execute(
            "INSERT INTO episode_policies (policy_id, episode_id, is_allowed) VALUES (%s, %s, false)",
            (policy, episode),
        )

    def device(self, parent: int, kid: int | None, name: str, plaintext: bool = False) -> dict:
        """A paired launcher: its headers, and the key stored as its pairing wrote it."""
        device_id, api_key = secrets.token_urlsafe(32), secrets.token_urlsafe(48)
        stored = api_key if plaintext else hashlib.sha256(api_key.encode()).hexdigest()
        self.one(
            "INSERT INTO devices (device_id, api_key, family_id, kid_profile_id, device_name, created_at, last_active)"
            " VALUES (%s, %s, %s, %s, %s, now(), now())",
            device_id,
            stored,
            parent,
            kid,
            name,
        )
        return {"X-Device-ID": device_id, "X-API-Key": api_key}

    def time_limit(self, parent: int, minutes: int, start: str, end: str) -> None:
        self.conn.execute(
            "INSERT INTO time_limits (family_id, daily_limit_minutes, bedtime_start, bedtime_end, schedule_enabled)"
            " VALUES (%s, %s, %s, %s, true)",
            (parent, minutes, start, end),
        )


@pytest.fixture
def older(original_url):
    with psycopg.connect(libpq_url(original_url), autocommit=True) as conn:
        conn.execute(f"TRUNCATE {TABLES}, streaming_service_selections, pairing_codes, content_packages, users")
        yield OlderBackend(conn)


@pytest.fixture
def source(original_url):
    def opened():
        return open_source(original_url)

    return opened


SNAPSHOT_TABLES = (
    "users",
    "kid_profiles",
    "kid_profiles_titles",
    "devices",
    "streaming_service_selection",
    "titles",
    "episodes",
    "import_id_map",
)


def an_older_family(older, email="sam@old.example"):
    parent = older.parent(email)
    emma, leo = older.kid(parent, "Emma", age=6), older.kid(parent, "Leo", age=9)
    older.services(parent, "disney_plus", "Netflix")
    bluey = older.title(82728, "Bluey", "tv", ["Disney Plus"])
    moana = older.title(277834, "Moana", "movie", ["Disney Plus"], rating="PG")
    scary = older.title(4001, "Scary Film", "movie", ["Netflix"], rating="PG-13")
    first, second = older.episode(bluey, 1001, 1, 1), older.episode(bluey, 1002, 1, 2)
    older.block_episode(older.policy(emma, bluey), second)
    older.policy(emma, moana)
    older.policy(leo, scary)
    older.policy(leo, scary, allowed=False)  # no constraint stops a second row: deny wins
    tablet = older.device(parent, emma, "Emma's tablet")
    phone = older.device(parent, leo, "Leo's phone", plaintext=True)
    older.time_limit(parent, 90, "19:30", "07:00")
    return {"parent": parent, "emma": emma, "tablet": tablet, "phone": phone, "episodes": (first, second)}


def run(db, source, **options):
    with source() as opened:
        return import_original(db, opened, **options)


def snapshot(db) -> dict[str, str]:
    return {
        table: db.execute(
            text(f"SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {table} t")
        ).scalar_one()
        for table in SNAPSHOT_TABLES
    }
