"""`followup export` and `followup import`: the same work as the API, without its 1 MiB limit."""

from __future__ import annotations

import asyncio
import shutil
import sys
import tempfile
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.service import user_by_email
from app.core.config import get_settings
from app.core.db import create_engine, create_sessionmaker
from app.core.errors import ProblemError
from app.models import User
from app.portability.export import export_pieces
from app.portability.importer import import_document
from app.portability.reader import DocumentInvalid, FileDocument, NotJson

T = TypeVar("T")


class CommandError(Exception):
    """A message for the user; the command exits with `code`."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


async def _in_transaction(work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    engine = create_engine(get_settings().database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            result = await work(session)
            await session.commit()
            return result
    finally:
        await engine.dispose()


async def find_user(session: AsyncSession, email: str | None) -> User:
    """The account with this email; without one, the only account there is."""
    if email is not None:
        user = await user_by_email(session, email)
        if user is None:
            raise CommandError(f"no account with the email {email}")
        return user
    count = await session.scalar(select(func.count()).select_from(User))
    if count != 1:
        raise CommandError("there is more than one account (or none): pass --email", 2)
    only: User = (await session.scalars(select(User))).one()
    return only


def run_export(email: str | None, output: str) -> int:
    """Streamed as the API's is: constant memory, whatever the account's size."""

    async def export() -> None:
        engine = create_engine(get_settings().database_url)
        try:
            sessions = create_sessionmaker(engine)
            async with sessions() as session:
                user = await find_user(session, email)
            with _sink(output) as sink:
                async for piece in export_pieces(sessions, user):
                    sink.write(piece)
                sink.write(b"\n")
        finally:
            await engine.dispose()

    try:
        asyncio.run(export())
    except CommandError as exc:
        print(f"followup export: {exc}", file=sys.stderr)
        return exc.code
    if output != "-":
        print(f"wrote {output}", file=sys.stderr)
    return 0


@contextmanager
def _sink(output: str) -> Iterator[BinaryIO]:
    if output == "-":
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    with Path(output).open("wb") as file:
        yield file


def run_import(email: str | None, source: str) -> int:
    """Read as it goes (app/portability/reader.py): any size, in bounded memory, and as
    all or nothing as the API's: one transaction."""
    with _readable(source) as path:
        try:
            document = FileDocument(path)
        except NotJson as exc:
            print(f"followup import: the file is not valid JSON: {exc}", file=sys.stderr)
            return 2
        except DocumentInvalid as exc:
            _print_errors(exc.errors)
            return 2
        return _import(email, document)


@contextmanager
def _readable(source: str) -> Iterator[Path]:
    """The file to read (more than once): standard input is copied to a temporary one."""
    if source != "-":
        yield Path(source)
        return
    with tempfile.NamedTemporaryFile(prefix="followup-import-", suffix=".json") as copy:
        shutil.copyfileobj(sys.stdin.buffer, copy)
        copy.flush()
        yield Path(copy.name)


def _import(email: str | None, document: FileDocument) -> int:
    async def work(session: AsyncSession) -> dict[str, Any]:
        result = await import_document(session, await find_user(session, email), document)
        return result.model_dump()

    try:
        summary = asyncio.run(_in_transaction(work))
    except CommandError as exc:
        print(f"followup import: {exc}", file=sys.stderr)
        return exc.code
    except ProblemError as exc:
        print(f"followup import: {exc.detail}", file=sys.stderr)
        _print_errors(exc.errors or [])
        return 1
    counts = ", ".join(f"{summary[k]} {k}" for k in ("applications", "references", "events"))
    print(f"imported {counts} (ids {summary['ids']})")
    for item in summary["not_restored"]:
        print(f"  not restored, set it up again: {item}")
    return 0


def _print_errors(errors: Sequence[Mapping[str, Any]]) -> None:
    for error in errors:
        where = ".".join(str(part) for part in error.get("loc", ())) or "(document)"
        print(f"  {where}: {error.get('msg')}", file=sys.stderr)
