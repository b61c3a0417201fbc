"""Prometheus gauges read from the database at scrape time (queue depths, claims by state)."""

from __future__ import annotations

from prometheus_client import Gauge
from sqlalchemy import Engine, text

_DOCUMENTS = Gauge("reimburse_documents", "documents by status (queued = the OCR queue depth)", ["status"])
_CLAIMS = Gauge("reimburse_claims", "claims by state", ["state"])
_OUTBOX = Gauge("reimburse_outbox_pending", "notifications and webhook events waiting to be sent")


def refresh_gauges(engine: Engine) -> None:
    """Read the gauges' values; metrics report what they can, a missing table is not an outage."""
    try:
        with engine.connect() as conn:
            for table, gauge in (("documents", _DOCUMENTS), ("claims", _CLAIMS)):
                gauge.clear()
                for status, count in conn.execute(
                    text(f"SELECT status, COUNT(*) FROM {table} GROUP BY status")
                ):
                    gauge.labels(status).set(count)
            pending = conn.execute(text("SELECT COUNT(*) FROM outbox WHERE status = 'pending'")).scalar()
            _OUTBOX.set(pending or 0)
    except Exception:
        pass


def database_answers(engine: Engine) -> str:
    """``ok`` or the error's type: for readiness, which reports and never raises."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return "ok"
    except Exception as exc:
        return f"error: {type(exc).__name__}"
