"""Service commands of the ``reimburse`` CLI: serve, worker, beat, migrate, demo, audit."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from reimburse.core.settings import Settings, get_settings


def register(app: typer.Typer) -> None:
    app.command()(serve)
    app.command()(worker)
    app.command()(beat)
    app.command()(migrate)
    app.command()(demo)
    app.command("create-admin")(create_admin)
    audit = typer.Typer(help="The tamper-evident audit trail.", no_args_is_help=True)
    audit.command("verify")(audit_verify)
    audit.command("export")(audit_export)
    audit.command("checkpoint")(audit_checkpoint)
    audit.command("public-key")(audit_public_key)
    audit.command("new-key")(audit_new_key)
    app.add_typer(audit, name="audit")
    workapp = typer.Typer(help="WeCom, DingTalk and Feishu apps.", no_args_is_help=True)
    workapp.command("check")(workapp_check)
    workapp.command("sync")(workapp_sync)
    app.add_typer(workapp, name="workapp")
    payroll = typer.Typer(help="Payroll data (bank accounts, encrypted at rest).", no_args_is_help=True)
    payroll.command("new-key")(payroll_new_key)
    app.add_typer(payroll, name="payroll")


def payroll_new_key() -> None:
    """Print a new key for REIMBURSE_DATA_KEY (keep it secret, and keep it: without it the stored
    bank account numbers cannot be read)."""
    from reimburse.identity.datakey import new_key_b64

    typer.echo(new_key_b64())


def migrate() -> None:
    """Create or upgrade the database schema (SQLite under ./var by default)."""
    from reimburse.core.migrate import upgrade

    upgrade(get_settings().sqlalchemy_url)
    typer.echo("database is up to date")


def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port")] = 8000,
    no_worker: Annotated[
        bool, typer.Option("--no-worker", help="API only (production: run `reimburse worker` separately)")
    ] = False,
    workers: Annotated[int, typer.Option(help="API processes (with --no-worker or a broker)")] = 1,
) -> None:
    """Migrate, then serve the API and web app. Without a broker, uploads are read by a worker
    thread in this process; with REIMBURSE_BROKER_URL they go to Celery workers."""
    import uvicorn

    from reimburse.api.app import create_app
    from reimburse.core.logs import configure
    from reimburse.core.migrate import upgrade

    settings = get_settings()
    _refuse_unsafe_secret(settings)
    configure()
    upgrade(settings.sqlalchemy_url)  # under a database lock: N replicas may start at once
    _refuse_unsafe(settings)
    local = not no_worker and not settings.broker_url
    typer.echo(
        f"reimburse on http://{host}:{port}  (database: {settings.sqlalchemy_url.split('@')[-1]}; "
        f"worker: {'in-process' if local else 'celery' if settings.broker_url else 'none'})"
    )
    if workers > 1 and not local:
        # several processes: uvicorn imports the factory in each (settings come from the environment)
        uvicorn.run(
            "reimburse.api.app:served_app",  # configures the same JSON logs in each process
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_config=None,
        )
        return
    uvicorn.run(create_app(settings, local_worker=local), host=host, port=port, log_config=None)


def worker(
    concurrency: Annotated[int, typer.Option(help="worker processes")] = 1,
    queues: Annotated[
        str, typer.Option(help="ocr (reading documents), default (timers, notifications, webhooks), or both")
    ] = "ocr,default",
) -> None:
    """A Celery worker for REIMBURSE_BROKER_URL (Redis or RabbitMQ).

    OCR needs CPU and memory: run `--queues ocr` on the machines for it and one small
    `--queues default` worker for the rest, so a pile of photos never delays an SLA timer."""
    from reimburse.core.celery_app import celery_app

    if not get_settings().broker_url:
        raise typer.BadParameter("set REIMBURSE_BROKER_URL (redis://... or amqp://...) to run a worker")
    _refuse_unsafe(get_settings())
    celery_app.worker_main(
        [
            "worker",
            "--loglevel=INFO",
            f"--concurrency={concurrency}",
            f"--queues={queues}",
            "--without-gossip",
        ]
    )


def beat() -> None:
    """Celery beat: periodic jobs (re-queue documents of dead workers, SLA timers)."""
    from reimburse.core.celery_app import celery_app

    _refuse_unsafe(get_settings())
    celery_app.start(["beat", "--loglevel=INFO"])


def _refuse_unsafe_secret(settings: Settings) -> None:
    found = settings.startup_problems()
    if found:
        typer.echo("refusing to start: " + "; ".join(found), err=True)
        raise typer.Exit(code=2)


def _refuse_unsafe(settings: Settings) -> None:
    from reimburse.startup import UnsafeStart, refuse_unsafe

    try:
        refuse_unsafe(settings)
    except UnsafeStart as exc:
        typer.echo(exc.message, err=True)
        raise typer.Exit(code=2) from exc


def create_admin(
    username: Annotated[str, typer.Argument(help="the sign-in name")],
    password: Annotated[
        str,
        typer.Option(
            prompt=True,
            hide_input=True,
            confirmation_prompt=True,
            envvar="REIMBURSE_ADMIN_PASSWORD",
            help="asked for when not given (or REIMBURSE_ADMIN_PASSWORD)",
        ),
    ],
    display_name: Annotated[str, typer.Option(help="the name people see")] = "Administrator",
) -> None:
    """Create an administrator for a real installation (no demo data needed)."""
    from reimburse.core.db import engine_for, unit_of_work
    from reimburse.core.errors import ReimburseError
    from reimburse.core.migrate import upgrade
    from reimburse.identity.admin_account import create_admin_user

    settings = get_settings()
    upgrade(settings.sqlalchemy_url)
    try:
        with unit_of_work(engine_for(settings.sqlalchemy_url)) as session:
            user = create_admin_user(session, username, display_name, password)
            user_id = user.id
    except ReimburseError as exc:
        typer.echo(f"{exc.code}: {exc.message}", err=True)
        raise typer.Exit(code=1) from exc
    typer.echo(json.dumps({"id": user_id, "username": username, "roles": ["admin"]}))


def demo() -> None:
    """Seed a demo company: people, departments, budgets, a few claims, a payroll API key.

    Every demo user's password is printed; sign in at http://127.0.0.1:8000 as alice
    (salesperson), teamlead (her head), finrev (finance), gm, admin."""
    from reimburse.claims.demo import seed_demo_claims
    from reimburse.core.db import engine_for, unit_of_work
    from reimburse.core.migrate import upgrade
    from reimburse.identity.seed import seed_demo_org

    settings = get_settings()
    upgrade(settings.sqlalchemy_url)
    with unit_of_work(engine_for(settings.sqlalchemy_url)) as session:
        result = seed_demo_org(session, environment=settings.environment)
        result["demo_claims"] = seed_demo_claims(session)
    typer.echo(json.dumps(result, ensure_ascii=False, indent=2))


def audit_verify(
    claim: Annotated[int | None, typer.Option(help="limit the per-claim checks to one claim")] = None,
    file: Annotated[
        Path | None, typer.Option("--file", help="check an export offline (no database) instead")
    ] = None,
    public_key: Annotated[
        str | None, typer.Option(help="the published audit public key (base64); default: this installation's")
    ] = None,
) -> None:
    """Check the audit trail: the chain, each claim's entries against its current content, the
    stored head and the signed checkpoints; exit 1 on any break. With --file, check an export."""
    from reimburse.audit import service as trail
    from reimburse.audit.keys import signer_for, verifier_from_b64

    settings = get_settings()
    verifier = verifier_from_b64(public_key) if public_key else signer_for(settings).verifier()
    if file is not None:
        problems = trail.verify_file(trail.parse_export(file.read_text(encoding="utf-8")), verifier)
    else:
        from reimburse.claims.trail import materials
        from reimburse.core.db import engine_for, unit_of_work

        with unit_of_work(engine_for(settings.sqlalchemy_url)) as session:
            problems = trail.verify(session, verifier, materials(session, claim), claim)
    if not problems:
        typer.echo("audit trail intact")
        return
    for p in problems:
        typer.echo(p)
    raise typer.Exit(code=1)


def workapp_check() -> None:
    """Validate each work app's settings against the platform (a token fetch); print what is missing."""
    from reimburse.workapps.check import check

    results = check(get_settings())
    for r in results:
        name = r.platform.value
        if not r.configured:
            typer.echo(f"{name}: not configured (set {', '.join(r.missing)})")
            continue
        for m in r.missing:
            typer.echo(f"{name}: missing {m}")
        for p in r.problems:
            typer.echo(f"{name}: {p}")
        if r.token_ok:
            typer.echo(f"{name}: access token fetched: corp/app id and secret are right")
    if not any(r.configured for r in results) or not all(r.ok for r in results):
        raise typer.Exit(code=1)


def workapp_sync() -> None:
    """Pull the directories of the configured work apps now; print what changed and what was kept."""
    from reimburse.workapps.jobs import directory_sync

    reports = directory_sync(get_settings())
    typer.echo(json.dumps([r.as_dict() for r in reports], ensure_ascii=False, indent=2))


def audit_export(
    claim: Annotated[int | None, typer.Option(help="one claim's entries")] = None,
    since: Annotated[datetime | None, typer.Option(help="entries at or after (UTC)")] = None,
    until: Annotated[datetime | None, typer.Option(help="entries before (UTC)")] = None,
    fmt: Annotated[str, typer.Option("--format", help="jsonl or csv")] = "jsonl",
    out: Annotated[Path | None, typer.Option("--out", help="file to write (default: stdout)")] = None,
) -> None:
    """Write the trail (a claim's or a period's) with the signed checkpoints and a statement
    signed now; check it anywhere with `reimburse audit verify --file F --public-key K`."""
    from reimburse.audit import service as trail
    from reimburse.audit.keys import signer_for
    from reimburse.core.db import engine_for, unit_of_work, utcnow

    if fmt not in ("jsonl", "csv"):
        raise typer.BadParameter("--format is jsonl or csv")
    settings = get_settings()
    with unit_of_work(engine_for(settings.sqlalchemy_url)) as session:
        records = trail.export(
            session, signer_for(settings), utcnow(), claim_id=claim, since=_utc(since), until=_utc(until)
        )
    text = trail.to_jsonl(records) if fmt == "jsonl" else trail.to_csv(records)
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")


def audit_checkpoint() -> None:
    """Sign a checkpoint of the chain's head now (the worker also does this periodically)."""
    from reimburse.audit import service as trail
    from reimburse.audit.keys import signer_for
    from reimburse.core.db import engine_for, unit_of_work, utcnow

    settings = get_settings()
    with unit_of_work(engine_for(settings.sqlalchemy_url)) as session:
        signed = trail.checkpoint(session, signer_for(settings), utcnow())
    typer.echo(json.dumps(signed.to_dict()))


def audit_public_key() -> None:
    """Print the public key that checks checkpoints and exports (publish it)."""
    from reimburse.audit.keys import signer_for

    verifier = signer_for(get_settings()).verifier()
    typer.echo(json.dumps({"key_id": verifier.key_id, "public_key": verifier.public_b64}))


def audit_new_key() -> None:
    """Print a new signing key for REIMBURSE_AUDIT_SIGNING_KEY (keep it secret)."""
    from reimburse.audit.keys import new_key_b64

    typer.echo(new_key_b64())


def _utc(at: datetime | None) -> datetime | None:
    return at.replace(tzinfo=UTC) if at is not None and at.tzinfo is None else at
