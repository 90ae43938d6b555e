"""Real-browser walk through the settings sections on a phone, with and without
JavaScript: the calendar feed link made and fetched, everything downloaded as JSON, and
that file imported into a second, new account, after a file too large for an upload was
told next to its field by the real server."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.web.test_browser import PHONE, Tab, add_application, open_tab, server_url, sign_up, tabs

pytestmark = pytest.mark.browser
__all__ = ["server_url", "tabs"]  # the fixtures this module shares


def open_section(page: Page, name: str) -> None:
    page.get_by_role("link", name="Settings", exact=True).click()
    page.get_by_role("navigation", name="Settings").get_by_role("link", name=name).click()
    expect(
        page.get_by_role("navigation", name="Settings").get_by_role("link", name=name)
    ).to_have_attribute("aria-current", re.compile("page|true"))


def assert_fits(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} scrolls sideways on a phone"


def make_a_feed_link(page: Page, js: bool) -> None:
    open_section(page, "Calendar")
    assert_fits(page)
    page.get_by_role("button", name="Make a feed link").click()
    feed = page.get_by_label("Feed link")
    url = feed.input_value()
    assert re.fullmatch(r"http://[^/]+/api/v1/calendar/feed/cal_[\w-]+\.ics", url), url
    copy = page.get_by_role("button", name="Copy link")
    if js:
        copy.click()
        expect(page.get_by_text("Copied to the clipboard.")).to_be_visible()
    else:
        expect(copy).to_be_hidden()  # nothing to press without the script: select the text
    calendar = page.request.get(url)
    assert calendar.status == 200
    assert calendar.headers["content-type"].startswith("text/calendar")
    assert "X-WR-CALNAME:Followup: Grace Hopper" in calendar.text()
    assert_fits(page)


def download_everything(page: Page, folder: Path) -> Path:
    open_section(page, "Your data")
    assert_fits(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download JSON").click()
    saved = folder / download.value.suggested_filename
    download.value.save_as(saved)
    doc = json.loads(saved.read_text())
    assert [a["company"] for a in doc["applications"]] == ["Acme Corp"]
    return saved


def import_into_a_new_account(page: Page, export: Path, folder: Path) -> None:
    sign_up(page, "Ada Lovelace")
    open_section(page, "Your data")
    too_large = folder / "too-large.json"
    too_large.write_bytes(b" " * (1024 * 1024 + 1))
    page.get_by_label("Export file").set_input_files(too_large)
    page.get_by_role("button", name="Import").click()
    field = page.get_by_label("Export file")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_accessible_description(re.compile("This file is larger than 1 MiB"))
    page.get_by_label("Export file").set_input_files(export)
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_role("heading", name="Applications", level=1)).to_be_visible()
    expect(page.get_by_role("status").first).to_contain_text("Imported 1 application")
    expect(page.get_by_role("link", name=re.compile("Acme Corp"))).to_be_visible()
    assert_fits(page)


@pytest.mark.parametrize("js", [True, False], ids=["phone", "phone-without-js"])
def test_settings_sections_on_a_phone(
    chromium: Browser, server_url: str, tabs: list[Tab], js: bool, tmp_path: Path
) -> None:
    tab = open_tab(chromium, server_url, PHONE, js=js)
    tabs.append(tab)
    page = tab.page
    sign_up(page, "Grace Hopper")
    add_application(page)
    make_a_feed_link(page, js)
    export = download_everything(page, tmp_path)

    open_section(page, "Developer")
    developer = page.get_by_role("navigation", name="Developer")
    expect(developer.get_by_role("link", name="API tokens")).to_have_attribute(
        "aria-current", "page"
    )
    developer.get_by_role("link", name="Webhooks").click()
    expect(page.get_by_role("heading", name="Webhooks", level=2)).to_be_visible()
    assert_fits(page)
    tab.assert_no_errors()

    newcomer = open_tab(chromium, server_url, PHONE, js=js)
    tabs.append(newcomer)
    import_into_a_new_account(newcomer.page, export, tmp_path)
    newcomer.assert_no_errors(expected_status=413)
