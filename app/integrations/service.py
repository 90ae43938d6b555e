"""Integrations: the inbound endpoints a user hands to their ATS-like tools."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.crud import get_owned
from app.core.errors import Conflict
from app.core.pagination import PageParams, paginate
from app.integrations.schemas import IntegrationCreate
from app.models import Integration, User
from app.webhooks.signing import new_secret


async def get_integration(
    session: AsyncSession, user_id: uuid.UUID, integration_id: uuid.UUID
) -> Integration:
    return await get_owned(session, Integration, user_id, integration_id, "integration")


async def list_integrations(
    session: AsyncSession, user: User, params: PageParams
) -> tuple[Sequence[Integration], str | None]:
    return await paginate(
        session,
        select(Integration).where(Integration.owner_id == user.id),
        sort_column=Integration.created_at,
        id_column=Integration.id,
        params=params,
    )


async def create_integration(
    session: AsyncSession, user: User, data: IntegrationCreate
) -> Integration:
    integration = Integration(owner_id=user.id, name=data.name, secret=new_secret())
    taken = await session.scalar(
        select(Integration.id).where(Integration.owner_id == user.id, Integration.name == data.name)
    )
    if taken is not None:
        raise _name_taken()
    session.add(integration)
    try:
        await session.flush()
    except IntegrityError as exc:  # a concurrent request took the name first
        raise _name_taken() from exc
    return integration


async def delete_integration(session: AsyncSession, integration: Integration) -> None:
    # Applications and interviews it created stay: they are the user's data now.
    await session.delete(integration)
    await session.flush()


def _name_taken() -> Conflict:
    return Conflict("You already have an integration with this name.")
