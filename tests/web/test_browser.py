"""Real-browser walks through the web client with Debian's Chromium.

A new user signs up, adds an application, the person who interviewed them and an
interview that ended an hour ago, finds the thank-you email on the dashboard with its
draft, marks it done, sees it gone and the email on the timeline, edits that entry,
moves the application on the board and looks at the Progress page. On a desktop and
on a phone-sized screen, with and without JavaScript, with no console errors.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.web.live_server import live_server

pytestmark = pytest.mark.browser

TIMEZONE = "Europe/Berlin"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with live_server(tmp_path_factory.mktemp("live")) as url:
        yield url


@dataclass
class Tab:
    """A page, with every console error and uncaught exception it produced."""

    page: Page
    context: BrowserContext
    errors: list[str] = field(default_factory=list)

    def assert_no_errors(self, *, expected_status: int | None = None) -> None:
        """None at all, except Chromium's own note about a page answered with
        `expected_status` (a form re-shown with 422 is the point of some tests)."""
        note = f"the server responded with a status of {expected_status} "
        unexpected = [e for e in self.errors if expected_status is None or note not in e]
        assert unexpected == [], unexpected


def open_tab(chromium: Browser, base_url: str, viewport: dict[str, int], js: bool = True) -> Tab:
    context = chromium.new_context(
        base_url=base_url,
        viewport=viewport,  # type: ignore[arg-type]
        timezone_id=TIMEZONE,
        java_script_enabled=js,
        is_mobile=viewport is PHONE,
        has_touch=viewport is PHONE,
    )
    context.set_default_timeout(10_000)
    if js:
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url)
    tab = Tab(page=context.new_page(), context=context)
    tab.page.on("console", lambda m: tab.errors.append(m.text) if m.type == "error" else None)
    tab.page.on("pageerror", lambda exc: tab.errors.append(str(exc)))
    return tab


@pytest.fixture
def tabs(chromium: Browser) -> Iterator[list[Tab]]:
    opened: list[Tab] = []
    yield opened
    for tab in opened:
        tab.context.close()


def sign_up(page: Page, name: str) -> None:
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login$"))
    page.get_by_role("link", name="Create an account").click()
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Email").fill(f"{secrets.token_hex(4)}@example.com")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Next steps", level=1)).to_be_visible()
    expect(page.get_by_role("status").first).to_contain_text(f"Welcome to Followup, {name}")


def add_application(page: Page) -> None:
    page.get_by_role("link", name="Add an application").first.click()
    page.get_by_label("Company").fill("Acme Corp")
    page.get_by_label("Role", exact=True).fill("Backend Engineer")
    page.get_by_label("Status").select_option("interviewing")
    page.get_by_label("Recruiter or main contact").fill("Priya Patel")
    page.get_by_label("Their email").fill("priya@acme.example")
    page.get_by_role("button", name="Add application").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Acme Corp")
    # Typed once, the recruiter is one of the people, as the main contact.
    people = page.get_by_role("region", name="People you met")
    expect(people.locator(".item", has_text="Priya Patel")).to_contain_text("Main contact")


def add_person_and_interview(page: Page) -> None:
    page.get_by_role("link", name="Add a person").click()
    page.get_by_label("Name", exact=True).fill("Grace Hopper")
    page.get_by_label("Job title").fill("Engineering Manager")
    page.get_by_label("Email").fill("grace@acme.example")
    page.get_by_role("button", name="Add person").click()
    expect(page.get_by_role("status").first).to_contain_text("Added Grace Hopper.")

    page.get_by_role("link", name="Add an interview").click()
    started = datetime.now(ZoneInfo(TIMEZONE)) - timedelta(hours=2)
    page.get_by_label("Starts").fill(started.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Grace Hopper").check()
    page.get_by_label("Something specific you discussed").fill("the billing pipeline")
    page.get_by_role("button", name="Add interview").click()
    expect(page.get_by_role("status").first).to_contain_text("Interview added.")
    expect(page.get_by_text("With Grace Hopper")).to_be_visible()


def thank_you_step(page: Page):  # type: ignore[no-untyped-def]
    return page.locator('article[data-rule="send_thank_you_email"]', has_text="Grace Hopper")


def walk(tab: Tab, name: str, *, js: bool) -> None:
    page = tab.page
    sign_up(page, name)
    expect(page.get_by_text("Nothing to do right now")).to_be_visible()
    add_application(page)
    add_person_and_interview(page)

    page.get_by_role("link", name="Next steps").click()
    step = thank_you_step(page)
    expect(step).to_have_count(1)
    expect(step.get_by_role("heading")).to_have_text(re.compile(r"thank-you.*Grace Hopper", re.I))
    expect(step).to_contain_text("Why:")
    if step.locator("details.draft").get_attribute("open") is None:
        step.locator("details.draft summary").click()
    body = step.get_by_label("Message")
    expect(body).to_be_visible()
    expect(body).to_have_js_property("readOnly", True)
    draft = body.input_value()
    assert "Grace" in draft
    assert "Acme Corp" in draft
    copy = step.get_by_role("button", name="Copy message")
    if js:
        copy.click()
        expect(step.get_by_role("status")).to_have_text("Copied to the clipboard.")
        assert page.evaluate("navigator.clipboard.readText()") == draft
    else:
        expect(copy).to_be_hidden()  # nothing that needs a script is offered without one

    step.get_by_role("button", name="Done", exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text("Done:")
    expect(thank_you_step(page)).to_have_count(0)

    page.get_by_role("link", name="Applications", exact=True).click()
    page.get_by_role("link", name="Acme Corp — Backend Engineer").click()
    timeline = page.locator("ol.timeline")
    expect(timeline).to_contain_text("Thank-you email · Grace Hopper")

    page.get_by_role("link", name=re.compile(r"^Edit Thank-you email")).click()
    page.get_by_label("Notes").fill("Sent from the train")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("status").first).to_contain_text("Entry updated.")
    expect(timeline).to_contain_text("Sent from the train")

    answer_next_steps(page)
    move_on_the_board(page)
    see_progress(page)


def answer_next_steps(page: Page) -> None:
    """Done with "ask about next steps" on the application's page; it asks for the answer."""
    step = page.locator('article[data-rule="ask_next_steps"]')
    if not step.is_visible():
        page.locator("details.more-steps > summary").first.click()
    step.get_by_role("button", name="Done", exact=True).click()
    form = page.get_by_role("form", name="You asked about next steps. What did they say?")
    heard_by = datetime.now(ZoneInfo(TIMEZONE)).date() + timedelta(days=10)
    form.get_by_label("You'll hear back by").fill(heard_by.isoformat())
    form.get_by_label("Will there be another round?").select_option("yes")
    form.get_by_role("button", name="Save their answer").click()
    expect(page.get_by_role("status").first).to_contain_text("Saved their answer.")
    expect(form).to_have_count(0)
    expect(page.get_by_role("region", name="What they told you")).to_contain_text(
        f"{heard_by.day} {heard_by:%b}"
    )


def move_on_the_board(page: Page) -> None:
    page.get_by_role("link", name="Applications", exact=True).click()
    expect(page.get_by_role("navigation", name="Applications by status")).to_contain_text(
        "1 Interviewing"
    )
    page.get_by_role("link", name="Board", exact=True).click()
    card = page.locator(".board-card", has_text="Acme Corp")
    card.get_by_label("Move Acme Corp to").select_option("offer")
    card.get_by_role("button", name="Move").click()
    expect(page.get_by_role("status").first).to_contain_text("Acme Corp: now “Offer”.")
    offers = page.get_by_role("region", name=re.compile(r"^Offer"))
    expect(offers.locator(".board-card")).to_contain_text("Acme Corp")


def see_progress(page: Page) -> None:
    page.get_by_role("link", name="Progress").click()
    expect(page.get_by_role("heading", name="Progress", level=1)).to_be_visible()
    funnel = page.get_by_role("img", name=re.compile("^Funnel"))
    expect(funnel).to_be_visible()
    expect(page.get_by_role("table", name="Applications that reached each stage")).to_contain_text(
        "Offer"
    )


@pytest.mark.parametrize(
    ("viewport", "js"),
    [(DESKTOP, True), (PHONE, True), (PHONE, False)],
    ids=["desktop", "phone", "phone-without-js"],
)
def test_a_new_user_thanks_their_interviewer(
    chromium: Browser, server_url: str, tabs: list[Tab], viewport: dict[str, int], js: bool
) -> None:
    tab = open_tab(chromium, server_url, viewport, js=js)
    tabs.append(tab)
    walk(tab, "Ada Lovelace", js=js)
    if viewport is PHONE:
        width = tab.page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], "the page scrolls sideways on a phone"
    tab.assert_no_errors()


def test_sign_up_picks_up_the_browsers_timezone(
    chromium: Browser, server_url: str, tabs: list[Tab]
) -> None:
    tab = open_tab(chromium, server_url, DESKTOP)
    tabs.append(tab)
    tab.page.goto("/signup")
    expect(tab.page.get_by_label("Your timezone")).to_have_value(TIMEZONE)
    tab.assert_no_errors()


def test_invalid_input_is_marked_and_focused(
    chromium: Browser, server_url: str, tabs: list[Tab]
) -> None:
    tab = open_tab(chromium, server_url, PHONE)
    tabs.append(tab)
    page = tab.page
    page.goto("/signup")
    page.get_by_label("Your name").fill("Ada")
    page.get_by_label("Email").fill("not-an-email")
    page.get_by_label("Password").fill("short")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("alert")).to_be_focused()
    email = page.get_by_label("Email")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_value("not-an-email")
    expect(email).to_have_accessible_description(
        re.compile("Enter an email address like name@example.com")
    )
    expect(page.get_by_label("Your name")).to_have_value("Ada")
    tab.assert_no_errors(expected_status=422)


def test_keyboard_only_login(chromium: Browser, server_url: str, tabs: list[Tab]) -> None:
    tab = open_tab(chromium, server_url, DESKTOP)
    tabs.append(tab)
    page = tab.page
    sign_up(page, "Keyboard User")
    email = page.evaluate("() => fetch('/settings').then(r => r.text())")
    address = re.search(r'id="f-email"[^>]*value="([^"]+)"', email)
    assert address
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/login$"))

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box is not None
    assert box["y"] >= 0, "the skip link stays off-screen when focused"
    outline = skip.evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline != "none", "focus is not visible"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Email")).to_be_focused()
    page.keyboard.type(address.group(1))
    page.keyboard.press("Tab")
    page.keyboard.type("correct horse battery")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Next steps", level=1)).to_be_visible()
    tab.assert_no_errors()
