"""events.version, for ETags and If-Match now that events can be edited

Revision ID: b80104050607
Revises: a70102030406
Create Date: 2026-12-08 00:00:00

A plain ADD COLUMN with a server default, not a batch rebuild: rebuilding the table on
SQLite would drop the data_version triggers on `events`. Every existing event starts at 1.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "b80104050607"
down_revision: str | None = "a70102030406"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("events", sa.Column("version", sa.Integer(), nullable=False, server_default="1"))


def downgrade() -> None:
    op.drop_column("events", "version")
