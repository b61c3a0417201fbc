"""Document upload and results. Uploads answer at once (202); reading happens in the background."""

from __future__ import annotations

import hashlib
from typing import Annotated, Any

from fastapi import APIRouter, File, Header, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from reimburse.api.deps import CurrentPrincipal, SessionDep
from reimburse.api.idempotent import idempotent
from reimburse.api.schemas import Document, DocumentList, DocumentUpload, answers
from reimburse.claims import access
from reimburse.core.errors import InvalidInput, NotFound
from reimburse.core.principal import Principal
from reimburse.documents import service
from reimburse.documents.records import DocumentRecord, DocumentResultRecord
from reimburse.documents.runtime import store_for
from reimburse.ocr.errors import FileTooLarge

router = APIRouter(tags=["documents"])
MAX_FILES = 20
_MEDIA = {"pdf": "application/pdf", "ofd": "application/ofd", "xml": "application/xml"}


def _visible(session: Session, principal: Principal, doc: DocumentRecord | None) -> DocumentRecord:
    """The uploader's own, or used by a claim the caller may see; otherwise "not found"."""
    if doc is None or not (
        doc.owner_subject == principal.subject or access.document_visible(session, principal, doc.id)
    ):
        raise NotFound("document not found")
    return doc


@router.post(
    "/documents", status_code=202, responses=answers(DocumentUpload, 401, 409, 413, 422, 503, status=202)
)
async def upload(
    request: Request,
    principal: CurrentPrincipal,
    session: SessionDep,
    files: Annotated[list[UploadFile], File(description="photos, PDF, OFD or XML e-invoices")],
    idempotency_key: Annotated[str | None, Header()] = None,
) -> dict[str, Any]:
    settings = request.app.state.settings
    if len(files) > MAX_FILES:
        raise InvalidInput(f"at most {MAX_FILES} files per upload", code="too_many_files")
    uploads = []
    for f in files:
        data = await f.read(settings.max_upload_bytes + 1)  # never more than the limit in memory
        if len(data) > settings.max_upload_bytes:
            raise FileTooLarge(f"{f.filename}: larger than {settings.max_upload_bytes} bytes")
        uploads.append(service.Upload(filename=f.filename or "upload", data=data))
    store = store_for(settings)
    fingerprint = [(u.filename, hashlib.sha256(u.data).hexdigest()) for u in uploads]

    def work() -> dict[str, Any]:
        docs = [service.accept(session, store, principal, u, settings.max_upload_bytes) for u in uploads]
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
            dispatch(d["id"])
    return body


@router.get("/documents", responses=answers(DocumentList, 401, 422))
def list_documents(principal: CurrentPrincipal, session: SessionDep, limit: int = 50) -> dict[str, Any]:
    docs = session.scalars(
        select(DocumentRecord)
        .where(DocumentRecord.owner_subject == principal.subject)
        .order_by(DocumentRecord.id.desc())
        .limit(min(max(limit, 1), 200))
    ).all()
    return {"items": [service.document_view(d, []) for d in docs]}


@router.get("/documents/{document_id}", responses=answers(Document, 401, 404, 422))
def get_document(document_id: int, principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    doc = _visible(session, principal, session.get(DocumentRecord, document_id))
    results = list(
        session.scalars(select(DocumentResultRecord).where(DocumentResultRecord.document_id == doc.id))
    )
    return service.document_view(doc, results)


@router.get("/documents/{document_id}/file")
def get_file(
    document_id: int, request: Request, principal: CurrentPrincipal, session: SessionDep
) -> Response:
    doc = _visible(session, principal, session.get(DocumentRecord, document_id))
    data = store_for(request.app.state.settings).get(doc.sha256)
    media = _MEDIA.get(doc.kind) or _image_type(data)
    return Response(content=data, media_type=media, headers={"Cache-Control": "private, max-age=3600"})


def _image_type(data: bytes) -> str:
    if data.startswith(b"\x89PNG"):
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data.startswith(b"\xff\xd8"):
        return "image/jpeg"
    return "application/octet-stream"
