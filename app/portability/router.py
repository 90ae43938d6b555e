"""/export, /import and /export/applications.csv"""

# No `from __future__ import annotations`: FastAPI reads these signatures at start-up
# (tests/test_annotations.py).

from fastapi import APIRouter, Request, Response
from fastapi.responses import StreamingResponse

from app.auth.deps import CurrentUser
from app.core.db import SessionDep, TransactionRoute, sessionmaker_of
from app.core.errors import error_responses
from app.models import User
from app.models.base import utcnow
from app.portability.csv_export import applications_csv
from app.portability.export import export_pieces
from app.portability.importer import import_document
from app.portability.schemas import ExportDocument, ImportResult

router = APIRouter(
    route_class=TransactionRoute, tags=["portability"], responses=error_responses(401)
)


def _attachment(name: str) -> dict[str, str]:
    return {
        "Content-Disposition": f'attachment; filename="{name}"',
        "Cache-Control": "private, no-store",
    }


# Both exports are streamed (read in batches, sent as they are encoded), each from its
# own snapshot: the request's session ends before the response is sent. The settings
# page's download buttons send the same responses.


def json_export(request: Request, user: User) -> StreamingResponse:
    return StreamingResponse(
        export_pieces(sessionmaker_of(request), user),
        media_type="application/json",
        headers=_attachment(f"followup-export-{utcnow().date().isoformat()}.json"),
    )


def csv_export(request: Request, user: User) -> StreamingResponse:
    return StreamingResponse(
        applications_csv(sessionmaker_of(request), user),
        media_type="text/csv; charset=utf-8",
        headers=_attachment(f"followup-applications-{utcnow().date().isoformat()}.csv"),
    )


@router.get("/export", operation_id="exportAccount", response_model=ExportDocument)
async def export_account(user: CurrentUser, request: Request) -> StreamingResponse:
    """Everything you own as one JSON document, re-importable with `POST /import`."""
    return json_export(request, user)


@router.post(
    "/import",
    operation_id="importAccount",
    responses=error_responses(409, 413, 422),
)
async def import_account(
    document: ExportDocument, user: CurrentUser, session: SessionDep
) -> ImportResult:
    """Restore an export into this account, which must be empty (no applications or
    references yet; otherwise 409). The whole document is checked first; if any part is
    invalid (422, with where in `errors[].loc`) nothing is written.

    Bodies over 1 MiB are refused (413) like everywhere in the API: import larger
    exports with `followup import` on the server."""
    return await import_document(session, user, document, loc_prefix=("body",))


@router.get(
    "/export/applications.csv",
    operation_id="exportApplicationsCsv",
    response_class=Response,
    responses={
        200: {
            "description": "One row per application, with its status history (UTF-8 with BOM).",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
    },
)
async def export_applications_csv(user: CurrentUser, request: Request) -> StreamingResponse:
    """Your applications as a spreadsheet: the proof of your job search."""
    return csv_export(request, user)
