"""Document upload and results. Uploads answer at once (202); reading happens in the background."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, File, Header, Query, Request, UploadFile
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from reimburse.api.deps import CurrentPrincipal, SessionDep
from reimburse.api.idempotent import idempotent
from reimburse.api.params import Id
from reimburse.api.schemas import Document, DocumentList, DocumentUpload, typed
from reimburse.api.scopes import key_scope
from reimburse.claims import access, drafts
from reimburse.core.db import utcnow
from reimburse.core.errors import InvalidInput
from reimburse.documents import quota, service
from reimburse.documents.runtime import store_for
from reimburse.ocr.errors import FileTooLarge

router = APIRouter(tags=["documents"])
MAX_FILES = 20
_MEDIA = {"pdf": "application/pdf", "ofd": "application/ofd", "xml": "application/xml"}


@router.post("/documents", status_code=202, **typed(DocumentUpload, 401, 409, 413, 422, 503))
@key_scope("documents:write")
async def upload(
    request: Request,
    principal: CurrentPrincipal,
    session: SessionDep,
    files: Annotated[list[UploadFile], File(description="photos, PDF, OFD or XML e-invoices")],
    idempotency_key: Annotated[str | None, Header(max_length=255)] = None,
    kind: Annotated[
        Literal["invoice", "attachment"],
        Query(description="`attachment`: an itinerary or attendee list, kept for an item, never read"),
    ] = "invoice",
) -> dict[str, Any]:
    settings = request.app.state.settings
    if len(files) > MAX_FILES:
        raise InvalidInput(f"at most {MAX_FILES} files per upload", code="too_many_files")
    # quotas first, from the sizes the multipart parser already knows: nothing stored if refused
    per_minute, quota_bytes = settings.upload_files_per_minute, settings.storage_quota_bytes
    await run_in_threadpool(quota.check_rate, session, principal.subject, len(files), per_minute, utcnow())
    sizes = [f.size if f.size is not None else settings.max_upload_bytes for f in files]
    await run_in_threadpool(quota.check_storage, session, principal.subject, sum(sizes), quota_bytes)
    store = store_for(settings)
    staged = []
    for f in files:
        # one file in memory at a time: read (never more than the limit), check, store, drop
        data = await f.read(settings.max_upload_bytes + 1)
        if len(data) > settings.max_upload_bytes:
            raise FileTooLarge(f"{f.filename}: larger than {settings.max_upload_bytes} bytes")
        upload = service.Upload(filename=f.filename or "upload", data=data)
        staged.append(await run_in_threadpool(service.stage, store, upload, settings.max_upload_bytes))
        del data, upload
    fingerprint = [(s.filename, s.sha256, kind) for s in staged]
    attachment = kind == "attachment"

    def work() -> dict[str, Any]:
        docs = [service.record(session, principal, s, attachment=attachment) for s in staged]
        return {
            "documents": [
                {"id": d.id, "status": d.status, "filename": d.filename, "kind": d.kind} for d in docs
            ]
        }

    body = idempotent(session, principal, "documents/upload", idempotency_key, fingerprint, work, 202)
    # The rows must be committed before a worker can see them: commit here, then hand off.
    session.commit()
    dispatch = getattr(request.app.state, "dispatch_document", None)
    if dispatch is not None:
        for d in body["documents"]:
            if d["status"] == "queued":  # an attachment is kept, not read
                dispatch(d["id"])
    return body


@router.get("/documents", **typed(DocumentList, 401, 422))
@key_scope("documents:read")
def list_documents(
    principal: CurrentPrincipal,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    unattached: bool = False,
) -> dict[str, Any]:
    """The caller's latest uploads; ``unattached=true``: only those no claim uses yet (uploads a
    reload or a refused claim left unfinished)."""
    if unattached:
        return {"items": drafts.unattached_documents(session, principal, limit)}
    return {"items": service.document_page(session, principal, limit)}


@router.get("/documents/{document_id}", **typed(Document, 401, 404, 422))
@key_scope("documents:read")
def get_document(document_id: Id, principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    return service.document_with_results(session, principal, document_id, access.document_visible)


@router.get("/documents/{document_id}/file")
@key_scope("documents:read")
def get_file(document_id: Id, request: Request, principal: CurrentPrincipal, session: SessionDep) -> Response:
    doc = service.visible_document(session, principal, document_id, access.document_visible)
    data = store_for(request.app.state.settings).get(doc.sha256)
    media = _MEDIA.get(doc.kind) or _image_type(data)
    # an attachment, never rendered in our origin: whatever a stored file holds, it cannot run
    # as a page of the app (nosniff comes with every answer)
    headers = {"Cache-Control": "private, max-age=3600", "Content-Disposition": _attachment(doc.filename)}
    return Response(content=data, media_type=media, headers=headers)


def _attachment(filename: str | None) -> str:
    name = (filename or "document").replace("\\", "_").replace("/", "_")
    ascii_name = "".join(c if c.isascii() and c.isprintable() and c not in '"%;' else "_" for c in name)
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


def _image_type(data: bytes) -> str:
    if data.startswith(b"\x89PNG"):
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data.startswith(b"\xff\xd8"):
        return "image/jpeg"
    return "application/octet-stream"
