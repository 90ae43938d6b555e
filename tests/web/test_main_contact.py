"""The recruiter is entered once: the application's form makes them one of its people,
marked main contact, and a person's form keeps the application's recruiter in step."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Application, Interviewer
from tests.dbstate import snapshot
from tests.factories import create_application, create_interview, create_interviewer
from tests.web.helpers import Browser, assert_html, text_of

pytestmark = pytest.mark.anyio

FORM = {"company": "Acme Corp", "role_title": "Backend Engineer", "status": "applied"}


async def _people(
    session: AsyncSession, application_id: object
) -> list[tuple[str, str | None, bool]]:
    session.expire_all()
    rows = await session.scalars(
        select(Interviewer)
        .where(Interviewer.application_id == application_id)
        .order_by(Interviewer.created_at)
    )
    return [(p.name, p.email, p.is_main_contact) for p in rows]


async def _recruiter(session: AsyncSession, application_id: object) -> tuple[str | None, ...]:
    session.expire_all()
    application = await session.get(Application, application_id)
    assert application is not None
    return application.recruiter_name, application.recruiter_email


async def test_a_new_application_s_recruiter_becomes_its_main_contact(
    web: Browser, session: AsyncSession
) -> None:
    form = FORM | {"recruiter_name": "Priya Patel", "recruiter_email": "priya@acme.example"}
    r = await web.post("/applications/new", form)
    assert r.status_code == 303
    application = await session.scalar(select(Application))
    assert application is not None
    assert await _people(session, application.id) == [("Priya Patel", "priya@acme.example", True)]
    page = text_of(assert_html(await web.get(r.headers["location"]), 200))
    # Shown once: among the people, tagged, with no second "Main contact:" line.
    assert page.count("Priya Patel Main contact") == 1
    assert "Main contact:" not in page


async def test_the_recruiter_typed_again_links_the_person_already_there(
    web: Browser, session: AsyncSession
) -> None:
    application = await create_application(session, web.user)
    await create_interviewer(session, application, name="Priya", email="priya@acme.example")
    tom = await create_interviewer(session, application, name="Tom", is_main_contact=True)
    form = FORM | {"recruiter_name": "Priya Patel", "recruiter_email": "PRIYA@acme.example"}
    r = await web.post(f"/applications/{application.id}/edit", form)
    assert r.status_code == 303
    # The same email (in any case): the person is linked, not copied, and takes the name
    # as typed; Tom is no longer a second main contact.
    assert await _people(session, application.id) == [
        ("Priya Patel", "PRIYA@acme.example", True),
        ("Tom", None, False),
    ]
    assert tom.version == 2  # an edit like any other: its ETag moves


async def test_only_an_email_typed_takes_the_person_s_name(
    web: Browser, session: AsyncSession
) -> None:
    application = await create_application(session, web.user)
    await create_interviewer(session, application, name="Priya Patel", email="priya@acme.example")
    r = await web.post(
        f"/applications/{application.id}/edit", FORM | {"recruiter_email": "priya@acme.example"}
    )
    assert r.status_code == 303
    assert await _recruiter(session, application.id) == ("Priya Patel", "priya@acme.example")
    assert await _people(session, application.id) == [("Priya Patel", "priya@acme.example", True)]


async def test_clearing_the_recruiter_unmarks_their_person(
    web: Browser, session: AsyncSession
) -> None:
    application = await create_application(
        session, web.user, recruiter_name="Priya", recruiter_email="priya@acme.example"
    )
    await create_interviewer(
        session, application, name="Priya", email="priya@acme.example", is_main_contact=True
    )
    form = FORM | {"recruiter_name": "", "recruiter_email": ""}
    assert (await web.post(f"/applications/{application.id}/edit", form)).status_code == 303
    assert await _recruiter(session, application.id) == (None, None)
    assert await _people(session, application.id) == [("Priya", "priya@acme.example", False)]


async def test_marking_a_person_main_contact_makes_them_the_recruiter(
    web: Browser, session: AsyncSession
) -> None:
    application = await create_application(
        session, web.user, recruiter_name="Priya", recruiter_email="priya@acme.example"
    )
    await create_interviewer(
        session, application, name="Priya", email="priya@acme.example", is_main_contact=True
    )
    r = await web.post(
        f"/applications/{application.id}/interviewers/new",
        {"name": "Omar Haddad", "email": "omar@acme.example", "is_main_contact": "yes"},
    )
    assert r.status_code == 303
    assert await _recruiter(session, application.id) == ("Omar Haddad", "omar@acme.example")
    assert await _people(session, application.id) == [
        ("Priya", "priya@acme.example", False),
        ("Omar Haddad", "omar@acme.example", True),
    ]


async def test_editing_the_main_contact_edits_the_recruiter_and_unmarking_clears_it(
    web: Browser, session: AsyncSession
) -> None:
    application = await create_application(
        session, web.user, recruiter_name="Priya", recruiter_email="priya@acme.example"
    )
    priya = await create_interviewer(
        session, application, name="Priya", email="priya@acme.example", is_main_contact=True
    )
    edit = f"/interviewers/{priya.id}/edit"
    fields = {"name": "Priya Patel", "email": "p.patel@acme.example", "is_main_contact": "yes"}
    assert (await web.post(edit, fields)).status_code == 303
    assert await _recruiter(session, application.id) == ("Priya Patel", "p.patel@acme.example")
    fields.pop("is_main_contact")
    assert (await web.post(edit, fields)).status_code == 303
    assert await _recruiter(session, application.id) == (None, None)


async def test_removing_the_main_contact_leaves_no_recruiter(
    web: Browser, session: AsyncSession
) -> None:
    application = await create_application(
        session, web.user, recruiter_name="Priya", recruiter_email="priya@acme.example"
    )
    priya = await create_interviewer(
        session, application, name="Priya", email="priya@acme.example", is_main_contact=True
    )
    confirm = text_of(assert_html(await web.get(f"/interviewers/{priya.id}/delete"), 200))
    assert "The application will have no main contact." in confirm
    assert (await web.post(f"/interviewers/{priya.id}/delete", {})).status_code == 303
    assert await _recruiter(session, application.id) == (None, None)


async def test_a_bad_recruiter_email_changes_nothing(web: Browser, session: AsyncSession) -> None:
    application = await create_application(session, web.user)
    before = await snapshot(session)
    form = FORM | {"recruiter_name": "Priya", "recruiter_email": "not an email"}
    r = await web.post(f"/applications/{application.id}/edit", form)
    assert r.status_code == 422
    assert await snapshot(session) == before


async def test_a_recruiter_only_in_the_api_s_fields_is_still_shown(
    web: Browser, session: AsyncSession
) -> None:
    application = await create_application(
        session, web.user, recruiter_name="Priya", recruiter_email="priya@acme.example"
    )
    page = text_of(assert_html(await web.get(f"/applications/{application.id}"), 200))
    assert "Main contact: Priya · priya@acme.example" in page
    assert "not yet among the people" in page


async def test_a_step_for_the_recruiter_names_them_as_their_person_does(
    web: Browser, session: AsyncSession
) -> None:
    application = await create_application(
        session, web.user, recruiter_name="Priya", recruiter_email="priya@acme.example"
    )
    await create_interviewer(
        session,
        application,
        name="Priya",
        title="Talent Partner",
        email="priya@acme.example",
        is_main_contact=True,
    )
    tom = await create_interviewer(session, application, name="Tom", email=None)
    await create_interview(session, application, [tom])
    page = text_of(assert_html(await web.get("/"), 200))
    # Asking for Tom's email is a note to the recruiter, titled as on the application's page.
    assert "For Priya (Talent Partner)" in page
    assert "(Recruiter)" not in page
