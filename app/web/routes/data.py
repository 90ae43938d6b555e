"""Settings: your data. Download everything (JSON, CSV), and restore an export."""

# No `from __future__ import annotations`: FastAPI reads these signatures at start-up
# (tests/test_annotations.py).

import codecs
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import APIRouter, Request
from pydantic import ValidationError
from starlette.datastructures import UploadFile
from starlette.responses import Response

from app.core.db import SessionDep, TransactionRoute
from app.core.errors import Conflict
from app.core.limits import MAX_BODY_BYTES, body_was_too_large
from app.portability.importer import ImportInvalid, already_holds, import_document
from app.portability.router import csv_export, json_export
from app.portability.schemas import ExportDocument, ImportResult
from app.web.deps import Viewer, ViewerDep, checked_form
from app.web.forms import FormState
from app.web.routes.common import redirect
from app.web.templating import render

router = APIRouter(route_class=TransactionRoute)

PAGE = "/settings/data"
# The one page form that takes a file: an oversized upload is told here, inline,
# rather than refused by the body limit as a bare problem document.
IMPORT_PATH = f"{PAGE}/import"
# A file wrong throughout would list a problem per item: the first few show the way.
SHOWN_PROBLEMS = 8
MAX_MIB = MAX_BODY_BYTES // (1024 * 1024)


async def _page(
    request: Request, viewer: Viewer, session: SessionDep, form: FormState | None = None
) -> Response:
    form = form or FormState(values={})
    return render(
        request,
        "settings/data.html",
        {
            "title": "Your data",
            "section": "settings",
            "tab": "data",
            "form": form,
            "holds": await already_holds(session, viewer.user),
            "max_mib": MAX_MIB,
        },
        viewer=viewer,
        status_code=form.status_code,
    )


@router.get(PAGE)
async def data_page(request: Request, viewer: ViewerDep, session: SessionDep) -> Response:
    return await _page(request, viewer, session)


@router.get(f"{PAGE}/followup-export.json")
async def download_json(request: Request, viewer: ViewerDep) -> Response:
    return json_export(request, viewer.user)


@router.get(f"{PAGE}/applications.csv")
async def download_csv(request: Request, viewer: ViewerDep) -> Response:
    return csv_export(request, viewer.user)


@router.post(IMPORT_PATH)
async def import_file(request: Request, viewer: ViewerDep, session: SessionDep) -> Response:
    if body_was_too_large(request.scope):
        # Nothing was read, so there is no CSRF token to check; nothing changes either.
        message = (
            f"This file is larger than {MAX_MIB} MiB, the most an "
            "upload can be. Whoever runs your Followup server can import it with "
            "“followup import”."
        )
        return await _refused(request, viewer, session, 413, message)
    # Leaving the block closes the upload's temporary file, whatever happened.
    async with request.form():
        raw = await _uploaded(request, viewer)
    if raw is None:
        return await _refused(request, viewer, session, 422, "Choose the file to import.")
    try:
        async with session.begin_nested():
            document = ExportDocument.model_validate_json(raw)
            result = await import_document(session, viewer.user, document)
    except ValidationError as exc:
        return await _invalid(request, viewer, session, exc.errors())
    except ImportInvalid as exc:
        return await _invalid(request, viewer, session, exc.errors or [])
    except Conflict as exc:
        return await _refused(request, viewer, session, 409, exc.detail)
    return redirect(request, "/applications", _imported(result))


async def _uploaded(request: Request, viewer: Viewer) -> bytes | None:
    """The chosen file's content (at most the body limit, so read whole like the API's
    import body), once the form's CSRF token matched; None when no file was chosen."""
    upload = (await checked_form(request, viewer)).get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return None
    # Some editors start a UTF-8 file with a byte order mark, which JSON doesn't allow.
    return (await upload.read()).removeprefix(codecs.BOM_UTF8)


async def _refused(
    request: Request,
    viewer: Viewer,
    session: SessionDep,
    status: int,
    message: str,
    problems: Sequence[str] = (),
) -> Response:
    """The page again with `message` by the file field, `problems` in the summary."""
    form = FormState(errors={"file": message}, summary=list(problems), status_code=status)
    return await _page(request, viewer, session, form)


async def _invalid(
    request: Request,
    viewer: Viewer,
    session: SessionDep,
    errors: Sequence[Mapping[str, Any]],
) -> Response:
    first = errors[0] if errors else {}
    if first.get("type") == "json_invalid":
        message = f"This is not a JSON file ({first.get('msg', '')}): choose a Followup export."
        return await _refused(request, viewer, session, 422, message)
    if first.get("type") == "model_type" and not first.get("loc"):
        message = "This JSON is not a Followup export: choose the file from “Download JSON”."
        return await _refused(request, viewer, session, 422, message)
    listed = [f"{_where(e.get('loc', ()))}: {e.get('msg', '')}" for e in errors[:SHOWN_PROBLEMS]]
    if len(errors) > SHOWN_PROBLEMS:
        listed.append(f"… and {len(errors) - SHOWN_PROBLEMS} more.")
    count = "one problem" if len(errors) == 1 else f"{len(errors)} problems"
    message = f"Nothing was imported: the file has {count}."
    return await _refused(request, viewer, session, 422, message, listed)


def _where(loc: Sequence[Any]) -> str:
    """A location in the document as its reader would write it: applications[3].status."""
    where = ""
    for part in loc:
        where += f"[{part}]" if isinstance(part, int) else f".{part}"
    return where.lstrip(".") or "The document"


def _imported(result: ImportResult) -> str:
    counts = [
        (result.applications, "application", "applications"),
        (result.interviews, "interview", "interviews"),
        (result.events, "timeline entry", "timeline entries"),
        (result.references, "reference", "references"),
    ]
    said = ", ".join(f"{n} {one if n == 1 else many}" for n, one, many in counts)
    message = f"Imported {said}."
    if result.not_restored:
        message += " Webhooks and integrations are not restored: add them again under Developer."
    return message
