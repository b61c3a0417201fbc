"""Directory sync rules on the database (no HTTP): links, moves, heads, members who vanish."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from reimburse.identity.auth import issue_token
from reimburse.identity.records import AccessTokenRecord, DepartmentRecord, UserRecord
from reimburse.identity.seed import seed_demo_org
from reimburse.workapps.domain import Directory, Platform, PlatformDepartment, PlatformUser
from reimburse.workapps.records import WorkAppAccountRecord
from reimburse.workapps.sync import apply_directory
from tests.workapps.harness import DEMO_DEPARTMENTS, DEMO_MEMBERS, NAMES


def _directory(**changes: dict[str, object]) -> Directory:
    departments = tuple(
        PlatformDepartment(str(i), n, str(p) if p else None, (f"u_{h}",)) for i, n, p, h in DEMO_DEPARTMENTS
    )
    users = []
    for u, d in DEMO_MEMBERS.items():
        fields: dict[str, object] = {"name": NAMES[u], "departments": (str(d),), "email": f"{u}@example.com"}
        fields.update(changes.get(u, {}))
        users.append(PlatformUser(id=f"u_{u}", **fields))  # type: ignore[arg-type]
    return Directory(departments, tuple(users))


def _user(session: Session, username: str) -> UserRecord:
    return session.scalars(select(UserRecord).where(UserRecord.username == username)).one()


def test_sync_links_moves_and_deactivates(session: Session) -> None:
    seed_demo_org(session)
    first = apply_directory(session, Platform.FEISHU, _directory())
    assert sorted(first.linked) == sorted(DEMO_MEMBERS) and not first.created
    assert session.scalars(select(WorkAppAccountRecord)).all()
    east = session.scalars(select(DepartmentRecord).where(DepartmentRecord.name == "华东销售组")).one()
    finance = session.scalars(select(DepartmentRecord).where(DepartmentRecord.name == "财务部")).one()
    assert _user(session, "alice").department_id == east.id

    token = issue_token(session, _user(session, "bob"))
    assert token
    # alice moves to finance; bob is gone from the directory; the east group gets a new head
    directory = _directory(alice={"departments": ("2",)})
    directory = Directory(
        tuple(
            PlatformDepartment(d.id, d.name, d.parent_id, ("u_alice",)) if d.name == "华东销售组" else d
            for d in directory.departments
        ),
        tuple(u for u in directory.users if u.id != "u_bob"),
    )
    second = apply_directory(session, Platform.FEISHU, directory)
    assert second.updated == ["alice"] and second.deactivated == ["bob"]
    assert _user(session, "alice").department_id == finance.id
    assert session.get(DepartmentRecord, east.id).head_user_id == _user(session, "alice").id  # type: ignore[union-attr]
    bob = _user(session, "bob")
    assert not bob.active
    assert all(
        t.revoked
        for t in session.scalars(select(AccessTokenRecord).where(AccessTokenRecord.user_id == bob.id))
    )
    # a member new to the directory becomes a user without a password (work-app sign-in only)
    carol = PlatformUser(id="u_carol", name="王小红", departments=("4",), email=None)
    third = apply_directory(
        session, Platform.FEISHU, Directory(directory.departments, (*directory.users, carol))
    )
    assert third.created == ["u_carol"]
    new = _user(session, "u_carol")
    assert new.password_hash is None and new.department_id == east.id and new.active


def test_a_changed_platform_id_moves_the_link(session: Session) -> None:
    seed_demo_org(session)
    apply_directory(session, Platform.WECOM, _directory())
    directory = _directory()
    renamed = Directory(
        directory.departments,
        tuple(PlatformUser("u_alice_zhang", u.name, u.departments, u.email) if u.id == "u_alice" else u
              for u in directory.users),
    )  # fmt: skip
    report = apply_directory(session, Platform.WECOM, renamed)
    assert report.deactivated == [] and report.created == []
    alice = _user(session, "alice")
    link = session.scalars(select(WorkAppAccountRecord).where(WorkAppAccountRecord.user_id == alice.id)).one()
    assert link.platform_user_id == "u_alice_zhang" and alice.active


def test_sync_fills_an_empty_employee_number_and_never_overwrites_one_set_here(session: Session) -> None:
    seed_demo_org(session)
    _user(session, "bob").employee_number = "HR-7"  # set by an admin here
    session.flush()
    numbers = {"alice": "E0001", "bob": "E0002", "teamlead": "HR-7"}
    directory = _directory(**{u: {"employee_number": n} for u, n in numbers.items()})
    report = apply_directory(session, Platform.DINGTALK, directory)
    assert _user(session, "alice").employee_number == "E0001" and "alice" in report.updated
    assert _user(session, "bob").employee_number == "HR-7"  # kept
    assert _user(session, "teamlead").employee_number is None  # HR-7 is bob's: not taken twice
