"""Service commands of the ``reimburse`` CLI: serve, worker, beat, migrate, demo, audit."""

from __future__ import annotations

import json
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
    audit = typer.Typer(help="The tamper-evident audit trail of claims.", no_args_is_help=True)
    audit.command("verify")(audit_verify)
    app.add_typer(audit, name="audit")
    workapp = typer.Typer(help="WeCom, DingTalk and Feishu apps.", no_args_is_help=True)
    workapp.command("check")(workapp_check)
    workapp.command("sync")(workapp_sync)
    app.add_typer(workapp, name="workapp")


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
    claim: Annotated[int | None, typer.Option(help="one claim's chain (default: all)")] = None,
) -> None:
    """Check the hash chains of the audit trail; exit 1 if an entry was edited or removed."""
    from reimburse.core.db import engine_for, unit_of_work
    from reimburse.routing.service import verify

    with unit_of_work(engine_for(get_settings().sqlalchemy_url)) as session:
        problems = verify(session, claim)
    if not problems:
        typer.echo("audit trail intact")
        return
    for claim_id, found in problems.items():
        for p in found:
            typer.echo(f"claim {claim_id}: {p}")
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
