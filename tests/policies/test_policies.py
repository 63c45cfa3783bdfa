from sqlalchemy import text

from axolotly.policies.evaluate import Policy, Reason, TitleFacts, evaluate_episode, evaluate_title
from tests.support.api import add_kid, auth, episode_ids, offline_title, sign_up


def test_evaluate_reasons():
    facts = TitleFacts(("disney_plus", "netflix"))
    assert evaluate_title(None, [], facts).reason is Reason.NO_POLICY
    assert evaluate_title(Policy("deny"), [], facts).reason is Reason.DENIED
    assert evaluate_title(Policy("allow"), [], TitleFacts(())).reason is Reason.NOT_STREAMING
    assert evaluate_title(Policy("allow"), ["hulu"], facts).reason is Reason.NOT_ON_YOUR_SERVICES
    visible = evaluate_title(Policy("allow"), ["netflix", "hulu", "disney_plus"], facts)
    assert visible.visible and visible.services == ("netflix", "disney_plus")
    assert evaluate_title(Policy("allow"), [], facts).services == ("disney_plus", "netflix")
    blocked = Policy("allow", frozenset({7}))
    assert evaluate_episode(blocked, [], facts, 7).reason is Reason.EPISODE_BLOCKED
    assert evaluate_episode(blocked, [], facts, 8).visible


def test_allow_list_and_remove_policy(client, db):
    parent = sign_up(client)
    kid = add_kid(client, parent)
    title = offline_title(db, "Moana")
    url = f"/api/parent/kids/{kid['id']}/policies/{title.id}"
    body = client.put(url, json={"policy": "allow"}, headers=auth(parent)).json()
    assert body["policy"] == "allow" and body["title"]["title"] == "Moana" and body["blocked_episodes"] == []
    assert client.put(url, json={"policy": "deny"}, headers=auth(parent)).json()["policy"] == "deny"
    policies = client.get(f"/api/parent/kids/{kid['id']}/policies", headers=auth(parent)).json()
    assert [(p["title"]["id"], p["policy"]) for p in policies] == [(title.id, "deny")]
    assert client.delete(url, headers=auth(parent)).status_code == 204
    assert client.delete(url, headers=auth(parent)).status_code == 404
    assert client.get(f"/api/parent/kids/{kid['id']}/policies", headers=auth(parent)).json() == []


def test_deny_beats_allow_only_for_the_same_kid(client, db):
    parent = sign_up(client)
    emma, leo = add_kid(client, parent, "Emma"), add_kid(client, parent, "Leo")
    title = offline_title(db, "Moana")
    client.put(f"/api/parent/kids/{emma['id']}/policies/{title.id}", json={"policy": "allow"}, headers=auth(parent))
    client.put(f"/api/parent/kids/{leo['id']}/policies/{title.id}", json={"policy": "deny"}, headers=auth(parent))
    emma_says = client.get(f"/api/parent/kids/{emma['id']}/titles/{title.id}/explain", headers=auth(parent)).json()
    leo_says = client.get(f"/api/parent/kids/{leo['id']}/titles/{title.id}/explain", headers=auth(parent)).json()
    assert emma_says["visible"] is True and emma_says["services"] == ["disney_plus"]
    assert leo_says["visible"] is False and leo_says["reason"] == "denied"


def test_block_and_unblock_episodes_and_explain_each(client, db):
    parent = sign_up(client)
    kid = add_kid(client, parent)
    bluey = offline_title(db, "Bluey")
    first, second, *_ = episode_ids(db, bluey.id)
    base = f"/api/parent/kids/{kid['id']}/policies/{bluey.id}"
    client.put(base, json={"policy": "allow"}, headers=auth(parent))
    assert client.put(f"{base}/blocked-episodes/{first}", headers=auth(parent)).json()["blocked_episodes"] == [first]
    assert client.put(
        f"{base}/blocked-episodes", json={"episode_ids": [second, first, first]}, headers=auth(parent)
    ).json()["blocked_episodes"] == sorted([first, second])
    assert client.delete(f"{base}/blocked-episodes/{second}", headers=auth(parent)).json()["blocked_episodes"] == [
        first
    ]
    explained = client.get(f"/api/parent/kids/{kid['id']}/titles/{bluey.id}/explain", headers=auth(parent)).json()
    by_id = {e["episode_id"]: e for e in explained["episodes"]}
    assert by_id[first]["reason"] == "episode_blocked" and not by_id[first]["visible"]
    assert by_id[second]["visible"] and len(by_id) == len(episode_ids(db, bluey.id))


def test_blocking_foreign_or_unknown_episodes_is_422_and_changes_nothing(client, db):
    parent = sign_up(client)
    kid = add_kid(client, parent)
    bluey, peppa = offline_title(db, "Bluey"), offline_title(db, "Peppa Pig")
    base = f"/api/parent/kids/{kid['id']}/policies/{bluey.id}"
    client.put(base, json={"policy": "allow"}, headers=auth(parent))
    peppa_episode = episode_ids(db, peppa.id)[0]
    for body in ({"episode_ids": [peppa_episode]}, {"episode_ids": [999999999]}, {"episode_ids": "1"}):
        response = client.put(f"{base}/blocked-episodes", json=body, headers=auth(parent))
        assert response.status_code == 422 and response.json()["detail"]
    assert client.put(f"{base}/blocked-episodes/{peppa_episode}", headers=auth(parent)).status_code == 422
    stored = db.execute(
        text("SELECT blocked_episodes FROM kid_profiles_titles WHERE kid_profile_id = :k"), {"k": kid["id"]}
    ).scalar_one()
    assert stored is None  # nothing blocked: NULL, never [] (migration 0021)


def test_blocking_needs_an_allowed_show(client, db):
    parent = sign_up(client)
    kid = add_kid(client, parent)
    bluey, moana = offline_title(db, "Bluey"), offline_title(db, "Moana")
    episode = episode_ids(db, bluey.id)[0]
    base = f"/api/parent/kids/{kid['id']}"
    assert client.put(f"{base}/policies/{bluey.id}/blocked-episodes/{episode}", headers=auth(parent)).status_code == 404
    client.put(f"{base}/policies/{bluey.id}", json={"policy": "deny"}, headers=auth(parent))
    assert client.put(f"{base}/policies/{bluey.id}/blocked-episodes/{episode}", headers=auth(parent)).status_code == 409
    client.put(f"{base}/policies/{moana.id}", json={"policy": "allow"}, headers=auth(parent))
    assert (
        client.put(
            f"{base}/policies/{moana.id}/blocked-episodes", json={"episode_ids": []}, headers=auth(parent)
        ).status_code
        == 422
    )


def test_bad_policy_bodies_are_422(client, db):
    parent = sign_up(client)
    kid = add_kid(client, parent)
    title = offline_title(db, "Moana")
    for body in ({"policy": "maybe"}, {}, {"policy": None}):
        response = client.put(f"/api/parent/kids/{kid['id']}/policies/{title.id}", json=body, headers=auth(parent))
        assert response.status_code == 422 and response.json()["detail"]
    assert (
        client.put(
            f"/api/parent/kids/{kid['id']}/policies/99999999", json={"policy": "allow"}, headers=auth(parent)
        ).status_code
        == 404
    )


def test_allowing_a_show_without_episodes_queues_the_loading_job_in_the_same_transaction(client, db):
    parent = sign_up(client)
    kid = add_kid(client, parent)
    show = offline_title(db, "Octonauts", with_episodes=False)
    body = client.put(
        f"/api/parent/kids/{kid['id']}/policies/{show.id}", json={"policy": "allow"}, headers=auth(parent)
    ).json()
    assert body["episodes_job_queued"] is True
    jobs = db.execute(text("SELECT task_name, args FROM procrastinate_jobs WHERE status = 'todo'")).all()
    assert ("axolotly:load_title_episodes", {"title_id": show.id}) in [(j.task_name, j.args) for j in jobs]
    with_episodes = offline_title(db, "Bluey")
    again = client.put(
        f"/api/parent/kids/{kid['id']}/policies/{with_episodes.id}", json={"policy": "allow"}, headers=auth(parent)
    )
    assert again.json()["episodes_job_queued"] is False


def test_the_database_knows_the_same_rating_scales_as_the_decision(db):
    from axolotly.policies import evaluate
    from axolotly.ratings.scales import snapshot
    from axolotly.ratings.service import stored_scales

    stored, shipped = stored_scales(db), snapshot()
    assert stored.countries() == shipped.countries()
    for country in shipped.countries():
        for kind in ("movie", "tv"):
            assert stored.scale(kind, country) == shipped.scale(kind, country), (kind, country)
    classified = [r.rating for r in shipped.scale("movie", "US").ratings if r.min_age is not None]
    assert evaluate.MOVIE_RATINGS == tuple(classified) == ("G", "PG", "PG-13", "R", "NC-17")
