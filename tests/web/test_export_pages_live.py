"""The family's data over a real socket: the zip streams (chunked, no length known ahead), its
activity line is committed before the first byte of the body, and in Chromium at phone size the
account page's button and the admin console's data-request form download the zip (axe finds
nothing on either page). TestClient cannot show the first two: it buffers, and never commits."""

import io
import json
import zipfile

import httpx
from playwright.sync_api import expect

from axolotly.seed.demo import DEMO_ADMIN, DEMO_PARENT
from tests.support.axe_audit import violations
from tests.support.browser import log_in, new_page
from tests.support.exports import EXPORT_FILES
from tests.support.live_app import parent_headers

TIMEOUT = 60  # generous: the machine's cores are shared
PHONE = {"width": 375, "height": 812}


def test_the_zip_streams_after_its_trail_line_is_committed(server):
    with httpx.Client(base_url=server, timeout=TIMEOUT) as api, httpx.Client(base_url=server, timeout=TIMEOUT) as other:
        parent = parent_headers(api)
        with api.stream("GET", "/api/parent/me/export", headers=parent) as response:
            assert response.status_code == 200
            assert response.headers["transfer-encoding"] == "chunked" and "content-length" not in response.headers
            # Not a byte of the body read yet: the export is in the family's activity list already.
            [latest] = other.get("/api/parent/activity", params={"limit": 1}, headers=parent).json()
            assert (latest["action"], latest["actor"]) == ("family_exported", DEMO_PARENT[0])
            body = response.read()
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        assert sorted(archive.namelist()) == sorted(EXPORT_FILES)
        document = json.loads(archive.read("family.json"))
    assert [kid["name"] for kid in document["kids"]] == ["Emma", "Leo"]


def test_the_account_button_and_the_consoles_form_download_the_zip(server, browser, tmp_path):
    outside: list[str] = []
    parent = new_page(browser, server, outside)
    parent.set_viewport_size(PHONE)
    log_in(parent, *DEMO_PARENT)
    parent.goto("/account")
    button = parent.get_by_role("button", name="Download our data")
    button.scroll_into_view_if_needed()
    assert violations(parent) == [] and parent.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    with parent.expect_download() as download:
        button.click()
    assert download.value.suggested_filename.startswith("axolotly-family-")
    saved = tmp_path / "ours.zip"
    download.value.save_as(saved)
    with zipfile.ZipFile(saved) as archive:
        assert sorted(archive.namelist()) == sorted(EXPORT_FILES)

    admin = new_page(browser, server, outside)
    admin.set_viewport_size(PHONE)
    log_in(admin, *DEMO_ADMIN)
    admin.goto("/admin#data-requests")
    assert violations(admin) == [] and admin.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    admin.get_by_label("Email of a parent of the family (the owner or a co-parent)").fill(DEMO_PARENT[0])
    with admin.expect_download() as download:
        admin.get_by_role("button", name="Download the family's data").click()
    download.value.save_as(tmp_path / "request.zip")
    with zipfile.ZipFile(tmp_path / "request.zip") as archive:
        assert json.loads(archive.read("family.json"))["parents"][0]["email"] == DEMO_PARENT[0]

    parent.goto("/family/activity")
    expect(parent.get_by_text("An administrator exported the family's data (data request)")).to_be_visible()
    assert outside == []
