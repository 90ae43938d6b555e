"""mail notifications: settings, the scheduler's next_check_at, the mail outbox

Revision ID: a70102030406
Revises: a70203040506
Create Date: 2026-12-07 23:10:00

The data_version triggers also set users.next_check_at to the epoch, "look at this user
again now": triggers can't run the policy engine to find the real next instant, but they
see every write (API, pages, import, integrations, cascading deletes), and the scheduler's
next tick computes the instant and stores it.
"""

from collections.abc import Sequence

import sqlalchemy as sa

import app.models.base
from alembic import op

revision: str = "a70102030406"
down_revision: str | None = "a70203040506"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As in the data_version migration: the tables the engine reads, and their owner.
OWNED_TABLES = (
    "applications",
    "interviews",
    "interviewers",
    "events",
    "references",
    "recommendation_states",
)
LINK_TABLES = {
    "application_references": "(SELECT owner_id FROM applications WHERE id = {row}.application_id)",
    "interview_interviewers": "(SELECT owner_id FROM interviews WHERE id = {row}.interview_id)",
}
OPERATIONS = ("INSERT", "UPDATE", "DELETE")
PG_RANDOM = "floor(random() * 4e18)::bigint"
SQLITE_RANDOM = "random()"
# The epoch as each backend stores a UTCDateTime (SQLite: text without an offset).
PG_EPOCH = "'1970-01-01 00:00:00+00'::timestamptz"
SQLITE_EPOCH = "'1970-01-01 00:00:00.000000'"


def _owner(table: str, row: str) -> str:
    if table in LINK_TABLES:
        return LINK_TABLES[table].format(row=row)
    return f"{row}.owner_id"


def _sqlite_triggers(with_check: bool) -> None:
    check = f", next_check_at = {SQLITE_EPOCH}" if with_check else ""
    for table in (*OWNED_TABLES, *LINK_TABLES):
        for operation in OPERATIONS:
            name = f"bump_data_version_{table}_{operation.lower()}"
            owner = _owner(table, "OLD" if operation == "DELETE" else "NEW")
            op.execute(f'DROP TRIGGER "{name}"')
            op.execute(
                f'CREATE TRIGGER "{name}" AFTER {operation} ON "{table}" FOR EACH ROW BEGIN '
                f"UPDATE users SET data_version = {SQLITE_RANDOM}{check} WHERE id = {owner}; END"
            )


def _postgresql_functions(with_check: bool) -> None:
    # The triggers stay as they are (deferred to commit); only what they run changes.
    check = f", next_check_at = {PG_EPOCH}" if with_check else ""
    for table in (*OWNED_TABLES, *LINK_TABLES):
        owner_new, owner_old = _owner(table, "NEW"), _owner(table, "OLD")
        op.execute(
            f"CREATE OR REPLACE FUNCTION bump_data_version_{table}() RETURNS trigger "
            f"LANGUAGE plpgsql AS $$ BEGIN "
            f"UPDATE users SET data_version = {PG_RANDOM}{check} WHERE id = "
            f"CASE WHEN TG_OP = 'DELETE' THEN {owner_old} ELSE {owner_new} END; "
            f"RETURN NULL; END $$"
        )


def _triggers(with_check: bool) -> None:
    if op.get_bind().dialect.name == "postgresql":
        _postgresql_functions(with_check)
    else:
        _sqlite_triggers(with_check)


def upgrade() -> None:
    # Plain ADD COLUMN: a batch would rebuild users on SQLite, under the triggers naming it.
    op.add_column(
        "users", sa.Column("notify_digest", sa.Boolean(), server_default=sa.true(), nullable=False)
    )
    op.add_column(
        "users",
        sa.Column("digest_time", sa.String(length=5), server_default="08:00", nullable=False),
    )
    op.add_column(
        "users", sa.Column("notify_alerts", sa.Boolean(), server_default=sa.true(), nullable=False)
    )
    for column in ("next_check_at", "digest_due_at"):
        op.add_column(
            "users", sa.Column(column, app.models.base.UTCDateTime(timezone=True), nullable=True)
        )
    op.create_index("ix_users_next_check_at", "users", ["next_check_at"], unique=False)
    epoch = PG_EPOCH if op.get_bind().dialect.name == "postgresql" else SQLITE_EPOCH
    op.execute(f"UPDATE users SET next_check_at = {epoch}")  # everyone is looked at once
    _triggers(with_check=True)

    op.create_table(
        "mail_messages",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("dedupe_key", sa.String(length=100), nullable=True),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("claimed_until", app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("sent_at", app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('digest', 'alert', 'test')", name=op.f("ck_mail_messages_kind_valid")
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'sent', 'failed')", name=op.f("ck_mail_messages_status_valid")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_mail_messages_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_messages")),
        sa.UniqueConstraint(
            "user_id", "dedupe_key", name=op.f("uq_mail_messages_user_id_dedupe_key")
        ),
    )
    op.create_index(
        "ix_mail_messages_status_next_attempt_at",
        "mail_messages",
        ["status", "next_attempt_at"],
        unique=False,
    )
    op.create_table(
        "mail_attempts",
        sa.Column("message_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(length=1000), nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["mail_messages.id"],
            name=op.f("fk_mail_attempts_message_id_mail_messages"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_mail_attempts_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_attempts")),
    )
    op.create_index("ix_mail_attempts_message_id", "mail_attempts", ["message_id"], unique=False)
    op.create_index(
        "ix_mail_attempts_user_id_created_at",
        "mail_attempts",
        ["user_id", "created_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_table("mail_attempts")
    op.drop_table("mail_messages")
    _triggers(with_check=False)
    op.drop_index("ix_users_next_check_at", table_name="users")
    for column in (
        "digest_due_at",
        "next_check_at",
        "notify_alerts",
        "digest_time",
        "notify_digest",
    ):
        op.drop_column("users", column)
