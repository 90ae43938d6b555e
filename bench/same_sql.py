"""The SQL Followup runs for a bearer token, one application and a page of 50, written
out once for the two apps it is measured against (bare_app.py, reference_app.py).

The statements are the product's own as SQLAlchemy compiles them for asyncpg: the
token's lookup (app/auth/service.py, `_TOKEN_OWNER`: the user's columns joined to the
token's), the page (app/applications/listing.py on PostgreSQL: the caller's newest
first, ties broken by id, limited before the reference ids are gathered into an
array, ids as text) and its cursor condition (app/core/pagination.py,
`after_cursor`). The detail reads the application's row and then its reference ids,
two statements as the product's `selectinload` makes it, though the second reads the
link table alone (the product also joins the references' rows, then drops all but
their ids). A statement that drifts from the product's makes the ratios mean less, so
when the product's SQL changes, change it here.

Parameters are written `:name`, which SQLAlchemy's `text()` reads; `positional`
rewrites them as asyncpg's `$n`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from datetime import datetime, timedelta

# Written once a minute at most, as the product does (LAST_USED_PRECISION).
LAST_USED_PRECISION = timedelta(minutes=1)

TOKEN = """
SELECT users.email, users.password_hash, users.name, users.timezone, users.data_version,
       users.id, users.created_at, users.updated_at,
       api_tokens.id AS token_id, api_tokens.expires_at, api_tokens.last_used_at
FROM users JOIN api_tokens ON api_tokens.user_id = users.id
WHERE api_tokens.token_hash = :digest
"""
TOUCH_TOKEN = "UPDATE api_tokens SET last_used_at = :now WHERE api_tokens.id = :token_id"

# ApplicationOut's fields in its order, but for `id` (first, as text) and
# `reference_ids` (gathered separately).
_COLUMNS = (
    "company, role_title, job_url, location, notes, status, recruiter_name,"
    " recruiter_email, expected_response_by, follow_up_channel, second_round_expected,"
    " references_requested_at"
)
_TRAILING = "source, external_id, created_at, updated_at, version"
FIELDS = (
    "id",
    *_COLUMNS.replace(" ", "").split(","),
    "reference_ids",
    *_TRAILING.replace(" ", "").split(","),
)

_PAGE = f"""
SELECT CAST(page.id AS TEXT) AS id, {_COLUMNS},
       array((SELECT CAST(application_references.reference_id AS TEXT)
              FROM application_references
              WHERE application_references.application_id = page.id
              ORDER BY application_references.reference_id)) AS reference_ids,
       {_TRAILING}
FROM (SELECT applications.id, {_COLUMNS}, {_TRAILING}
      FROM applications
      WHERE applications.owner_id = :owner_id{{cursor}}
      ORDER BY applications.created_at DESC, applications.id DESC
      LIMIT :limit) AS page
ORDER BY page.created_at DESC, page.id DESC
"""
PAGE = _PAGE.format(cursor="")
PAGE_AFTER = _PAGE.format(
    cursor=" AND (applications.created_at < :cursor_at"
    " OR applications.created_at = :cursor_at AND applications.id < :cursor_id)"
)

APPLICATION = f"""
SELECT CAST(applications.id AS TEXT) AS id, {_COLUMNS}, {_TRAILING}
FROM applications
WHERE applications.owner_id = :owner_id AND applications.id = :id
"""
REFERENCE_IDS = """
SELECT CAST(application_references.reference_id AS TEXT)
FROM application_references
WHERE application_references.application_id = :id
ORDER BY application_references.reference_id
"""

_PARAMETER = re.compile(r"(?<!:):([a-z_]+)")


def positional(sql: str) -> tuple[str, tuple[str, ...]]:
    """`sql` with asyncpg's `$1, $2, ...` for its `:name` parameters, and the names in
    that order (a name used twice keeps its first number)."""
    names: list[str] = []

    def number(match: re.Match[str]) -> str:
        if match.group(1) not in names:
            names.append(match.group(1))
        return f"${names.index(match.group(1)) + 1}"

    return _PARAMETER.sub(number, sql), tuple(names)


def token_digest(token: str) -> str:
    """The product's digest of a bearer token (app/core/security.py)."""
    return hashlib.sha256(token.encode()).hexdigest()


def next_cursor(created_at: datetime, application_id: str) -> str:
    """The product's opaque cursor (app/core/pagination.py, `encode_cursor`)."""
    raw = json.dumps([created_at.isoformat(), application_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    """`next_cursor`'s values back; ValueError (or binascii.Error) if it isn't one."""
    padded = cursor + "=" * (-len(cursor) % 4)
    at, application_id = json.loads(base64.urlsafe_b64decode(padded.encode()))
    return datetime.fromisoformat(at), str(application_id)
