"""The admin console as pages: content reports grouped by title and issue (who, when, closed ones
kept with their resolution), the one tag form, and tables that reflow on a phone."""

import html
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from axolotly.accounts.service import create_admin
from axolotly.models import ContentReport, ContentTag
from tests.support.admin_console import console, flash, post, rows_of, send_rows, tag_form
from tests.support.api import PASSWORD, admin_headers, auth, offline_title, sign_up
from tests.support.pages import csrf, log_in


@pytest.fixture
def admin(client, db):
    """An admin's own browser (own cookies) on the console."""
    create_admin(db, "console@example.com", PASSWORD)
    with TestClient(client.app) as browser:
        assert log_in(browser, "console@example.com").status_code == 303
        yield browser


def family(client, name: str) -> dict:
    parent = sign_up(client)
    assert client.put("/api/parent/family", json={"family_name": name}, headers=auth(parent)).status_code == 200
    return parent


def report(client, parent, title, issue: str, description: str = "") -> int:
    response = client.post(
        "/api/parent/reports",
        headers=auth(parent),
        json={"title_id": title.id, "issue_type": issue, "description": description},
    )
    assert response.status_code == 201, response.text
    return response.json()["id"]


def report_rows(page: str) -> list[str]:
    section = re.search(r'<section class="card" id="reports".*?</section>', page, re.S)[0]
    return re.findall(r"<tr class=\"(?:pending|closed)\">.*?</tr>", section, re.S)


def statuses(db, ids) -> list[str]:
    return [db.get(ContentReport, i, populate_existing=True).status for i in ids]


def test_reports_of_one_title_and_issue_are_one_row_that_says_who_and_when(client, db, admin):
    bluey, moana = offline_title(db, "Bluey", with_episodes=False), offline_title(db, "Moana", with_episodes=False)
    parrs, belchers = family(client, "The Parrs"), family(client, "The Belchers")
    rating = [
        report(client, parrs, bluey, "wrong_age_rating", "Too scary for Leo"),
        report(client, belchers, bluey, "wrong_age_rating", "Rated too low"),
        report(client, parrs, bluey, "wrong_age_rating"),
    ]
    other_issue = report(client, belchers, bluey, "broken_link")
    report(client, parrs, moana, "wrong_age_rating")
    rows = report_rows(console(admin))
    assert len(rows) == 3
    bluey_rating = next(row for row in rows if "wrong age rating" in row and "Bluey" in row)
    assert "3 reports from 2 families" in bluey_rating
    for who in ("The Parrs", parrs["email"], "The Belchers", belchers["email"], "Too scary for Leo", "Rated too low"):
        assert who in bluey_rating
    assert len(re.findall(r"<time datetime=", bluey_rating)) >= 3 and " UTC</time>" in bluey_rating
    assert "3 pending" in bluey_rating
    assert re.search(
        r">Resolve 3 reports<span class=\"visually-hidden\"> about “Bluey” \(wrong age rating\)", bluey_rating
    )
    assert statuses(db, rating + [other_issue]) == ["pending"] * 4


def test_closing_a_group_closes_its_pending_reports_only_and_keeps_them_visible(client, db, admin):
    bluey = offline_title(db, "Bluey", with_episodes=False)
    parrs, belchers = family(client, "The Parrs"), family(client, "The Belchers")
    rating = [
        report(client, parrs, bluey, "wrong_age_rating", "Too scary for Leo"),
        report(client, belchers, bluey, "wrong_age_rating"),
    ]
    link = report(client, belchers, bluey, "broken_link", "Opens the wrong show")
    done = post(admin, "/admin/report-groups/resolve", {"title_id": bluey.id, "issue_type": "wrong_age_rating"})
    assert done.headers["location"] == "/admin#reports" and "2 reports resolved" in flash(admin, done)
    assert statuses(db, rating + [link]) == ["resolved", "resolved", "pending"]

    rows = report_rows(console(admin))
    assert "broken link" in rows[0] and "1 pending" in rows[0], "pending groups come first"
    closed = rows[1]
    assert 'class="closed"' in closed and "Too scary for Leo" in closed and "The Parrs" in closed
    assert closed.count('class="status-resolved">Resolved <time') == 2 and "Nothing to do" in closed
    assert "/admin/report-groups/" not in closed  # no button that does nothing

    again = post(admin, "/admin/report-groups/dismiss", {"title_id": bluey.id, "issue_type": "wrong_age_rating"})
    assert "These reports are closed already" in flash(admin, again)
    assert statuses(db, rating) == ["resolved", "resolved"]
    # A new report of a closed group is pending again, next to the resolved ones.
    newer = report(client, parrs, bluey, "wrong_age_rating", "Still too scary")
    post(admin, "/admin/report-groups/dismiss", {"title_id": bluey.id, "issue_type": "wrong_age_rating"})
    assert statuses(db, rating + [newer]) == ["resolved", "resolved", "dismissed"]
    assert 'class="status-dismissed">Dismissed <time' in console(admin)


@pytest.mark.parametrize(
    "data, action, reason",
    [
        ({"title_id": "2147483647", "issue_type": "other"}, "resolve", "No reports for this title and issue"),
        ({"issue_type": "other"}, "resolve", "title_id: Field required"),
        ({"title_id": "1", "issue_type": "other"}, "approve", "Unknown action"),
    ],
)
def test_bad_group_actions_are_refused_and_close_nothing(client, db, admin, data, action, reason):
    bluey = offline_title(db, "Bluey", with_episodes=False)
    pending = report(client, sign_up(client), bluey, "other")
    data = {key: str(bluey.id) if value == "1" else value for key, value in data.items()}
    answer = flash(admin, post(admin, f"/admin/report-groups/{action}", data))
    assert reason.lower() in re.search(r'role="alert">([^<]+)<', answer)[1].lower()
    assert statuses(db, [pending]) == ["pending"]


def test_a_parent_cannot_close_reports(client, db):
    bluey = offline_title(db, "Bluey", with_episodes=False)
    parent = sign_up(client)
    pending = report(client, parent, bluey, "other")
    log_in(client, parent["email"])
    response = client.post(
        "/admin/report-groups/resolve",
        follow_redirects=False,
        data={"title_id": bluey.id, "issue_type": "other", "csrf_token": csrf(client, "/")},
    )
    assert response.status_code == 303 and statuses(db, [pending]) == ["pending"]
    assert re.search(r'role="alert">[^<]*admin', client.get(response.headers["location"]).text, re.I)


# -- the one tag form ----------------------------------------------------------------------------


def tags_in_db(db) -> dict[str, tuple]:
    db.expire_all()
    return {t.tag: (t.category, t.description) for t in db.scalars(select(ContentTag))}


def test_one_form_edits_several_tags_and_adds_one_in_a_single_save(db, admin):
    rows = rows_of(tag_form(console(admin)))
    assert rows[-1] == {"tag_id": "", "tag": "", "category": "", "description": ""} and len(rows) > 3
    before = tags_in_db(db)
    assert len(rows) - 1 == len(before)
    rows[0]["description"] = "Edited in the one form"
    rows[1]["category"] = "theme"
    rows[-1].update(tag="gentle_music", category="theme", description="Soft songs")
    response = send_rows(admin, rows)
    assert "Tags saved: 1 added, 2 changed" in flash(admin, response)
    after = tags_in_db(db)
    assert after["gentle_music"] == ("theme", "Soft songs") and len(after) == len(before) + 1
    assert after[rows[0]["tag"]][1] == "Edited in the one form" and after[rows[1]["tag"]][0] == "theme"
    assert {k: v for k, v in after.items() if k not in (rows[0]["tag"], rows[1]["tag"], "gentle_music")} == {
        k: v for k, v in before.items() if k not in (rows[0]["tag"], rows[1]["tag"])
    }
    page = console(admin)
    assert 'value="gentle_music"' in tag_form(page) and "Edited in the one form" in page
    assert "No tag changed" in flash(admin, send_rows(admin, rows_of(tag_form(page))))  # unchanged: nothing written


@pytest.mark.parametrize(
    "spoil, reason",
    [
        (lambda rows: rows[1].update(tag="Not A Tag"), "not in the expected form"),
        (lambda rows: rows[1].update(tag=rows[0]["tag"]), "appears more than once"),
        (lambda rows: rows[-1].update(tag=rows[2]["tag"]), "appears more than once"),
        (lambda rows: rows[1].update(tag_id="2147483647"), "not found"),
        (lambda rows: rows[1].update(tag_id=rows[0]["tag_id"]), "edited once"),
        (lambda rows: rows[1].update(tag=""), "String should have at least 1 character"),
        (lambda rows: rows[-1].update(description="x" * 501), "at most 500 characters"),
        (lambda rows: rows.pop(0)["tag_id"] and rows[0].update(category=None), "every row"),
    ],
)
def test_a_bad_row_saves_no_row(db, admin, spoil, reason):
    rows = rows_of(tag_form(console(admin)))
    before = tags_in_db(db)
    rows[0]["description"] = "A good edit that must not be saved"
    rows[-1].update(tag="fine_new_tag")
    spoil(rows)
    if any(row["category"] is None for row in rows):  # a row sent without its category field
        data = {
            name: [row[name] for row in rows if row[name] is not None]
            for name in ("tag_id", "tag", "category", "description")
        }
        response = post(admin, "/admin/tags", data)
    else:
        response = send_rows(admin, rows)
    assert response.headers["location"] == "/admin"
    assert reason.lower() in re.search(r'role="alert">([^<]+)<', flash(admin, response))[1].lower()
    assert tags_in_db(db) == before


def test_renaming_onto_an_existing_name_is_a_conflict_and_saves_nothing(db, admin):
    rows = rows_of(tag_form(console(admin)))
    before = tags_in_db(db)
    one = rows[:1]  # a form with one row (an older page): the name is held by a tag outside it
    one[0]["tag"] = rows[1]["tag"]
    assert "exists already" in flash(admin, send_rows(admin, one))
    assert tags_in_db(db) == before


# -- phones: tables reflow (CSS only) ------------------------------------------------------------


def test_every_admin_table_cell_is_named_for_the_phone_layout(client, db, admin):
    bluey = offline_title(db, "Bluey")
    report(client, sign_up(client), bluey, "other", "A note")
    db.execute(
        text(
            "INSERT INTO episode_links (episode_id, platform, url) SELECT id, 'disney_plus', "
            "'https://www.disneyplus.com/video/x' FROM episodes WHERE title_id = :t LIMIT 1"
        ),
        {"t": bluey.id},
    )
    for path in ("/admin", "/admin/db-health"):
        page = html.unescape(admin.get(path).text)
        tables = re.findall(r"<table.*?</table>", page, re.S)
        assert tables and all(table.startswith('<table class="reflow">') for table in tables), path
        for table in tables:
            headers = re.findall(r'<th scope="col">([^<]+)</th>', table)
            labels = re.findall(r'<td data-label="([^"]+)"', table)
            assert len(labels) == len(re.findall(r"<td[ >]", table)) > 0, "a cell without its column's name"
            assert set(labels) - {"New tag"} <= set(headers)
    css = client.get("/static/app.css").text
    phone = css[css.index("@media (max-width: 40rem)") :]
    assert "table.reflow" in phone and "content: attr(data-label)" in phone


# -- the same through the API ----------------------------------------------------------------------


def test_the_api_lists_and_closes_report_groups(client, db):
    bluey, moana = offline_title(db, "Bluey", with_episodes=False), offline_title(db, "Moana", with_episodes=False)
    parrs, belchers = family(client, "The Parrs"), family(client, "The Belchers")
    first = report(client, parrs, bluey, "wrong_age_rating", "Too scary")
    second = report(client, belchers, bluey, "wrong_age_rating")
    report(client, parrs, moana, "other")
    admin = admin_headers(client, db, "api-moderator@example.com")
    assert client.get("/api/admin/report-groups", headers=auth(parrs)).status_code == 403
    groups = client.get("/api/admin/report-groups", headers=admin).json()
    bluey_group = next(g for g in groups if g["title"] == "Bluey")
    assert (bluey_group["issue_type"], bluey_group["pending"]) == ("wrong_age_rating", 2)
    assert [(r["id"], r["family"], r["family_email"]) for r in bluey_group["reports"]] == [
        (second, "The Belchers", belchers["email"]),
        (first, "The Parrs", parrs["email"]),
    ]

    body = {"title_id": bluey.id, "issue_type": "wrong_age_rating"}
    assert client.post("/api/admin/report-groups/resolve", json=body, headers=admin).json() == {"closed": 2}
    again = client.post("/api/admin/report-groups/dismiss", json=body, headers=admin)
    assert again.status_code == 409 and again.json()["detail"]
    groups = client.get("/api/admin/report-groups", headers=admin).json()
    assert [(g["title"], g["pending"]) for g in groups] == [("Moana", 1), ("Bluey", 0)]
    assert {r["status"] for r in groups[1]["reports"]} == {"resolved"} and all(
        r["resolved_at"] for r in groups[1]["reports"]
    )
    for bad, status in (
        ({"title_id": bluey.id, "issue_type": "other"}, 404),
        ({"title_id": 0, "issue_type": "x"}, 422),
        ({"title_id": bluey.id, "issue_type": ""}, 422),
        ({"title_id": bluey.id}, 422),
    ):
        answer = client.post("/api/admin/report-groups/resolve", json=bad, headers=admin)
        assert answer.status_code == status and answer.json()["detail"]
    assert client.post("/api/admin/report-groups/resolve", json=body, headers=auth(parrs)).status_code == 403
