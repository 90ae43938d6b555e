"""recommendation dismissals and snoozes

Revision ID: b2c3d4e5f601
Revises: 96e985092bf4
Create Date: 2026-11-26 13:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

import app.models.base
from alembic import op

revision: str = "b2c3d4e5f601"
down_revision: str | None = "96e985092bf4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "recommendation_states",
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("recommendation_id", sa.String(length=64), nullable=False),
        sa.Column("dismissed_at", app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("snoozed_until", app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_recommendation_states_owner_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recommendation_states")),
        sa.UniqueConstraint(
            "owner_id",
            "recommendation_id",
            name=op.f("uq_recommendation_states_owner_id_recommendation_id"),
        ),
    )


def downgrade() -> None:
    op.drop_table("recommendation_states")
