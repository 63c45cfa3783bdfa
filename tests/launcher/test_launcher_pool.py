"""The production read path: the app's own async pool (autocommit), on committed data."""

from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from axolotly.devices.codes import register_device
from axolotly.launcher.reads import CountingReads
from axolotly.launcher.service import rendered_launchers
from axolotly.main import create_app
from axolotly.models import Device, KidProfileTitle, StreamingServiceSelection, Title, User
from tests.support.factories import make_episode, make_family, make_kid, make_title


def test_launcher_reads_on_the_pool_are_exact_cheap_and_see_unpairing_at_once(engine, committed):
    with Session(engine) as db, db.begin():
        family = make_family(db)
        kid = make_kid(db, family)
        db.add(StreamingServiceSelection(family_id=family.id, selected_services=["netflix"]))
        shows = [make_title(db, media_type="tv", providers=["netflix"], title=f"Show {n}") for n in range(3)]
        for show in shows:
            committed.append((Title, show.id))
            for number in (1, 2):
                make_episode(db, show, number=number)
            db.add(KidProfileTitle(kid_profile_id=kid.id, title_id=show.id, policy="allow"))
        committed.append((User, family.id))
        device, api_key = register_device(db, family.id)
        device.kid_profile_id = kid.id
        headers = {"X-Device-ID": device.device_id, "X-API-Key": api_key}
        kid_id = kid.id

    with TestClient(create_app()) as client:
        reads = client.app.state.launcher_reads = CountingReads(client.app.state.launcher_reads)
        rendered_launchers._bodies.clear()

        first = client.get("/api/apps", headers=headers)
        assert first.status_code == 200
        [group] = first.json()
        assert group["id"] == "netflix" and [item["appName"] for item in group["content"]] == [
            "Show 0",
            "Show 1",
            "Show 2",
        ]
        assert all(len(item["episodes"]) == 2 for item in group["content"])
        # the device (its first call of the minute touches it and records the version it now
        # holds, in the same statement) + launcher JSON
        assert len(reads.statements) == 2
        written = _device_row(engine, headers)
        assert written.last_active is not None and written.held_version is not None and written.held_since

        reads.statements.clear()
        again = client.get("/api/apps", headers={**headers, "If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304 and again.content == b""
        assert len(reads.statements) == 1  # the device lookup only: no launcher query...
        assert _device_row(engine, headers).xmin == written.xmin  # ...and no write

        validation = client.get("/api/device/validate", headers=headers).json()
        assert validation == {"is_paired": True, "kid_profile_id": kid_id, "kid_name": "Kid", "kid_age": None}

        with Session(engine) as db, db.begin():
            db.delete(db.scalars(select(Device).where(Device.device_id == headers["X-Device-ID"])).one())
        assert client.get("/api/apps", headers=headers).status_code == 401
        assert client.get("/healthz").json() == {"status": "ok", "database": "ok"}


def _device_row(engine, headers):
    with engine.connect() as connection:
        return connection.execute(
            text("SELECT xmin::text AS xmin, last_active, held_version, held_since FROM devices WHERE device_id = :d"),
            {"d": headers["X-Device-ID"]},
        ).one()
