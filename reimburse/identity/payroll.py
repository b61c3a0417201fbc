"""What payroll needs of a person: employee number, payee name, bank, branch and account.

The account number is stored sealed (``identity.datakey``) and shown masked everywhere except
to payroll (``payouts``: the pull and its exports), which call :func:`payee` with the cipher.
A change goes on the admin trail with the masked old and new values only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from reimburse.audit import service as trail
from reimburse.core.errors import InvalidInput, NotFound
from reimburse.identity.datakey import DataCipher, mask
from reimburse.identity.records import UserRecord

# digits, optionally grouped by spaces or dashes (CN debit cards are 16-19 digits; a few
# corporate accounts are shorter); stored without the separators
_ACCOUNT = re.compile(r"^[0-9][0-9 -]{4,40}[0-9]$")


@dataclass(frozen=True, slots=True)
class PayrollInput:
    """Only the fields that were sent change (``None`` clears a field)."""

    fields: dict[str, str | None]


def context(user_id: int) -> str:
    """Associated data for the seal: a ciphertext moved onto another person's row does not open."""
    return f"users/{user_id}/bank_account"


def normalise_account(text: str) -> str:
    if not _ACCOUNT.fullmatch(text.strip()):
        raise InvalidInput(
            "a bank account number is 6 to 40 digits (spaces and dashes allowed between them)",
            code="invalid_bank_account",
        )
    return re.sub(r"[ -]", "", text.strip())


def masked_view(user: UserRecord) -> dict[str, Any]:
    """The payroll fields as every non-payroll screen shows them."""
    return {
        "user_id": user.id,
        "employee_number": user.employee_number,
        "payee_name": user.payee_name,
        "bank_name": user.bank_name,
        "bank_branch": user.bank_branch,
        "bank_account": _masked(user),
    }


def _masked(user: UserRecord) -> str | None:
    return mask("0000" + user.bank_account_tail) if user.bank_account_tail else None


def account_number(user: UserRecord, cipher: DataCipher) -> str | None:
    """The plain account number: for the payroll pull and exports only."""
    if not user.bank_account_sealed:
        return None
    return cipher.open(user.bank_account_sealed, context(user.id))


def get(session: Session, user_id: int) -> UserRecord:
    user = session.get(UserRecord, user_id)
    if user is None:
        raise NotFound(f"user {user_id} not found")
    return user


def update(
    session: Session, user_id: int, data: PayrollInput, cipher: DataCipher, actor: str, now: datetime
) -> dict[str, Any]:
    """Set a person's payroll fields; the trail gets the masked before and after of what changed."""
    user = get(session, user_id)
    before = masked_view(user)
    for name, value in data.fields.items():
        value = value.strip() if isinstance(value, str) else None
        value = value or None
        if name == "bank_account":
            if value is None:
                user.bank_account_sealed = user.bank_account_tail = None
            else:
                number = normalise_account(value)
                user.bank_account_sealed = cipher.seal(number, context(user.id))
                user.bank_account_tail = number[-4:]
        elif name == "employee_number":
            if value is not None and _taken(session, value, user.id):
                raise InvalidInput(
                    f"employee number {value} belongs to another person", code="employee_number_taken"
                )
            user.employee_number = value
        elif name in ("payee_name", "bank_name", "bank_branch"):
            setattr(user, name, value)
        else:  # the route's model lists the fields; this is a programming error
            raise InvalidInput(f"unknown payroll field {name!r}")
    session.flush()
    after = masked_view(user)
    diff = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if "bank_account" in data.fields and "bank_account" not in diff and data.fields["bank_account"]:
        # the same last four digits but maybe another number: say that it was replaced
        diff["bank_account"] = [before["bank_account"], after["bank_account"]]
    if diff:
        trail.record_admin(session, f"user:{user.id}", "user.payroll", actor, now, diff)
    return after


def _taken(session: Session, number: str, user_id: int) -> bool:
    query = select(UserRecord.id).where(UserRecord.employee_number == number, UserRecord.id != user_id)
    return session.scalars(query).first() is not None


def fill_employee_number(session: Session, user: UserRecord, number: str | None) -> bool:
    """From a work-app directory: fill an empty employee number (never overwrite one set here,
    never take one another person holds). True when it was filled."""
    number = (number or "").strip()[:32]
    if not number or user.employee_number or _taken(session, number, user.id):
        return False
    user.employee_number = number
    return True
