"""The admin console as a logged-in admin's browser sees it: the page, its flash, the one tag form."""

import html
import re

from tests.support.pages import csrf


def console(browser) -> str:
    return html.unescape(browser.get("/admin").text)


def flash(browser, response) -> str:
    return html.unescape(browser.get(response.headers["location"]).text)


def tag_form(page: str) -> str:
    forms = re.findall(r'<form method="post" action="/admin/tags">.*?</form>', page, re.S)
    assert len(forms) == 1, "tags are edited in one form"
    return forms[0]


def rows_of(form: str) -> list[dict]:
    """The form's rows as a browser would send them (the new-tag row last)."""
    ids = re.findall(r'name="tag_id" value="(\d*)"', form)
    fields = {
        name: re.findall(rf'<input id="{name}-[^"]+" name="{name}"(?: value="([^"]*)")?', form)
        for name in ("tag", "category", "description")
    }
    return [
        {"tag_id": i, "tag": t, "category": c, "description": d}
        for i, t, c, d in zip(ids, fields["tag"], fields["category"], fields["description"], strict=True)
    ]


def send_rows(admin, rows: list[dict]):
    data = {name: [row[name] for row in rows] for name in ("tag_id", "tag", "category", "description")}
    return post(admin, "/admin/tags", data)


def post(browser, path: str, data: dict):
    response = browser.post(
        path,
        data={**data, "csrf_token": csrf(browser, "/admin")},
        follow_redirects=False,
        headers={"referer": "http://testserver/admin"},
    )
    assert response.status_code == 303, response.text
    return response
