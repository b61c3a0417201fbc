"""The list of modules that define ORM records, so Alembic and tests see every table.

Each domain adds its ``records`` module here (one line); nothing else imports them all.
"""

from __future__ import annotations

import importlib

RECORD_MODULES: tuple[str, ...] = (
    "reimburse.core.idempotency",
    "reimburse.identity.records",
    "reimburse.documents.records",
    "reimburse.core.outbox",
    "reimburse.claims.records",
    "reimburse.budgets.records",
    "reimburse.routing.records",
    "reimburse.policy.records",
    "reimburse.webhooks.records",
    "reimburse.verification.records",
    "reimburse.workapps.records",
    "reimburse.audit.records",
    "reimburse.core.controls",
    "reimburse.currency.records",
    "reimburse.vouchers.records",
    "reimburse.advances.records",
)


def import_all_models() -> None:
    for name in RECORD_MODULES:
        importlib.import_module(name)
