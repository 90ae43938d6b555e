"""Applications as a list (soonest next step first, counts per status) and as a board."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Application, Event
from app.recommendations import service as recommendations
from tests.dbstate import snapshot
from tests.factories import UserWithToken, create_application
from tests.web.helpers import Browser, assert_html, text_of

pytestmark = pytest.mark.anyio


async def test_rows_show_the_next_step_soonest_first_with_counts(
    web: Browser, session: AsyncSession, just_interviewed: Application
) -> None:
    await create_application(session, web.user, company="Zeta Rejected", status="rejected")
    page = assert_html(await web.get("/applications"), 200)
    text = text_of(page)
    # The application with a step due comes before the one with none, whatever the names.
    assert text.index("Acme Corp") < text.index("Zeta Rejected")
    assert "Next: " in text
    assert "No next step" in text
    assert "1 Interviewing" in text
    assert "1 Rejected" in text
    assert "0 Offer" in text
    newest = text_of(assert_html(await web.get("/applications?sort=newest"), 200))
    assert newest.index("Zeta Rejected") < newest.index("Acme Corp")


async def test_the_page_computes_next_steps_once(
    web: Browser,
    session: AsyncSession,
    just_interviewed: Application,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for n in range(3):
        await create_application(session, web.user, company=f"Other {n}")
    calls = 0
    real = recommendations.list_recommendations

    async def counted(*args: object, **kwargs: object) -> object:
        nonlocal calls
        calls += 1
        return await real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr("app.web.routes.pipeline.list_recommendations", counted)
    assert_html(await web.get("/applications"), 200)
    assert_html(await web.get("/applications/board"), 200)
    assert calls == 2


async def test_the_board_has_a_column_per_status_and_moves_cards(
    web: Browser, session: AsyncSession, just_interviewed: Application
) -> None:
    board = assert_html(await web.get("/applications/board"), 200)
    for heading in ("Applied", "Interviewing", "Offer", "Accepted", "Rejected", "Withdrawn"):
        assert f">{heading}</span>" in board
    assert f'action="/applications/{just_interviewed.id}/status"' in board
    assert f'<label for="card-{just_interviewed.id}-status">Move Acme Corp to</label>' in board
    r = await web.post(f"/applications/{just_interviewed.id}/status", {"status": "offer"})
    assert r.status_code == 303
    await session.refresh(just_interviewed)
    assert just_interviewed.status == "offer"
    change = await session.scalar(select(Event).where(Event.type == "status_changed"))
    assert change is not None
    assert (change.from_status, change.to_status) == ("interviewing", "offer")


@pytest.mark.parametrize("status", ["", "hired", "status_changed"])
async def test_a_bad_move_shows_the_error_on_its_card_and_changes_nothing(
    web: Browser, session: AsyncSession, just_interviewed: Application, status: str
) -> None:
    before = await snapshot(session)
    page = assert_html(
        await web.post(f"/applications/{just_interviewed.id}/status", {"status": status}), 422
    )
    assert f'id="card-{just_interviewed.id}-error"' in page
    assert 'aria-invalid="true"' in page
    assert await snapshot(session) == before


async def test_someone_elses_card_is_not_found(
    web: Browser, session: AsyncSession, bob: UserWithToken
) -> None:
    theirs = await create_application(session, bob.user)
    r = await web.post(f"/applications/{theirs.id}/status", {"status": "offer"})
    assert r.status_code == 404
