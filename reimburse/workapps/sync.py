"""Directory sync: departments, people, department heads and platform ids from a work app.

The platform is the source of truth for what it manages (name, e-mail, department, heads,
membership). What the sync would overwrite but was edited here by hand since the last sync is
kept and reported, and so are active local users the platform does not know (local-only).
A member the platform no longer lists, or lists as disabled, is deactivated at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from reimburse.claims.leavers import deactivate_user
from reimburse.core.db import utcnow
from reimburse.identity.payroll import fill_employee_number
from reimburse.identity.records import DepartmentRecord, UserRecord
from reimburse.workapps.domain import LABELS, Directory, Platform, PlatformUser
from reimburse.workapps.records import WorkAppAccountRecord, WorkAppDepartmentRecord


@dataclass
class SyncReport:
    platform: str
    created: list[str] = field(default_factory=list)
    linked: list[str] = field(default_factory=list)  # existing local users matched by e-mail
    updated: list[str] = field(default_factory=list)
    deactivated: list[str] = field(default_factory=list)
    departments: int = 0
    kept_manual_edits: list[dict[str, Any]] = field(default_factory=list)
    local_only: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def apply_directory(session: Session, platform: Platform, directory: Directory) -> SyncReport:
    report = SyncReport(platform.value)
    departments = _departments(session, platform, directory, report)
    accounts = {
        a.platform_user_id: a
        for a in session.scalars(
            select(WorkAppAccountRecord).where(WorkAppAccountRecord.platform == platform.value)
        )
    }
    listed: set[str] = set()
    local_ids: dict[str, int] = {}
    for pu in directory.users:
        listed.add(pu.id)
        user = _user(session, platform, pu, accounts, departments, report)
        local_ids[pu.id] = user.id
        if not pu.active and user.active:
            deactivate_user(
                session, user.id, f"{platform.value}:sync", utcnow(), reason="disabled on the platform"
            )
            report.deactivated.append(user.username)
    for platform_user_id, account in accounts.items():
        if platform_user_id in listed:
            continue
        gone = session.get(UserRecord, account.user_id)
        if gone is not None and gone.active:
            deactivate_user(
                session, gone.id, f"{platform.value}:sync", utcnow(), reason="not in the directory"
            )
            report.deactivated.append(gone.username)
    for d in directory.departments:
        local = session.get(DepartmentRecord, departments[d.id])
        heads = [local_ids[h] for h in d.heads if h in local_ids]
        if local is not None and heads and local.head_user_id != heads[0]:
            local.head_user_id = heads[0]
    session.flush()
    linked_ids = select(WorkAppAccountRecord.user_id).where(WorkAppAccountRecord.platform == platform.value)
    report.local_only = list(
        session.scalars(
            select(UserRecord.username)
            .where(UserRecord.active.is_(True), UserRecord.id.not_in(linked_ids))
            .order_by(UserRecord.username)
        )
    )
    session.flush()
    return report


def _departments(
    session: Session, platform: Platform, directory: Directory, report: SyncReport
) -> dict[str, int]:
    links = {
        d.platform_department_id: d.department_id
        for d in session.scalars(
            select(WorkAppDepartmentRecord).where(WorkAppDepartmentRecord.platform == platform.value)
        )
    }
    # a first sync adopts the local department of the same name that no platform id claims yet
    unlinked = {
        r.name: r
        for r in session.scalars(select(DepartmentRecord).where(DepartmentRecord.id.not_in(links.values())))
    }
    for d in directory.departments:
        if d.id not in links:
            row = unlinked.pop(d.name, None) or DepartmentRecord(name=d.name)
            session.add(row)
            session.flush()
            session.add(
                WorkAppDepartmentRecord(
                    platform=platform.value, platform_department_id=d.id, department_id=row.id
                )
            )
            links[d.id] = row.id
    for d in directory.departments:
        local = session.get(DepartmentRecord, links[d.id])
        if local is None:
            continue
        parent = links.get(d.parent_id) if d.parent_id else None
        if local.name != d.name or local.parent_id != parent:
            local.name, local.parent_id = d.name, parent
            report.departments += 1
    session.flush()
    return links


def _user(
    session: Session,
    platform: Platform,
    pu: PlatformUser,
    accounts: dict[str, WorkAppAccountRecord],
    departments: dict[str, int],
    report: SyncReport,
) -> UserRecord:
    wanted: dict[str, Any] = {
        "display_name": pu.name,
        "email": pu.email,
        "department_id": departments.get(pu.departments[0]) if pu.departments else None,
    }
    account = accounts.get(pu.id)
    user = session.get(UserRecord, account.user_id) if account is not None else None
    if user is None and pu.email:
        user = session.scalars(select(UserRecord).where(UserRecord.email == pu.email)).first()
        if user is not None:
            report.linked.append(user.username)
    if user is None:
        user = UserRecord(username=_username(session, platform, pu), roles=[], active=pu.active, **wanted)
        session.add(user)
        session.flush()
        report.created.append(user.username)
    if account is None:
        # the same person under a new platform id (WeCom lets an admin change a userid): move the link
        old = next((a for a in accounts.values() if a.user_id == user.id), None)
        if old is not None:
            accounts.pop(old.platform_user_id, None)
            old.platform_user_id = pu.id
            account = old
        else:
            account = WorkAppAccountRecord(
                platform=platform.value, platform_user_id=pu.id, user_id=user.id, synced={}
            )
            session.add(account)
        accounts[pu.id] = account
    changed = False
    synced = dict(account.synced or {})
    for name, value in wanted.items():
        current = getattr(user, name)
        if current == value:
            synced[name] = value
            continue
        if name in synced and synced[name] != current:
            # edited here since the last sync: keep it, and say so
            report.kept_manual_edits.append(
                {"user": user.username, "field": name, "local": current, LABELS[platform]: value}
            )
            continue
        setattr(user, name, value)
        synced[name] = value
        changed = True
    account.synced = synced
    if fill_employee_number(session, user, pu.employee_number):  # never overwrites one set here
        changed = True
    if changed and user.username not in report.created:
        report.updated.append(user.username)
    return user


def _username(session: Session, platform: Platform, pu: PlatformUser) -> str:
    base = re.sub(r"[^a-zA-Z0-9_.-]", "_", pu.id)[:48] or "user"
    name = base
    n = 1
    while session.scalars(select(UserRecord.id).where(UserRecord.username == name)).first() is not None:
        n += 1
        name = f"{base}.{platform.value}{n}"
    return name
