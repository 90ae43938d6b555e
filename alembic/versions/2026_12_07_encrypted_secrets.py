"""webhook and integration secrets encrypted at rest

Revision ID: a70203040506
Revises: f60102030405
Create Date: 2026-12-07 23:00:00

The signing secrets were stored as they are; they become Fernet tokens under the first
key of FOLLOWUP_ENCRYPTION_KEYS (read from the settings, as env.py reads the database
URL), so a copy of the database no longer signs anything. Downgrading decrypts them.
"""

from collections.abc import Callable, Sequence

import sqlalchemy as sa

from alembic import op
from app.core.config import get_settings
from app.core.encryption import Keyring

revision: str = "a70203040506"
down_revision: str | None = "f60102030405"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("webhook_subscriptions", "integrations")
PLAIN_LENGTH = 100
ENCRYPTED_LENGTH = 255


def upgrade() -> None:
    for name in TABLES:
        _resize(name, PLAIN_LENGTH, ENCRYPTED_LENGTH)
    keyring = Keyring.from_settings(get_settings())
    for name in TABLES:
        _rewrite(name, keyring.encrypt)


def downgrade() -> None:
    keyring = Keyring.from_settings(get_settings())
    for name in TABLES:
        _rewrite(name, keyring.decrypt)
    for name in TABLES:
        _resize(name, ENCRYPTED_LENGTH, PLAIN_LENGTH)


def _resize(name: str, old: int, new: int) -> None:
    with op.batch_alter_table(name) as batch_op:
        batch_op.alter_column(
            "secret",
            existing_type=sa.String(length=old),
            type_=sa.String(length=new),
            existing_nullable=False,
        )


def _rewrite(name: str, change: Callable[[str], str]) -> None:
    table = sa.table(name, sa.column("id", sa.Uuid()), sa.column("secret", sa.String()))
    connection = op.get_bind()
    rows = connection.execute(sa.select(table.c.id, table.c.secret)).all()
    for row in rows:
        connection.execute(
            table.update().where(table.c.id == row.id).values(secret=change(row.secret))
        )
