"""The `followup` command."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from collections.abc import Sequence

from app.core.config import get_settings
from app.webhooks.tuning import add_worker_arguments


def _migrate(_: argparse.Namespace) -> int:
    from app.core.migrations import upgrade_to_head

    upgrade_to_head(get_settings().database_url)
    print("database is up to date")
    return 0


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from app.core.migrations import ensure_up_to_date
    from app.core.request_log import configure_request_logging

    ensure_up_to_date(get_settings().database_url)
    configure_request_logging()
    uvicorn.run(
        "app.main:app",
        host=args.host,
        port=args.port,
        proxy_headers=True,
        log_level="info",
        access_log=False,  # one JSON line per request comes from RequestLogMiddleware
    )
    return 0


def _worker(args: argparse.Namespace) -> int:
    from app.worker import run_from_args

    return run_from_args(args)


def _create_user(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from app.auth.schemas import RegisterIn
    from app.auth.service import register
    from app.core.db import create_engine, create_sessionmaker
    from app.core.errors import ProblemError

    password = args.password or getpass.getpass("Password (at least 10 characters): ")
    try:
        data = RegisterIn(
            email=args.email, password=password, name=args.name, timezone=args.timezone
        )
    except ValidationError as exc:
        for error in exc.errors():
            print(f"{'.'.join(map(str, error['loc']))}: {error['msg']}", file=sys.stderr)
        return 2

    async def create() -> str:
        engine = create_engine(get_settings().database_url)
        try:
            async with create_sessionmaker(engine)() as session:
                user = await register(session, data)
                await session.commit()
                return str(user.id)
        finally:
            await engine.dispose()

    try:
        user_id = asyncio.run(create())
    except ProblemError as exc:
        print(exc.detail, file=sys.stderr)
        return 1
    print(f"created user {data.email} ({user_id})")
    return 0


def _rotate_keys(_: argparse.Namespace) -> int:
    from app.core.db import create_engine, create_sessionmaker
    from app.core.encryption import Keyring, UnreadableSecret
    from app.core.key_rotation import rotate_stored_secrets

    settings = get_settings()

    async def rotate() -> int:
        engine = create_engine(settings.database_url)
        try:
            async with create_sessionmaker(engine)() as session:
                count = await rotate_stored_secrets(session, Keyring.from_settings(settings))
                await session.commit()
                return count
        finally:
            await engine.dispose()

    try:
        count = asyncio.run(rotate())
    except UnreadableSecret as exc:
        print(f"followup rotate-keys: {exc} Nothing was changed.", file=sys.stderr)
        return 1
    print(f"re-encrypted {count} stored secrets with the first key of FOLLOWUP_ENCRYPTION_KEYS")
    return 0


def _openapi(args: argparse.Namespace) -> int:
    from app.openapi import render_openapi

    text = render_openapi()
    if args.output == "-":
        sys.stdout.write(text)
    else:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(text)
        print(f"wrote {args.output}")
    return 0


def _export(args: argparse.Namespace) -> int:
    from app.portability.commands import run_export

    return run_export(args.email, args.output)


def _import(args: argparse.Namespace) -> int:
    from app.portability.commands import run_import

    return run_import(args.email, args.file)


def _demo(args: argparse.Namespace) -> int:
    from app.core.db import create_engine, create_sessionmaker
    from app.core.errors import ProblemError
    from app.demo import load_demo
    from app.notifications.demo_mail import send_demo_digest

    settings = get_settings()

    async def load() -> tuple[str, str, int, str]:
        engine = create_engine(settings.database_url)
        try:
            async with create_sessionmaker(engine)() as session:
                account = await load_demo(session, email=args.email, password=args.password)
                await session.commit()
            where = await send_demo_digest(settings, create_sessionmaker(engine), account.email)
            return account.email, account.password, account.applications, where
        finally:
            await engine.dispose()

    try:
        email, password, count, digest = asyncio.run(load())
    except ProblemError as exc:
        print(f"followup demo: {exc.detail}", file=sys.stderr)
        return 1
    print(f"Loaded a demo account with {count} applications. Log in with")
    print(f"  email:    {email}")
    print(f"  password: {password}")
    print(f"Today's digest for it: {digest}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="followup", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="migrate, then run the API and web client")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.set_defaults(handler=_serve)

    worker = commands.add_parser(
        "worker", help="deliver webhooks and mail, run the scheduler (run `migrate` first)"
    )
    add_worker_arguments(worker).set_defaults(handler=_worker)

    migrate = commands.add_parser("migrate", help="bring the database schema up to date")
    migrate.set_defaults(handler=_migrate)

    create_user = commands.add_parser("create-user", help="create an account")
    create_user.add_argument("--email", required=True)
    create_user.add_argument("--name", required=True)
    create_user.add_argument("--timezone", default="UTC")
    create_user.add_argument("--password", help="prompted for when omitted")
    create_user.set_defaults(handler=_create_user)

    rotate_keys = commands.add_parser(
        "rotate-keys",
        help="re-encrypt stored secrets with the first key of FOLLOWUP_ENCRYPTION_KEYS",
    )
    rotate_keys.set_defaults(handler=_rotate_keys)

    openapi = commands.add_parser("openapi", help="write the OpenAPI schema")
    openapi.add_argument("--output", default="openapi/openapi.json", help="a path, or - for stdout")
    openapi.set_defaults(handler=_openapi)

    export = commands.add_parser("export", help="write everything an account owns as JSON")
    export.add_argument("--email", help="the account (optional when there is only one)")
    export.add_argument("--output", default="-", help="a path, or - for stdout")
    export.set_defaults(handler=_export)

    import_ = commands.add_parser("import", help="restore an export into an empty account")
    import_.add_argument("file", help="the export's path, or - for stdin")
    import_.add_argument("--email", help="the account (optional when there is only one)")
    import_.set_defaults(handler=_import)

    demo = commands.add_parser("demo", help="load a realistic sample account")
    demo.add_argument("--email", default="demo@example.com")
    demo.add_argument("--password", help="generated (and printed) when omitted")
    demo.set_defaults(handler=_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    code: int = args.handler(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
