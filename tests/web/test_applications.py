"""Applications in the web client: list, filter, create, edit, delete, ownership."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Application, Event
from app.web.routes.applications import CHECKBOXES, FIELDS
from tests.dbstate import snapshot
from tests.factories import (
    UserWithToken,
    create_application,
    create_event,
    create_interview,
    create_interviewer,
    create_reference,
)
from tests.web.helpers import Browser, assert_html, field_error, flash_of, input_value, text_of

pytestmark = pytest.mark.anyio


async def test_empty_list_invites_to_add_one(web: Browser) -> None:
    page = assert_html(await web.get("/applications"), 200)
    assert "No applications yet" in page
    assert 'href="/applications/new"' in page


async def test_list_filters_by_status_and_searches(web: Browser, session: AsyncSession) -> None:
    await create_application(session, web.user, company="Acme Corp", status="interviewing")
    await create_application(session, web.user, company="Globex", status="rejected")
    await create_application(session, web.user, company="Initech", role_title="Data Engineer")
    all_page = text_of(assert_html(await web.get("/applications"), 200))
    assert all(name in all_page for name in ("Acme Corp", "Globex", "Initech"))
    rejected = text_of((await web.get("/applications?status=rejected")).text)
    assert "Globex" in rejected
    assert "Acme Corp" not in rejected
    active = text_of((await web.get("/applications?status=active")).text)
    assert "Globex" not in active
    assert "Acme Corp" in active
    found = text_of((await web.get("/applications?q=data")).text)
    assert "Initech" in found
    assert "Globex" not in found
    nothing = text_of((await web.get("/applications?q=zzz")).text)
    assert "No applications match" in nothing
    # An unknown status is no filter rather than an error.
    assert_html(await web.get("/applications?status=bogus"), 200)


async def test_list_pages_through_more_applications(web: Browser, session: AsyncSession) -> None:
    for n in range(27):
        await create_application(session, web.user, company=f"Company {n:02d}")
    page = assert_html(await web.get("/applications"), 200)
    assert page.count('class="item"') == 25
    older = page.split('class="pager"')[1].split('href="')[1].split('"')[0].replace("&amp;", "&")
    rest = assert_html(await web.get(older), 200)
    assert rest.count('class="item"') == 2


async def test_create_with_every_field(web: Browser, session: AsyncSession) -> None:
    reference = await create_reference(session, web.user, name="Margaret Hamilton")
    web.user.timezone = "Europe/Berlin"
    await session.commit()
    r = await web.post(
        "/applications/new",
        {
            "company": "Acme Corp",
            "role_title": "Backend Engineer",
            "status": "interviewing",
            "location": "Berlin",
            "job_url": "https://acme.example/jobs/1",
            "recruiter_name": "Rita Recruiter",
            "recruiter_email": "rita@acme.example",
            "expected_response_by": "2026-12-04",
            "second_round_expected": "yes",
            "follow_up_channel": "email Rita",
            "references_requested_at": "2026-12-01T10:00",
            "reference_ids": [str(reference.id)],
            "notes": "Met at PyCon",
        },
    )
    assert r.status_code == 303
    application = await session.scalar(select(Application))
    assert application is not None
    assert r.headers["location"] == f"/applications/{application.id}"
    assert application.status == "interviewing"
    assert application.second_round_expected is True
    assert application.source == "manual"
    # Typed in Berlin time (UTC+1 in December), stored in UTC.
    assert application.references_requested_at == datetime(2026, 12, 1, 9, tzinfo=UTC)
    await session.refresh(application, ["references"])
    assert [r.name for r in application.references] == ["Margaret Hamilton"]
    # A status given at creation records no status_changed event (same as the API).
    assert (await session.scalars(select(Event))).all() == []
    page = text_of(assert_html(await web.get(r.headers["location"]), 200))
    assert "Application added." in page
    assert "Acme Corp" in page
    assert "Margaret Hamilton" in page
    assert "Tue 1 Dec 2026, 10:00" in page or "Tue 1 Dec, 10:00" in page


async def test_the_form_has_a_control_for_each_field_it_reads(
    web: Browser, session: AsyncSession
) -> None:
    await create_reference(session, web.user)  # the reference checkboxes need one
    application = await create_application(session, web.user)
    for url in ("/applications/new", f"/applications/{application.id}/edit"):
        page = assert_html(await web.get(url), 200)
        drawn = set(re.findall(r'<(?:input|select|textarea)\b[^>]*\bname="([^"]+)"', page))
        missing = sorted({*FIELDS, *CHECKBOXES} - drawn)
        assert missing == [], f"app/web/templates/applications/form.html: draw {missing}"


async def test_create_with_invalid_input_keeps_it(web: Browser, session: AsyncSession) -> None:
    before = await snapshot(session)
    r = await web.post(
        "/applications/new",
        {
            "company": "  ",
            "role_title": "Backend Engineer",
            "status": "applied",
            "job_url": "not a url",
            "recruiter_email": "rita@",
            "references_requested_at": "yesterday",
        },
    )
    page = assert_html(r, 422)
    assert field_error(page, "f-references_requested_at") == (
        "Enter a date and time, like 2026-03-01 14:00."
    )
    assert input_value(page, "f-role_title") == "Backend Engineer"
    assert input_value(page, "f-job_url") == "not a url"
    assert await snapshot(session) == before
    # Once the time is fixed, the model's own checks speak.
    r = await web.post(
        "/applications/new",
        {
            "company": "",
            "role_title": "Backend Engineer",
            "status": "applied",
            "job_url": "not a url",
            "recruiter_email": "rita@",
        },
    )
    page = assert_html(r, 422)
    assert field_error(page, "f-company") == "This is required."
    assert field_error(page, "f-job_url") == "Enter a web address starting with https://."
    assert field_error(page, "f-recruiter_email") == "Enter an email address like name@example.com."
    assert field_error(page, "f-role_title") is None
    assert await snapshot(session) == before


async def test_create_with_someone_elses_reference_is_refused(
    web: Browser, session: AsyncSession, bob: UserWithToken
) -> None:
    foreign = await create_reference(session, bob.user)
    before = await snapshot(session)
    r = await web.post(
        "/applications/new",
        {
            "company": "A",
            "role_title": "B",
            "status": "applied",
            "reference_ids": [str(foreign.id)],
        },
    )
    page = assert_html(r, 422)
    assert "No reference of yours has the id" in (field_error(page, "f-reference_ids") or "")
    assert await snapshot(session) == before


@pytest.mark.parametrize("token", [None, "", "wrong"])
async def test_create_needs_the_csrf_token(
    web: Browser, session: AsyncSession, token: str | None
) -> None:
    before = await snapshot(session)
    data = {"company": "A", "role_title": "B", "status": "applied"}
    if token is not None:
        data["csrf_token"] = token
    page = assert_html(await web.client.post("/applications/new", data=data), 403)
    assert "nothing was changed" in text_of(page)
    assert await snapshot(session) == before


async def test_edit_shows_current_values_and_saves(web: Browser, session: AsyncSession) -> None:
    application = await create_application(
        session, web.user, location="Berlin", second_round_expected=False
    )
    page = assert_html(await web.get(f"/applications/{application.id}/edit"), 200)
    assert input_value(page, "f-company") == "Acme Corp"
    assert input_value(page, "f-location") == "Berlin"
    assert '<option value="no" selected>' in page
    r = await web.post(
        f"/applications/{application.id}/edit",
        {
            "company": "Acme Corp",
            "role_title": "Staff Engineer",
            "status": "offer",
            "location": "",
            "second_round_expected": "",
        },
    )
    assert r.status_code == 303
    await session.refresh(application)
    assert application.role_title == "Staff Engineer"
    assert application.location is None  # a blank field clears it
    assert application.second_round_expected is None
    assert application.status == "offer"
    events = (await session.scalars(select(Event))).all()
    assert [(e.type, e.from_status, e.to_status) for e in events] == [
        ("status_changed", "applied", "offer")
    ]
    detail = text_of((await web.get(f"/applications/{application.id}")).text)
    assert "Status: Applied → Offer" in detail


async def test_edit_with_invalid_input_changes_nothing(web: Browser, session: AsyncSession) -> None:
    application = await create_application(session, web.user)
    before = await snapshot(session)
    r = await web.post(
        f"/applications/{application.id}/edit",
        {"company": "Renamed", "role_title": "", "status": "offer"},
    )
    page = assert_html(r, 422)
    assert field_error(page, "f-role_title") == "This is required."
    assert input_value(page, "f-company") == "Renamed"
    assert "Acme Corp — Backend Engineer" in text_of(page)  # the heading shows what is saved
    assert await snapshot(session) == before


async def test_edit_needs_the_csrf_token(web: Browser, session: AsyncSession) -> None:
    application = await create_application(session, web.user)
    before = await snapshot(session)
    r = await web.client.post(
        f"/applications/{application.id}/edit",
        data={"company": "X", "role_title": "Y", "status": "offer"},
    )
    assert_html(r, 403)
    assert await snapshot(session) == before


async def test_detail_page_shows_everything_about_the_application(
    web: Browser, session: AsyncSession
) -> None:
    application = await create_application(session, web.user, recruiter_name="Rita Recruiter")
    grace = await create_interviewer(session, application, email="grace@acme.example")
    await create_interview(session, application, [grace], topics="the billing pipeline")
    await create_event(session, application, type="note", notes="Called the office")
    page = text_of(assert_html(await web.get(f"/applications/{application.id}"), 200))
    for expected in (
        "Acme Corp",
        "Backend Engineer",
        "Grace Hopper",
        "grace@acme.example",
        "the billing pipeline",
        "Called the office",
        "Rita Recruiter",
        "Next steps",
        "Timeline",
    ):
        assert expected in page, expected
    assert "Email a thank-you to Grace Hopper" in page or "thank-you" in page.lower()


async def test_someone_elses_application_is_not_found(
    web: Browser, session: AsyncSession, bob: UserWithToken
) -> None:
    theirs = await create_application(session, bob.user, company="Bob's Secret Co")
    for path in ("", "/edit", "/delete", "/interviews/new", "/interviewers/new", "/events/new"):
        page = assert_html(await web.get(f"/applications/{theirs.id}{path}"), 404)
        assert "Page not found" in page
        assert "Bob's Secret Co" not in page
    before = await snapshot(session)
    r = await web.post(f"/applications/{theirs.id}/delete")
    assert_html(r, 404)
    r = await web.post(
        f"/applications/{theirs.id}/edit", {"company": "X", "role_title": "Y", "status": "offer"}
    )
    assert_html(r, 404)
    assert await snapshot(session) == before


async def test_malformed_ids_are_not_found(web: Browser) -> None:
    assert "Page not found" in assert_html(await web.get("/applications/not-a-uuid"), 404)


async def test_delete_asks_first_then_deletes_everything(
    web: Browser, session: AsyncSession
) -> None:
    application = await create_application(session, web.user)
    grace = await create_interviewer(session, application)
    await create_interview(session, application, [grace])
    await create_event(session, application)
    confirm = assert_html(await web.get(f"/applications/{application.id}/delete"), 200)
    assert "Delete this application?" in confirm
    assert "can't be undone" in text_of(confirm)
    assert (await session.get(Application, application.id)) is not None  # asking changed nothing
    r = await web.post(f"/applications/{application.id}/delete")
    assert r.status_code == 303
    assert r.headers["location"] == "/applications"
    session.expunge_all()
    assert (await session.scalars(select(Application))).all() == []
    assert (await session.scalars(select(Event))).all() == []
    page = assert_html(await web.get("/applications"), 200)
    assert "Deleted Acme Corp — Backend Engineer." in (flash_of(page) or "")


async def test_delete_needs_the_csrf_token(web: Browser, session: AsyncSession) -> None:
    application = await create_application(session, web.user)
    before = await snapshot(session)
    r = await web.client.post(f"/applications/{application.id}/delete")
    assert_html(r, 403)
    assert await snapshot(session) == before
