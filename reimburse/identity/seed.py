"""A demo company so that a newcomer can click through at once (``reimburse demo``).

Idempotent: running it twice changes nothing. Refused in production. The names are
invented; the tax ID is a synthetic but valid unified social credit code.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from reimburse.core.errors import Forbidden
from reimburse.identity.auth import create_api_key, hash_password
from reimburse.identity.records import DepartmentRecord, LegalEntityRecord, UserRecord
from reimburse.ocr.fapiao.uscc import uscc_check_digit

DEMO_PASSWORD = "demo-pass-123"
COMPANY = "星河示例科技有限公司"
COMPANY_TAX_ID = "91310000MA1FL0001" + uscc_check_digit("91310000MA1FL0001")

# username, display name, department key, roles, rank
_PEOPLE: tuple[tuple[str, str, str, tuple[str, ...], int], ...] = (
    ("ceo", "陈总裁", "hq", ("approver", "ceo"), 9),
    ("gm", "王总经理", "hq", ("approver", "general_manager"), 8),
    ("findir", "李财务总监", "finance", ("finance", "approver", "finance_director"), 7),
    ("finrev", "赵财务", "finance", ("finance", "approver", "finance_reviewer"), 3),
    ("saleshead", "周销售总监", "sales", ("approver",), 6),
    ("teamlead", "吴组长", "east", ("approver",), 4),
    ("alice", "张小花", "east", ("employee",), 1),
    ("bob", "刘大伟", "east", ("employee",), 1),
    ("admin", "系统管理员", "hq", ("admin",), 5),
)
_DEPARTMENTS: tuple[tuple[str, str, str | None, str], ...] = (
    ("hq", "总经办", None, "ceo"),
    ("finance", "财务部", "hq", "findir"),
    ("sales", "销售部", "hq", "saleshead"),
    ("east", "华东销售组", "sales", "teamlead"),
)


def seed_demo_org(session: Session, *, environment: str = "development") -> dict[str, Any]:
    if environment == "production":
        raise Forbidden("the demo company is not seeded in production", code="demo_in_production")
    existing = session.scalars(select(UserRecord).where(UserRecord.username == "alice")).first()
    if existing is not None:
        return {"created": False, "password": DEMO_PASSWORD, "users": _users(session)}
    if (
        session.scalars(select(LegalEntityRecord).where(LegalEntityRecord.tax_id == COMPANY_TAX_ID)).first()
        is None
    ):
        session.add(LegalEntityRecord(name=COMPANY, tax_id=COMPANY_TAX_ID))
    depts: dict[str, DepartmentRecord] = {}
    for key, name, parent, _ in _DEPARTMENTS:
        dept = DepartmentRecord(name=name, parent_id=depts[parent].id if parent else None)
        session.add(dept)
        session.flush()
        depts[key] = dept
    password = hash_password(DEMO_PASSWORD)
    users: dict[str, UserRecord] = {}
    for username, name, dept_key, roles, rank in _PEOPLE:
        user = UserRecord(
            username=username,
            display_name=name,
            email=f"{username}@example.com",
            password_hash=password,
            roles=list(roles),
            department_id=depts[dept_key].id,
            rank=rank,
        )
        session.add(user)
        users[username] = user
    session.flush()
    for key, _, _, head in _DEPARTMENTS:
        depts[key].head_user_id = users[head].id
    key, _ = create_api_key(session, "payroll (demo)", ["payouts:read", "payouts:write"])
    session.flush()
    return {
        "created": True,
        "password": DEMO_PASSWORD,
        "payroll_api_key": key,
        "users": _users(session),
        "departments": {k: d.id for k, d in depts.items()},
    }


def _users(session: Session) -> dict[str, int]:
    return {u.username: u.id for u in session.scalars(select(UserRecord))}


def demo_logins(session: Session) -> list[str]:
    """Active demo accounts that still sign in with the published demo password."""
    from argon2 import PasswordHasher
    from argon2.exceptions import InvalidHashError, VerificationError

    hasher = PasswordHasher()
    names = [p[0] for p in _PEOPLE]
    found = []
    for user in session.scalars(select(UserRecord).where(UserRecord.username.in_(names), UserRecord.active)):
        try:
            if user.password_hash and hasher.verify(user.password_hash, DEMO_PASSWORD):
                found.append(user.username)
        except (VerificationError, InvalidHashError):
            continue
    return sorted(found)
