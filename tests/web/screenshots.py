"""Screenshots of every page at phone and desktop widths, for a person to look at.

    .venv/bin/python -m tests.web.screenshots [/tmp/shots]

Starts a throwaway server, fills an account with realistic data through the API, then
signs in with Chromium and saves full-page PNGs named <page>-<width>.png.
"""

from __future__ import annotations

import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Page, sync_playwright

from tests.web.live_server import CHROMIUM_ARGS, live_server, require_chromium

WIDTHS = (390, 1280)
EMAIL = "ada@example.com"
PASSWORD = "correct horse battery"


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def seed(base_url: str) -> dict[str, str]:
    """An account in the middle of a job search; returns ids the pages need."""
    api = httpx.Client(base_url=f"{base_url}/api/v1", timeout=10)
    api.post(
        "/auth/register",
        json={
            "email": EMAIL,
            "password": PASSWORD,
            "name": "Ada Lovelace",
            "timezone": "Europe/Berlin",
        },
    ).raise_for_status()
    grant = api.post("/auth/token", data={"username": EMAIL, "password": PASSWORD}).json()
    api.headers["Authorization"] = f"Bearer {grant['access_token']}"

    def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
        r = api.post(path, json=body)
        r.raise_for_status()
        result: dict[str, Any] = r.json()
        return result

    now = datetime.now(UTC)
    margaret = post(
        "/references",
        {
            "name": "Margaret Hamilton",
            "relationship": "former manager",
            "company": "MIT",
            "email": "margaret@example.com",
        },
    )
    post("/references", {"name": "Katherine Johnson", "relationship": "mentor"})
    acme = post(
        "/applications",
        {
            "company": "Acme Corp",
            "role_title": "Senior Backend Engineer",
            "status": "interviewing",
            "location": "Berlin (hybrid)",
            "job_url": "https://acme.example/jobs/42",
            "recruiter_name": "Rita Moreno",
            "recruiter_email": "rita@acme.example",
            "references_requested_at": _iso(now - timedelta(hours=2)),
            "reference_ids": [margaret["id"]],
        },
    )
    grace = post(
        f"/applications/{acme['id']}/interviewers",
        {"name": "Grace Hopper", "title": "Engineering Manager", "email": "grace@acme.example"},
    )
    alan = post(
        f"/applications/{acme['id']}/interviewers",
        {"name": "Alan Turing", "title": "Staff Engineer"},
    )
    post(
        f"/applications/{acme['id']}/interviews",
        {
            "starts_at": _iso(now - timedelta(hours=3)),
            "kind": "onsite",
            "round": 2,
            "interviewer_ids": [grace["id"], alan["id"]],
            "topics": "scaling the billing pipeline",
            "mutual_interests": "the EU AI Act",
        },
    )
    note = post(
        f"/applications/{acme['id']}/events",
        {"type": "note", "notes": "Parking is behind the building."},
    )
    globex = post(
        "/applications",
        {
            "company": "Globex",
            "role_title": "Platform Engineer",
            "status": "interviewing",
            "recruiter_name": "Sam Carter",
        },
    )
    hank = post(
        f"/applications/{globex['id']}/interviewers",
        {"name": "Hank Scorpio", "title": "CEO", "email": "hank@globex.example"},
    )
    post(
        f"/applications/{globex['id']}/interviews",
        {
            "starts_at": _iso(now - timedelta(days=3)),
            "kind": "video",
            "interviewer_ids": [hank["id"]],
        },
    )
    initech = post("/applications", {"company": "Initech", "role_title": "Python Developer"})
    for days in (20, 12, 5):
        post(
            f"/applications/{initech['id']}/events",
            {"type": "status_inquiry", "occurred_at": _iso(now - timedelta(days=days))},
        )
    post(
        f"/applications/{globex['id']}/events",
        {"type": "reply_received", "response": "positive", "channel": "email"},
    )
    # Asked about next steps, answer not yet noted: the page asks for it.
    post(f"/applications/{globex['id']}/events", {"type": "next_steps_asked"})
    post("/applications", {"company": "Umbrella", "role_title": "SRE", "status": "rejected"})
    # A loopback target: allowed on this throwaway server, never sent to (no worker).
    hook = post(
        "/webhooks",
        {"url": "http://127.0.0.1:9/hook", "events": ["*"], "description": "My script"},
    )
    post("/integrations", {"name": "greenhouse"})
    api.close()
    return {
        "application": acme["id"],
        "asked": globex["id"],
        "interviewer": grace["id"],
        "webhook": hook["id"],
        "event": note["id"],
    }


# An export wrong in several places, for the import form's error list.
BAD_EXPORT = b'{"profile": {}, "applications": [{"company": "Acme", "status": "hired"}]}'


def shoot(page: Page, out: Path, name: str, path: str) -> None:
    page.goto(path)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(out / f"{name}-{width}.png"), full_page=True)


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory() as tmp,
        live_server(Path(tmp), webhooks_allow_private_targets="true") as base_url,
    ):
        ids = seed(base_url)
        app_path = f"/applications/{ids['application']}"
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=require_chromium(), args=CHROMIUM_ARGS)
            page = browser.new_context(base_url=base_url, timezone_id="Europe/Berlin").new_page()
            shoot(page, out, "login", "/login")
            shoot(page, out, "signup", "/signup")
            page.goto("/signup")
            page.get_by_role("button", name="Create account").click()
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                page.screenshot(path=str(out / f"signup-errors-{width}.png"), full_page=True)
            page.goto("/login")
            page.get_by_label("Email").fill(EMAIL)
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Log in").click()
            for name, path in [
                ("dashboard", "/"),
                ("applications", "/applications"),
                ("board", "/applications/board"),
                ("progress", "/progress"),
                ("event-edit", f"/events/{ids['event']}/edit"),
                ("application", app_path),
                ("application-asked", f"/applications/{ids['asked']}"),
                ("application-new", "/applications/new"),
                ("application-edit", f"{app_path}/edit"),
                ("application-delete", f"{app_path}/delete"),
                ("interview-new", f"{app_path}/interviews/new"),
                ("interviewer-new", f"{app_path}/interviewers/new"),
                ("event-new", f"{app_path}/events/new"),
                ("references", "/references"),
                ("reference-new", "/references/new"),
                ("settings", "/settings"),
                ("notifications", "/settings/notifications"),
                ("calendar", "/settings/calendar"),
                ("data", "/settings/data"),
                ("tokens", "/settings/tokens"),
                ("webhooks", "/settings/webhooks"),
                ("webhook", f"/settings/webhooks/{ids['webhook']}"),
                ("integrations", "/settings/integrations"),
                ("not-found", "/no/such/page"),
            ]:
                shoot(page, out, name, path)
            page.goto("/applications/new")
            page.get_by_label("Job posting").fill("not a url")
            page.get_by_role("button", name="Add application").click()
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                page.screenshot(path=str(out / f"application-errors-{width}.png"), full_page=True)
            page.goto("/")
            page.locator("details.done-details summary").first.click()
            for width in WIDTHS:  # the first step only: the dashboard is long
                page.set_viewport_size({"width": width, "height": 900})
                page.screenshot(path=str(out / f"done-details-{width}.png"))
            page.get_by_label("When").first.fill("2099-01-01T10:00")
            page.get_by_role("button", name="Mark done").first.click()
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                page.screenshot(path=str(out / f"done-errors-{width}.png"), full_page=True)
            page.goto("/settings/calendar")
            page.get_by_role("button", name="Make a feed link").click()
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                page.screenshot(path=str(out / f"calendar-new-link-{width}.png"), full_page=True)
            # Import needs an empty account: a newcomer's, with a file wrong in places.
            page.get_by_role("button", name="Log out").click()
            page.goto("/signup")
            page.get_by_label("Your name").fill("Nia")
            page.get_by_label("Email").fill("nia@example.com")
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Create account").click()
            page.goto("/settings/data")
            shoot(page, out, "data-empty", "/settings/data")
            page.get_by_label("Export file").set_input_files(
                {"name": "export.json", "mimeType": "application/json", "buffer": BAD_EXPORT}
            )
            page.get_by_role("button", name="Import").click()
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                page.screenshot(path=str(out / f"data-errors-{width}.png"), full_page=True)
            browser.close()
    print(f"screenshots in {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/shots"))
