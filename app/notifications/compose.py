"""Build the digest, alert and test emails: multipart text and HTML from Jinja templates.

The finished message (every header, Message-ID included) is what the outbox stores, so a
retry sends exactly the same bytes and a receiving server can recognise a repeat.
"""

from __future__ import annotations

import email.policy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path
from typing import Any

import jinja2

from app.core.config import Settings
from app.models import User
from app.notifications.digest import DigestGroup
from app.notifications.tokens import MailKind, unsubscribe_token
from app.policy import Recommendation
from app.policy.timeutil import user_zone

TEMPLATES_DIR = Path(__file__).parent / "templates"

# Autoescaping for the HTML parts only: the text parts are read as plain text.
env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
    autoescape=jinja2.select_autoescape(["html"]),
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    # The templates ship with the code: no stat() of every file on every render.
    auto_reload=False,
)


@dataclass(frozen=True, slots=True)
class StepLine:
    """One step as the mail shows it."""

    title: str
    rationale: str
    company: str | None
    role_title: str | None
    due_text: str
    overdue: bool
    url: str


@dataclass(frozen=True, slots=True)
class Composed:
    subject: str
    content: bytes


def step_url(settings: Settings, rec: Recommendation) -> str:
    """The step on the web client: its application's page, or the dashboard."""
    path = f"/applications/{rec.application_id}" if rec.application_id else "/"
    return f"{settings.public_url}{path}#{rec.id}"


def step_lines(
    settings: Settings,
    user: User,
    recs: Sequence[Recommendation],
    applications: Mapping[str, tuple[str, str]],
    now: datetime,
) -> list[StepLine]:
    zone = user_zone(user.timezone)
    lines = []
    for rec in recs:
        company, role = applications.get(rec.application_id or "", (None, None))
        lines.append(
            StepLine(
                title=rec.title,
                rationale=rec.rationale,
                company=company,
                role_title=role,
                due_text=_when(rec.due_at.astimezone(zone)),
                overdue=rec.overdue or rec.due_at < now,
                url=step_url(settings, rec),
            )
        )
    return lines


def _when(local: datetime) -> str:
    # As the web client writes it ("Tue 3 Dec, 14:00"); app.web can't be imported from
    # here (its pages import this package).
    return f"{local:%a} {local.day} {local:%b}, {local:%H:%M}"


def _message(
    settings: Settings,
    user: User,
    *,
    subject: str,
    template: str,
    unsubscribe: MailKind,
    context: dict[str, Any],
    now: datetime,
) -> Composed:
    unsubscribe_url = (
        f"{settings.public_url}/unsubscribe/"
        f"{unsubscribe_token(settings.secret_key, user.id, unsubscribe)}"
    )
    context = {
        **context,
        "user": user,
        "first_name": user.name.split()[0] if user.name.split() else user.name,
        "public_url": settings.public_url,
        "settings_url": f"{settings.public_url}/settings/notifications",
        "unsubscribe_url": unsubscribe_url,
        "unsubscribe_kind": "daily digests" if unsubscribe == "digest" else "due-now alerts",
    }
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = settings.mail_from
    message["To"] = Address(display_name=user.name, addr_spec=user.email)
    message["Date"] = format_datetime(now)
    # A domain given, so make_msgid never asks the resolver for this host's name.
    message["Message-ID"] = make_msgid("followup", domain=_domain(settings.mail_from))
    message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies, please
    # base64, not quoted-printable: the email package encodes QP in pure Python, a third of
    # a digest's cost; base64 is done in C, and every mail client reads both.
    text = env.get_template(f"{template}.txt").render(context)
    message.set_content(text, cte="base64")
    html = env.get_template(f"{template}.html").render(context)
    message.add_alternative(html, subtype="html", cte="base64")
    return Composed(subject, message.as_bytes(policy=email.policy.SMTP))


def _domain(mail_from: str) -> str:
    address = parseaddr(mail_from)[1]
    return address.rpartition("@")[2] or "localhost"


def compose_digest(
    settings: Settings,
    user: User,
    groups: Sequence[DigestGroup],
    applications: Mapping[str, tuple[str, str]],
    now: datetime,
    *,
    test: bool = False,
) -> Composed:
    count = sum(len(group.steps) for group in groups)
    if count == 0:
        subject = "Followup: nothing is due (test)"
    else:
        subject = f"Followup: {count} next step{'s' if count != 1 else ''} to take"
        if test:
            subject += " (test)"
    sections = [
        (group.title, step_lines(settings, user, group.steps, applications, now))
        for group in groups
    ]
    return _message(
        settings,
        user,
        subject=subject,
        template="digest",
        unsubscribe="digest",
        context={"sections": sections, "count": count, "test": test},
        now=now,
    )


def compose_alert(
    settings: Settings,
    user: User,
    rec: Recommendation,
    applications: Mapping[str, tuple[str, str]],
    now: datetime,
) -> Composed:
    [line] = step_lines(settings, user, [rec], applications, now)
    return _message(
        settings,
        user,
        subject=f"Due now: {rec.title}",
        template="alert",
        unsubscribe="alerts",
        context={"step": line},
        now=now,
    )
