"""ETag/304 and the cost of /api/apps: statements per call, every change changes the ETag."""

from sqlalchemy import text

from axolotly.catalog.service import upsert_title
from axolotly.catalog.sources import CatalogTitle
from axolotly.launcher.service import rendered_launchers
from axolotly.models import Episode, KidProfileTitle, Title
from axolotly.policies.evaluate import Rules, TitleFacts, evaluate_title
from tests.support.api import add_kid, auth, episode_ids, offline_title, sign_up
from tests.support.launcher_families import (
    ALLOW_LIST,
    EMMA_RULES,
    made_title,
    set_rules,
    setup_family,
    setup_rules_family,
    shown,
    to_library,
)
from tests.support.launcher_helpers import assign, pair_device


def etag(client, device) -> str:
    response = client.get("/api/apps", headers=device)
    assert response.status_code == 200
    return response.headers["ETag"]


def test_if_none_match_gives_304_without_body(client, db):
    parent, emma, leo, bluey, device, row = setup_family(client, db)
    tag = etag(client, device)
    response = client.get("/api/apps", headers={**device, "If-None-Match": tag})
    assert response.status_code == 304 and response.content == b"" and response.headers["ETag"] == tag
    assert client.get("/api/apps", headers={**device, "If-None-Match": '"other"'}).status_code == 200


def test_gzip_when_accepted_with_its_own_etag_and_the_same_content(client, db):
    parent, emma, leo, bluey, device, row = setup_family(client, db)
    plain = client.get("/api/apps", headers={**device, "Accept-Encoding": "identity"})
    packed = client.get("/api/apps", headers={**device, "Accept-Encoding": "gzip"})
    refused = client.get("/api/apps", headers={**device, "Accept-Encoding": "gzip;q=0, identity"})
    assert "Content-Encoding" not in plain.headers and "Content-Encoding" not in refused.headers
    assert packed.headers["Content-Encoding"] == "gzip" and packed.headers["Vary"] == "Accept-Encoding"
    assert int(packed.headers["Content-Length"]) < len(plain.content)
    assert packed.json() == plain.json() and plain.json()[0]["content"][0]["appName"] == "Bluey"
    assert packed.headers["ETag"] != plain.headers["ETag"]
    # Either tag names the same content: a client that switched encodings still gets its 304.
    for tag in (plain.headers["ETag"], packed.headers["ETag"]):
        assert client.get("/api/apps", headers={**device, "If-None-Match": tag}).status_code == 304


def test_every_change_that_alters_the_launcher_changes_the_etag(client, db):
    parent, emma, leo, bluey, device, row = setup_family(client, db)
    episode = episode_ids(db, bluey.id)[0]
    moana = offline_title(db, "Moana")
    changes = {
        "policy": lambda: client.put(
            f"/api/parent/kids/{emma['id']}/policies/{moana.id}", json={"policy": "allow"}, headers=auth(parent)
        ),
        "blocked episode": lambda: client.put(
            f"/api/parent/kids/{emma['id']}/policies/{bluey.id}/blocked-episodes/{episode}", headers=auth(parent)
        ),
        "selection": lambda: client.put(
            "/api/parent/services/selected", json={"services": ["pbs_kids", "disney_plus"]}, headers=auth(parent)
        ),
        "assignment": lambda: assign(client, parent, row, leo["id"]),
        "assignment back": lambda: assign(client, parent, row, emma["id"]),
        "title data": lambda: db.execute(
            text("UPDATE titles SET poster_path = '/new.jpg' WHERE id = :id"), {"id": bluey.id}
        ),
        "episode data": lambda: db.execute(
            text("UPDATE episodes SET name = 'Renamed' WHERE id = :id"), {"id": episode_ids(db, bluey.id)[1]}
        ),
        "new episode": lambda: (
            db.add(Episode(tmdb_episode_id=555555501, title_id=bluey.id, season_number=9, episode_number=1)),
            db.flush(),
        ),
        "episode link": lambda: client.post(
            "/api/device/episode-report",
            json={
                "title_id": bluey.id,
                "season": 1,
                "episode": 2,
                "platform": "disney_plus",
                "url": "https://www.disneyplus.com/video/x",
            },
            headers=device,
        ),
        "policy removed": lambda: client.delete(
            f"/api/parent/kids/{emma['id']}/policies/{moana.id}", headers=auth(parent)
        ),
    }
    for what, change in changes.items():
        before = client.get("/api/apps", headers=device)
        change()
        after = client.get("/api/apps", headers={**device, "If-None-Match": before.headers["ETag"]})
        assert after.status_code == 200, f"{what} did not change the ETag"
        assert after.headers["ETag"] != before.headers["ETag"] or what == "assignment back"


def test_changes_that_do_not_alter_the_launcher_keep_the_etag(client, db):
    parent, emma, leo, bluey, device, row = setup_family(client, db)
    moana = offline_title(db, "Moana")
    to_library(db, parent["id"], moana)  # a library change is a change for the family's kids
    tag = etag(client, device)
    db.execute(text("UPDATE titles SET last_synced = now() + interval '1 day' WHERE id = :id"), {"id": bluey.id})
    client.put(f"/api/parent/kids/{leo['id']}/policies/{moana.id}", json={"policy": "allow"}, headers=auth(parent))
    client.patch(f"/api/parent/devices/{row}", json={"friendly_name": "Tablet"}, headers=auth(parent))
    assert client.get("/api/apps", headers={**device, "If-None-Match": tag}).status_code == 304


def test_apps_for_200_shows_by_10_episodes_costs_at_most_3_statements(client, db, count_statements):
    parent = sign_up(client)
    kid = add_kid(client, parent)
    set_rules(db, kid["id"], **ALLOW_LIST)
    client.put(
        "/api/parent/services/selected", json={"services": ["netflix", "disney_plus", "hulu"]}, headers=auth(parent)
    )
    titles = [
        Title(
            tmdb_id=7_000_000 + n,
            title=f"Show {n:03d}",
            media_type="tv",
            providers=[["netflix", "disney_plus", "hulu"][n % 3]],
        )
        for n in range(200)
    ]
    db.add_all(titles)
    db.flush()
    db.add_all(
        [
            Episode(
                tmdb_episode_id=70_000_000 + t.id * 10 + e,
                title_id=t.id,
                season_number=1,
                episode_number=e + 1,
                name=f"E{e}",
            )
            for t in titles
            for e in range(10)
        ]
    )
    db.add_all([KidProfileTitle(kid_profile_id=kid["id"], title_id=t.id, policy="allow") for t in titles])
    db.flush()
    device = pair_device(client, parent)
    client.get("/api/apps", headers=device)  # first call may touch last_active
    count_statements.statements.clear()
    response = client.get("/api/apps", headers=device)
    groups = response.json()
    assert sum(g["count"] for g in groups) == 200
    assert all(len(c["episodes"]) == 10 for g in groups for c in g["content"])
    assert count_statements.count <= 3, count_statements.statements
    assert not [s for s in count_statements.statements if not s.lstrip().upper().startswith(("SELECT", "WITH"))]
    count_statements.statements.clear()
    assert client.get("/api/apps", headers={**device, "If-None-Match": response.headers["ETag"]}).status_code == 304
    assert count_statements.count == 1


def test_every_change_of_rules_library_or_title_facts_changes_the_etag_and_the_launcher(client, db):
    parent, emma, leo, device = setup_rules_family(client, db)
    calm = made_title(db, "Calm Show", "tv", "TV-Y", episodes=3)
    library = [
        calm,
        made_title(db, "Y7 Show", "tv", "TV-Y7"),
        made_title(db, "PG Film", "movie", "PG"),
        made_title(db, "Unrated Film", "movie", None),
        made_title(db, "Funny Film", "movie", "G", ("comedy",)),
    ]
    to_library(db, parent["id"], *library)
    synced = upsert_title(
        db,
        CatalogTitle(
            tmdb_id=8_999_001, media_type="movie", title="Synced Film", certification="PG", providers=["disney_plus"]
        ),
    )
    to_library(db, parent["id"], synced)
    outside = made_title(db, "Not Yet Added", "movie", "G")
    leos = made_title(db, "Leo's Film", "movie", "G")  # in the library through Leo's policy alone
    leos_other = made_title(db, "Leo's Other Film", "movie", "G")
    first_episode = episode_ids(db, calm.id)[0]
    assert set(shown(client.get("/api/apps", headers=device))) == {
        "Calm Show",
        "Y7 Show",
        "PG Film",
        "Funny Film",
        "Synced Film",
    }

    changes = {
        "mode": lambda: set_rules(db, emma["id"], rules_mode="allow_list"),
        "mode back": lambda: set_rules(db, emma["id"], rules_mode="rules"),
        "movie cap": lambda: set_rules(db, emma["id"], max_movie_rating="G"),
        "tv cap": lambda: set_rules(db, emma["id"], max_tv_rating="TV-Y"),
        "block unrated": lambda: set_rules(db, emma["id"], block_unrated=False),
        "blocked tags": lambda: set_rules(db, emma["id"], blocked_tags=["scary_scenes", "comedy"]),
        "library add": lambda: to_library(db, parent["id"], outside),
        "library remove": lambda: db.execute(
            text("DELETE FROM family_titles WHERE family_id = :f AND title_id = :t"),
            {"f": parent["id"], "t": outside.id},
        ),
        "certification (re-sync)": lambda: upsert_title(
            db,
            CatalogTitle(
                tmdb_id=8_999_001, media_type="movie", title="Synced Film", certification="G", providers=["disney_plus"]
            ),
        ),
        "episode tags": lambda: db.execute(
            text("UPDATE episodes SET tags = '[\"scary_scenes\"]' WHERE id = :id"), {"id": first_episode}
        ),
        "title tags": lambda: db.execute(
            text("UPDATE titles SET tags = '[\"scary_scenes\"]' WHERE id = :id"), {"id": calm.id}
        ),
        "a sibling's policy (a deny) puts a title in the library": lambda: db.execute(
            text("INSERT INTO kid_profiles_titles (kid_profile_id, title_id, policy) VALUES (:k, :t, 'deny')"),
            {"k": leo["id"], "t": leos.id},
        ),
        "re-rating a title held by a sibling's policy": lambda: db.execute(
            text("UPDATE titles SET certification = 'PG' WHERE id = :id"), {"id": leos.id}
        ),
        "and back": lambda: db.execute(text("UPDATE titles SET certification = 'G' WHERE id = :id"), {"id": leos.id}),
        "the sibling's policy goes with the title's last hold on the library": lambda: db.execute(
            text("DELETE FROM kid_profiles_titles WHERE kid_profile_id = :k AND title_id = :t"),
            {"k": leo["id"], "t": leos.id},
        ),
        "another policy of the sibling": lambda: db.execute(
            text("INSERT INTO kid_profiles_titles (kid_profile_id, title_id, policy) VALUES (:k, :t, 'allow')"),
            {"k": leo["id"], "t": leos_other.id},
        ),
        "the sibling deleted outside the app (his titles leave the library)": lambda: db.execute(
            text("DELETE FROM kid_profiles WHERE id = :k"), {"k": leo["id"]}
        ),
    }
    for what, change in changes.items():
        before = client.get("/api/apps", headers=device)
        change()
        db.flush()
        after = client.get("/api/apps", headers={**device, "If-None-Match": before.headers["ETag"]})
        assert after.status_code == 200, f"{what} did not change the ETag"
        assert after.headers["ETag"] != before.headers["ETag"], what
        assert shown(after) != shown(before), f"{what} did not change the launcher"
    assert shown(client.get("/api/apps", headers=device)) == {"Synced Film": [], "Unrated Film": []}


def test_a_sibling_s_rules_or_another_family_s_library_keep_the_etag(client, db):
    parent, _emma, leo, device = setup_rules_family(client, db)
    calm, elsewhere = made_title(db, "Calm Show", "tv", "TV-Y", episodes=2), made_title(db, "Other Film", "movie", "G")
    to_library(db, parent["id"], calm)
    other = sign_up(client)
    other_kid = add_kid(client, other, "Zoe")
    set_rules(db, other_kid["id"], **EMMA_RULES)
    to_library(db, other["id"], elsewhere)
    tag = etag(client, device)
    changes = {
        "sibling's rules": lambda: set_rules(
            db, leo["id"], rules_mode="allow_list", max_movie_rating="G", block_unrated=False, blocked_tags=["comedy"]
        ),
        "another family adds a title Emma has": lambda: to_library(db, other["id"], calm),
        "another family removes a title": lambda: db.execute(
            text("DELETE FROM family_titles WHERE family_id = :f AND title_id = :t"),
            {"f": other["id"], "t": elsewhere.id},
        ),
        "a title outside Emma's library is re-rated": lambda: db.execute(
            text("UPDATE titles SET certification = 'R', tags = '[\"scary_scenes\"]' WHERE id = :id"),
            {"id": elsewhere.id},
        ),
        "another family's kid's rules": lambda: set_rules(db, other_kid["id"], rules_mode="allow_list"),
    }
    for what, change in changes.items():
        change()
        db.flush()
        assert client.get("/api/apps", headers={**device, "If-None-Match": tag}).status_code == 304, what


def test_apps_for_a_rules_kid_with_a_300_title_library_costs_2_statements_and_1_on_304(
    client, db, count_statements, monkeypatch
):
    monkeypatch.setattr(rendered_launchers, "max_entries", 0)  # every 200 builds the launcher in SQL
    parent, _emma, _leo, device = setup_rules_family(client, db)
    certifications = ("G", "PG", "PG-13", "R", "TV-Y", "TV-Y7", "TV-PG", "TV-MA", None)
    library = [
        Title(
            tmdb_id=7_500_000 + n,
            title=f"Title {n:03d}",
            media_type="tv" if n % 2 else "movie",
            certification=certifications[n % len(certifications)],
            tags=["scary_scenes"] if n % 5 == 0 else ["comedy"],
            providers=["disney_plus"],
        )
        for n in range(300)
    ]
    db.add_all(library)
    db.flush()
    db.add_all(
        [
            Episode(
                tmdb_episode_id=75_000_000 + t.id * 10 + e,
                title_id=t.id,
                season_number=1,
                episode_number=e + 1,
                name=f"E{e}",
                tags=["scary_scenes"] if e == 0 else [],
            )
            for t in library
            if t.media_type == "tv"
            for e in range(4)
        ]
    )
    to_library(db, parent["id"], *library)
    rules = Rules("rules", "PG", "TV-Y7", True, frozenset({"scary_scenes"}))
    expected = {
        t.title
        for t in library
        if evaluate_title(
            None,
            ["disney_plus"],
            TitleFacts(("disney_plus",), t.certification, frozenset(t.tags), media_type=t.media_type),
            rules,
        ).visible
    }
    shows = {t.title for t in library if t.media_type == "tv"}  # read before the requests expire the rows
    client.get("/api/apps", headers=device)  # first call may touch last_active
    count_statements.statements.clear()
    response = client.get("/api/apps", headers=device)
    assert shown(response).keys() == expected and 0 < len(expected) < 300
    assert all(episodes == ["E1", "E2", "E3"] for name, episodes in shown(response).items() if name in shows)
    assert count_statements.count <= 2, count_statements.statements
    assert any("family_titles" in s for s in count_statements.statements)
    assert not [s for s in count_statements.statements if not s.lstrip().upper().startswith(("SELECT", "WITH"))]
    count_statements.statements.clear()
    assert client.get("/api/apps", headers={**device, "If-None-Match": response.headers["ETag"]}).status_code == 304
    assert count_statements.count == 1
