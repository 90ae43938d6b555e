"""users.data_version, changed by triggers on every change to a user's job-search data

Revision ID: f60102030405
Revises: e5f601020304
Create Date: 2026-11-26 17:00:00

The next steps of a user with a thousand applications take hundreds of milliseconds to
compute, so each server process keeps them until the user's data changes. Triggers, not
application code, change the version: every path that writes (API, pages, import, inbound
integrations, cascading deletes) is covered without having to remember it.

The version is a fresh random number (about 62 bits) rather than a counter, so it never comes back
to an earlier value with other data behind it (a database restored from a backup under a
running server, say), which would make a process serve a stale cached result.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "f60102030405"
down_revision: str | None = "e5f601020304"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Tables the policy engine reads, and how to find the owning user from one of their rows.
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


def _owner(table: str, row: str) -> str:
    if table in LINK_TABLES:
        return LINK_TABLES[table].format(row=row)
    return f"{row}.owner_id"


def _row(operation: str) -> str:
    return "OLD" if operation == "DELETE" else "NEW"


def _sqlite_upgrade() -> None:
    for table in (*OWNED_TABLES, *LINK_TABLES):
        for operation in OPERATIONS:
            owner = _owner(table, _row(operation))
            op.execute(
                f'CREATE TRIGGER "bump_data_version_{table}_{operation.lower()}" '
                f'AFTER {operation} ON "{table}" FOR EACH ROW BEGIN '
                f"UPDATE users SET data_version = {SQLITE_RANDOM} WHERE id = {owner}; END"
            )


def _postgresql_upgrade() -> None:
    # Deferred to commit: the user's row is then the last lock a transaction takes, held
    # only while committing. Fired at once, it would be taken at the first write and held
    # to the end, and two writers locking the same application in the other order (an
    # event then its application's status, against a PATCH of that application) would
    # deadlock. (The tests' outer transaction, which never commits, runs
    # SET CONSTRAINTS ALL IMMEDIATE so its savepoints see the version change.)
    for table in (*OWNED_TABLES, *LINK_TABLES):
        function = f"bump_data_version_{table}"
        owner_new, owner_old = _owner(table, "NEW"), _owner(table, "OLD")
        op.execute(
            f"CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"UPDATE users SET data_version = {PG_RANDOM} WHERE id = "
            f"CASE WHEN TG_OP = 'DELETE' THEN {owner_old} ELSE {owner_new} END; "
            f"RETURN NULL; END $$"
        )
        op.execute(
            f'CREATE CONSTRAINT TRIGGER "{function}" AFTER INSERT OR UPDATE OR DELETE '
            f'ON "{table}" DEFERRABLE INITIALLY DEFERRED '
            f"FOR EACH ROW EXECUTE FUNCTION {function}()"
        )


def upgrade() -> None:
    op.add_column(
        "users", sa.Column("data_version", sa.BigInteger(), server_default="0", nullable=False)
    )
    if op.get_bind().dialect.name == "postgresql":
        _postgresql_upgrade()
    else:
        _sqlite_upgrade()


def downgrade() -> None:
    for table in (*OWNED_TABLES, *LINK_TABLES):
        if op.get_bind().dialect.name == "postgresql":
            op.execute(f'DROP TRIGGER "bump_data_version_{table}" ON "{table}"')
            op.execute(f"DROP FUNCTION bump_data_version_{table}()")
        else:
            for operation in OPERATIONS:
                op.execute(f'DROP TRIGGER "bump_data_version_{table}_{operation.lower()}"')
    with op.batch_alter_table("users") as batch:
        batch.drop_column("data_version")
