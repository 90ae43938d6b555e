"""`followup rotate-keys`: every encrypted value rewritten under the newest key.

The columns are found by their type, so a new encrypted column is rotated without
being listed here. Values are read and written as stored (`type_coerce` to a plain
string), never decrypted into the process: MultiFernet's rotate re-wraps the token.
"""

from __future__ import annotations

from sqlalchemy import String, select, type_coerce, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.encryption import EncryptedString, Keyring
from app.models import Base


async def rotate_stored_secrets(session: AsyncSession, keyring: Keyring) -> int:
    """Re-encrypt every stored secret with the keyring's first key; how many there were."""
    rotated = 0
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if not isinstance(column.type, EncryptedString):
                continue
            stored = type_coerce(column, String())
            rows = await session.execute(select(table.c.id, stored).where(column.is_not(None)))
            for row_id, token in rows.all():
                await session.execute(
                    update(table)
                    .where(table.c.id == row_id)
                    .values({column.name: type_coerce(keyring.rotate(token), String())})
                )
                rotated += 1
    await session.flush()
    return rotated
