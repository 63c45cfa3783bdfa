"""An allow whose end has come is no policy anywhere (issue 27), also before the job removes its
row: a new allow over it starts afresh, a starter pack allows the title again, removing the title
from the library names nobody losing it. "For 3 days" keeps the family's clock across a DST change;
the export's spreadsheet cells never start a formula."""

import csv
import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from axolotly.exports.zipstream import csv_chunks
from axolotly.families.library import titles_losing_rules
from axolotly.families.packs import _allow_all
from axolotly.models import KidProfile
from axolotly.policies.until import THREE_DAYS, until_of_choice
from tests.support.api import add_kid, auth, offline_title, sign_up, use_zone
from tests.support.launcher_families import ALLOW_LIST, set_rules
from tests.support.pinned_days import SCHOOL_DAY
from tests.support.timed_allows import allow_until, logged_in

LONDON = ZoneInfo("Europe/London")
school_day = pytest.mark.parametrize("clock", [SCHOOL_DAY], indirect=True)


def ended_allow(client, db, clock):
    """Emma's allow of Moana, ended an hour ago (the job has not run)."""
    parent = sign_up(client)
    use_zone(client, parent, "Europe/London")
    emma = add_kid(client, parent, "Emma")
    set_rules(db, emma["id"], **ALLOW_LIST)
    moana = offline_title(db, "Moana")
    allow_until(client, parent, emma["id"], moana.id, datetime.now(UTC) + timedelta(hours=1))
    db.execute(
        text("UPDATE kid_profiles_titles SET blocked_episodes = '[1, 2]' WHERE kid_profile_id = :k"), {"k": emma["id"]}
    )
    clock.shift(timedelta(hours=2))
    return parent, emma, moana


def policy_row(db, kid_id: int):
    return db.execute(
        text("SELECT policy, allowed_until, blocked_episodes FROM kid_profiles_titles WHERE kid_profile_id = :k"),
        {"k": kid_id},
    ).one()


@school_day
def test_a_new_allow_over_an_ended_one_starts_afresh(client, db, clock):
    parent, emma, moana = ended_allow(client, db, clock)
    response = client.put(
        f"/api/parent/kids/{emma['id']}/policies/{moana.id}",
        json={"policy": "allow"},
        headers=auth(logged_in(client, parent)),  # the token made before the clock moved has expired
    )
    assert response.status_code == 200, response.text
    row = policy_row(db, emma["id"])
    assert (row.policy, row.allowed_until, row.blocked_episodes or []) == ("allow", None, [])


@school_day
def test_a_pack_allows_a_title_whose_allow_has_ended(client, db, clock):
    parent, emma, moana = ended_allow(client, db, clock)
    kid = db.get(KidProfile, emma["id"])
    assert _allow_all(db, kid, [moana.id]) == 1
    assert policy_row(db, emma["id"]).allowed_until is None


@school_day
def test_removing_the_title_names_nobody_whose_allow_has_ended(client, db, clock):
    parent, emma, moana = ended_allow(client, db, clock)
    assert titles_losing_rules(db, parent["id"], moana.id) == []


def test_for_3_days_is_the_same_time_on_the_familys_clock_across_a_dst_change():
    friday_noon = datetime(2026, 10, 23, 12, tzinfo=LONDON)  # British Summer Time ends on Sunday the 25th
    end = until_of_choice(THREE_DAYS, "", "Europe/London", friday_noon.astimezone(UTC))
    assert end is not None
    assert end.astimezone(LONDON).replace(tzinfo=None) == datetime(2026, 10, 26, 12)
    assert end - friday_noon == timedelta(days=3, hours=1)


def test_the_exports_cells_never_start_a_formula():
    rows = [['=HYPERLINK("https://example.com")', "+1", "-2", "@me", "\tx", "plain", -3, None]]
    text_out = b"".join(csv_chunks(["a", "b", "c", "d", "e", "f", "g", "h"], rows)).decode().lstrip("\ufeff")
    cells = list(csv.reader(io.StringIO(text_out)))[1]
    assert cells == ['\'=HYPERLINK("https://example.com")', "'+1", "'-2", "'@me", "'\tx", "plain", "-3", ""]
