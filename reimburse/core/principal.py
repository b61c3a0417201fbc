"""Who is making a request: a signed-in user or a machine client's API key."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    EMPLOYEE = "employee"
    APPROVER = "approver"
    FINANCE = "finance"
    ADMIN = "admin"
    PAYROLL = "payroll"  # machine client of the payroll system
    AUDITOR = "auditor"  # reads and exports the audit trail, changes nothing


@dataclass(frozen=True, slots=True)
class Principal:
    subject: str  # "user:<id>" or "apikey:<id>"; the idempotency and audit identity
    user_id: int | None = None
    roles: frozenset[Role] = field(default_factory=frozenset)
    scopes: frozenset[str] = field(default_factory=frozenset)  # API-key scopes, e.g. "payouts:write"
    department_id: int | None = None

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))
