"""The export streams: a family with 100,000 watching sessions is sent in batches read from a
server-side cursor and compressed as they come, so what Python holds at its peak stays far below
what those rows take as objects (checked by hand once: with `.all()` in place of the cursor the
peak was 62 MB; streamed, 4 MB)."""

import tempfile
import tracemalloc
import zipfile
from datetime import timedelta

import pytest
from sqlalchemy import text

from axolotly.exports.family_export import family_zip, snapshot_of
from tests.support.factories import make_family, make_kid
from tests.support.pinned_days import SCHOOL_DAY

SESSIONS = 100_000
PEAK_BOUND = 12 * 2**20  # bytes; the rows are ~11 MB of CSV and ~60 MB as Python objects


@pytest.mark.parametrize("clock", [SCHOOL_DAY], indirect=True, ids=["school-day"])
def test_a_history_of_100000_sessions_streams_in_flat_memory(db, clock):
    family = make_family(db)
    kid = make_kid(db, family, "Emma")
    month_start = clock.now.replace(day=1, hour=0, minute=0) + timedelta(hours=1)
    db.execute(
        text(
            "INSERT INTO usage_sessions (kid_profile_id, device_id, title_id, app_id, app_name, started_at,"
            " ended_at, seconds)"
            " SELECT :kid, i % 3, NULL, 'com.example.app' || (i % 7), 'An app with a name of some length',"
            "   :start + i * interval '20 seconds', :start + i * interval '20 seconds' + interval '15 seconds', 15"
            " FROM generate_series(0, :n - 1) AS i"
        ),
        {"kid": kid.id, "start": month_start, "n": SESSIONS},
    )
    with tempfile.TemporaryFile() as sent:
        tracemalloc.start()
        try:
            for chunk in family_zip(snapshot_of(db), family.id):
                sent.write(chunk)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        sent.seek(0)
        with zipfile.ZipFile(sent) as archive, archive.open("watch-history.csv") as history:
            lines = sum(1 for _ in history)
            unpacked = archive.getinfo("watch-history.csv").file_size
    assert lines == SESSIONS + 1  # and the header
    assert unpacked > 10 * 2**20
    assert peak < PEAK_BOUND, f"peak {peak / 2**20:.1f} MB"
