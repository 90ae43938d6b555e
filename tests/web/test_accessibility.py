"""axe-core finds no serious or critical accessibility violation on the web client's
main pages, at desktop width and on a phone.

Each page is loaded in Debian's Chromium for an account in the middle of a job search
(tests/web/screenshots.py's seed: two people met at one interview, drafts waiting,
references, events, a webhook) or for one with nothing in it yet; every <details> is
opened so that what it folds away is checked too, then axe.min.js is injected and run.

Only violations fail: what axe leaves for a person to review is not checked. On the
Progress page that is the charts' text, whose contrast axe cannot measure inside an SVG;
measured by hand, the white counts on the funnel's bars are at 4.8:1 or more.

axe-core comes pinned from npm into accessibility-tools/ (`make test` runs `npm ci`
there). Without it these tests fail, never skip.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from app.core.migrations import PROJECT_ROOT
from tests.web.live_server import live_server
from tests.web.screenshots import BAD_EXPORT, EMAIL, PASSWORD, seed

pytestmark = pytest.mark.browser

AXE = PROJECT_ROOT / "accessibility-tools" / "node_modules" / "axe-core" / "axe.min.js"
TIMEZONE = "Europe/Berlin"
VIEWPORTS: dict[str, ViewportSize] = {
    "desktop": {"width": 1280, "height": 900},
    "phone": {"width": 390, "height": 844},
}
NEWCOMER = "newcomer@example.com"


def require_axe() -> Path:
    if not AXE.exists():
        raise RuntimeError(
            f"{AXE.relative_to(PROJECT_ROOT)} is missing: run `make test`, which installs "
            "axe-core pinned in accessibility-tools/ with `npm ci` (Node.js and npm come "
            "from Debian: apt-get install -y nodejs npm)."
        )
    return AXE


@dataclass(frozen=True)
class Site:
    base_url: str
    ids: dict[str, str]
    """What the pages' paths need: the seeded application, event, …"""
    signed_in: dict[str, Path]
    """Each account's saved browser session (its cookie), by who."""


def log_in(chromium: Browser, base_url: str, email: str, state: Path) -> Path:
    context = chromium.new_context(base_url=base_url)
    page = context.new_page()
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Next steps", level=1)).to_be_visible()
    context.storage_state(path=state)
    context.close()
    return state


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, chromium: Browser) -> Iterator[Site]:
    workdir = tmp_path_factory.mktemp("axe")
    # The seed's webhook targets 127.0.0.1 (never sent to: the server runs no worker).
    with live_server(workdir, webhooks_allow_private_targets="true") as base_url:
        ids = seed(base_url)
        httpx.post(
            f"{base_url}/api/v1/auth/register",
            json={"email": NEWCOMER, "password": PASSWORD, "name": "Nia", "timezone": TIMEZONE},
        ).raise_for_status()
        signed_in = {
            who: log_in(chromium, base_url, email, workdir / f"{who}.json")
            for who, email in (("ada", EMAIL), ("newcomer", NEWCOMER))
        }
        yield Site(base_url, ids, signed_in)


def submit_an_invalid_application(page: Page) -> None:
    """Company and role left empty, and a job posting that is no web address."""
    page.get_by_label("Job posting").fill("not a web address")
    page.get_by_role("button", name="Add application").click()
    expect(page.get_by_role("alert")).to_be_visible()


def mark_done_in_the_future(page: Page) -> None:
    """'Done, with details' with a time that hasn't happened: its form again, with the error."""
    page.locator("details.done-details summary").first.click()
    page.get_by_label("When").first.fill("2099-01-01T10:00")
    page.get_by_role("button", name="Mark done").first.click()
    expect(page.get_by_role("alert")).to_be_visible()


def make_a_feed_link(page: Page) -> None:
    """The calendar feed's link, just made: shown once, to copy."""
    replace = page.get_by_role("link", name="Make a new link")
    if replace.count():  # made at the other width already: confirmed on a page of its own
        replace.click()
    page.get_by_role("button", name=re.compile("Make a (feed|new) link")).click()
    expect(page.get_by_role("textbox", name="Feed link")).to_be_visible()


def import_a_file_with_problems(page: Page) -> None:
    """An import whose document is wrong in several places: each listed with where."""
    page.get_by_label("Export file").set_input_files(
        {"name": "export.json", "mimeType": "application/json", "buffer": BAD_EXPORT}
    )
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_role("alert")).to_be_visible()


@dataclass(frozen=True)
class Visit:
    who: str | None
    """Signed in as "ada" (the seeded search) or "newcomer" (nothing yet), or None."""
    path: str
    """Formatted with the seeded ids: {application}, {event}."""
    then: Callable[[Page], None] | None = None


PAGES = {
    "signup": Visit(None, "/signup"),
    "login": Visit(None, "/login"),
    "dashboard-empty": Visit("newcomer", "/"),
    "dashboard": Visit("ada", "/"),
    "applications": Visit("ada", "/applications"),
    "board": Visit("ada", "/applications/board"),
    "application": Visit("ada", "/applications/{application}"),
    "application-asking-their-answer": Visit("ada", "/applications/{asked}"),
    "application-form-errors": Visit("ada", "/applications/new", submit_an_invalid_application),
    "log-a-follow-up": Visit("ada", "/applications/{application}/events/new"),
    "event-edit": Visit("ada", "/events/{event}/edit"),
    "done-with-details-errors": Visit("ada", "/", mark_done_in_the_future),
    "references": Visit("ada", "/references"),
    "progress": Visit("ada", "/progress"),
    "settings-profile": Visit("ada", "/settings"),
    "settings-notifications": Visit("ada", "/settings/notifications"),
    "settings-calendar": Visit("ada", "/settings/calendar"),
    "settings-calendar-new-link": Visit("ada", "/settings/calendar", make_a_feed_link),
    "settings-data": Visit("ada", "/settings/data"),
    "settings-data-import-errors": Visit("newcomer", "/settings/data", import_a_file_with_problems),
    "settings-tokens": Visit("ada", "/settings/tokens"),
    "settings-webhooks": Visit("ada", "/settings/webhooks"),
    "settings-integrations": Visit("ada", "/settings/integrations"),
}

OPEN_EVERY_DETAILS = "document.querySelectorAll('details').forEach(d => { d.open = true; })"
RUN_AXE = "axe.run(document, {resultTypes: ['violations']})"


def serious_violations(
    chromium: Browser, site: Site, visit: Visit, viewport: str, axe: Path
) -> list[Any]:
    phone = viewport == "phone"
    context = chromium.new_context(
        base_url=site.base_url,
        viewport=VIEWPORTS[viewport],
        timezone_id=TIMEZONE,
        is_mobile=phone,
        has_touch=phone,
        storage_state=site.signed_in[visit.who] if visit.who else None,
        bypass_csp=True,  # the pages allow only their own scripts; axe comes inline
    )
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        response = page.goto(visit.path.format(**site.ids))
        assert response is not None
        assert response.ok, f"{visit.path}: {response.status}"
        if visit.then is not None:
            visit.then(page)
        page.evaluate(OPEN_EVERY_DETAILS)
        page.add_script_tag(path=axe)
        results = page.evaluate(RUN_AXE)
    finally:
        context.close()
    return [v for v in results["violations"] if v["impact"] in ("serious", "critical")]


def described(violations: list[Any]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            target = " ".join(map(str, node["target"]))
            lines.append(f"    {target}  {node['html'][:160]}")
    return "\n".join(lines)


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("name", PAGES)
def test_axe_finds_nothing_serious(chromium: Browser, site: Site, name: str, viewport: str) -> None:
    violations = serious_violations(chromium, site, PAGES[name], viewport, require_axe())
    assert not violations, f"{name} at {viewport} width:\n{described(violations)}"
