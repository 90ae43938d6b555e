"""The application's recruiter, where also entered as one of its people, is its main contact

Revision ID: c90105060708
Revises: b80104050607
Create Date: 2026-12-08 01:30:00

The pages now keep the recruiter and the main-contact person as one. Existing data may
have them as an unlinked pair: the recruiter typed on the application and the same person
added again to its people. Where a person's email matches the recruiter's (ignoring
case), that person becomes the application's only main contact. Applications with no
such pair are left as they are. Each changed person's `version` moves, as an edit would.
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa

from alembic import op

revision: str = "c90105060708"
down_revision: str | None = "b80104050607"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

applications = sa.table(
    "applications",
    sa.column("id", sa.Uuid()),
    sa.column("recruiter_email", sa.String()),
)
interviewers = sa.table(
    "interviewers",
    sa.column("id", sa.Uuid()),
    sa.column("application_id", sa.Uuid()),
    sa.column("email", sa.String()),
    sa.column("is_main_contact", sa.Boolean()),
    sa.column("version", sa.Integer()),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)


def upgrade() -> None:
    bind = op.get_bind()
    pairs = bind.execute(
        sa.select(interviewers.c.application_id, interviewers.c.id)
        .join(applications, applications.c.id == interviewers.c.application_id)
        .where(
            applications.c.recruiter_email.is_not(None),
            sa.func.lower(interviewers.c.email) == sa.func.lower(applications.c.recruiter_email),
        )
    ).all()
    main_of: dict[object, set[object]] = {}
    for application_id, person_id in pairs:
        main_of.setdefault(application_id, set()).add(person_id)
    now = datetime.now(UTC)
    for application_id, mains in main_of.items():
        people = bind.execute(
            sa.select(interviewers.c.id, interviewers.c.is_main_contact).where(
                interviewers.c.application_id == application_id
            )
        ).all()
        for person_id, is_main in people:
            wanted = person_id in mains
            if bool(is_main) != wanted:
                bind.execute(
                    interviewers.update()
                    .where(interviewers.c.id == person_id)
                    .values(
                        is_main_contact=wanted,
                        version=interviewers.c.version + 1,
                        updated_at=now,
                    )
                )


def downgrade() -> None:
    # Which flags were set by hand before is not kept; the links stay, harmlessly.
    pass
