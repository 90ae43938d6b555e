"""What the schema says beyond bodies: response headers, who needs a token, where the
server is, and the Standard Webhooks headers of signed requests.

A client generated from the schema reads `ETag` for its next `If-Match`, follows
`Link` to the next page and waits `Retry-After` before retrying; none of that works
unless the schema declares those headers on the answers that carry them. Declared
once under `components.headers` and referred to, so the document stays readable.
"""

from __future__ import annotations

from typing import Any

JSONDict = dict[str, Any]
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def _ref(name: str) -> JSONDict:
    return {"$ref": f"#/components/headers/{name}"}


HEADERS: JSONDict = {
    "X-Request-ID": {
        "description": "This request's id, in the server's log line too: quote it when "
        "reporting a problem. One sent by the client is kept when it is up to 200 "
        "characters of `A-Z a-z 0-9 . _ -`.",
        "required": True,
        "schema": {"type": "string"},
    },
    "ETag": {
        "description": "The resource's version, quoted: send it as `If-Match` with the "
        "next PATCH or DELETE to refuse to overwrite someone else's change (412).",
        "schema": {"type": "string", "example": '"3"'},
    },
    "Location": {
        "description": "The URL of what was created.",
        "required": True,
        "schema": {"type": "string", "format": "uri-reference"},
    },
    "Link": {
        "description": 'The next page, when there is one: `<URL>; rel="next"`.',
        "schema": {"type": "string"},
    },
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "required": True,
        "schema": {"type": "integer", "minimum": 1},
    },
    "Idempotent-Replayed": {
        "description": "`true` when this is the stored answer to an earlier request "
        "with the same `Idempotency-Key`, not a new change.",
        "schema": {"type": "string", "enum": ["true"]},
    },
}

SIGNATURE_HEADERS: list[JSONDict] = [
    {
        "name": "webhook-id",
        "in": "header",
        "required": True,
        "description": "The message's id: the same on every retry, so a receiver can "
        "tell a retry from a new message.",
        "schema": {"type": "string", "minLength": 1, "maxLength": 255},
        "example": "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W",
    },
    {
        "name": "webhook-timestamp",
        "in": "header",
        "required": True,
        "description": "When it was signed, in Unix seconds; more than 5 minutes away "
        "from the receiver's clock is refused.",
        "schema": {"type": "string", "pattern": "^[0-9]{1,12}$"},
        "example": "1767225600",
    },
    {
        "name": "webhook-signature",
        "in": "header",
        "required": True,
        "description": 'Space-separated `v1,<base64 HMAC-SHA256 of "{webhook-id}.'
        '{webhook-timestamp}.{body}">` signatures, keyed with the `whsec_` secret '
        "(Standard Webhooks).",
        "schema": {"type": "string", "minLength": 1},
        "example": "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=",
    },
]


def declare_headers(document: JSONDict, public_url: str) -> None:
    """Add the response headers, `security: []` on public operations, the server and
    the signature headers, in place."""
    document["servers"] = [{"url": public_url, "description": "This Followup server."}]
    document.setdefault("components", {})["headers"] = HEADERS
    for operations in document.get("paths", {}).values():
        for method, operation in operations.items():
            if method in METHODS:
                _declare_operation(method, operation)
    for operations in document.get("webhooks", {}).values():
        for method, operation in operations.items():
            if method in METHODS:
                operation["security"] = []  # signed, not authenticated by a token
                _sign(operation)


def _declare_operation(method: str, operation: JSONDict) -> None:
    if not operation.get("security"):
        operation["security"] = []  # says "no token needed", where leaving it out says nothing
    names = {p["name"].lower() for p in operation.get("parameters", [])}
    if operation["operationId"] == "receiveInbound":
        _sign(operation)
    for status, response in operation.get("responses", {}).items():
        headers: JSONDict = response.setdefault("headers", {})
        headers["X-Request-ID"] = _ref("X-Request-ID")
        if status in ("429", "503"):
            headers["Retry-After"] = _ref("Retry-After")
        if "idempotency-key" in names:
            headers["Idempotent-Replayed"] = _ref("Idempotent-Replayed")
        if not status.startswith("2"):
            continue
        if status == "201":
            headers["Location"] = _ref("Location")
        if "cursor" in names:
            headers["Link"] = _ref("Link")
        elif method in ("get", "post", "patch") and _is_versioned(operation, response):
            headers["ETag"] = _ref("ETag")


def _is_versioned(operation: JSONDict, response: JSONDict) -> bool:
    """A single resource with a `version` (its routes send its ETag); marked by the
    schema's name, which polish has not resolved yet."""
    schema = response.get("content", {}).get("application/json", {}).get("schema", {})
    return schema.get("$ref", "").rsplit("/", 1)[-1] in VERSIONED


# The resources whose routes send an ETag (app/core/concurrency.py's set_etag).
VERSIONED = frozenset(
    {
        "ApplicationOut",
        "InterviewOut",
        "InterviewerOut",
        "ReferenceOut",
        "WebhookOut",
        "WebhookCreated",
    }
)


def _sign(operation: JSONDict) -> None:
    parameters: list[JSONDict] = operation.setdefault("parameters", [])
    present = {p["name"].lower() for p in parameters}
    parameters.extend(dict(h) for h in SIGNATURE_HEADERS if h["name"] not in present)
