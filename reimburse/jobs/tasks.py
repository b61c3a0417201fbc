"""Celery tasks of the claims domain (periodic, run by ``reimburse beat``): thin wrappers."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from functools import lru_cache

import httpx

from reimburse.audit.keys import signer_for
from reimburse.core.celery_app import celery_app
from reimburse.core.db import engine_for, utcnow
from reimburse.core.models import import_all_models
from reimburse.core.settings import Settings, get_settings
from reimburse.jobs import periodic as background
from reimburse.notify.dispatch import Dispatcher
from reimburse.notify.senders import Bot, DingTalkBot, FeishuBot, SmtpServer, WeComBot
from reimburse.verification.port import InvoiceVerifier
from reimburse.verification.registry import make_verifier

import_all_models()
log = logging.getLogger(__name__)


def dispatcher_for(settings: Settings) -> Dispatcher | None:
    """The notification channels the settings configure, or None when there are none."""
    bots: list[Bot] = []
    if settings.wecom_webhook:
        bots.append(WeComBot(settings.wecom_webhook))
    if settings.dingtalk_webhook:
        bots.append(DingTalkBot(settings.dingtalk_webhook, settings.dingtalk_secret))
    if settings.feishu_webhook:
        bots.append(FeishuBot(settings.feishu_webhook, settings.feishu_secret))
    smtp = (
        SmtpServer(
            host=settings.smtp_host,
            port=settings.smtp_port,
            sender=settings.smtp_sender,
            username=settings.smtp_username,
            password=settings.smtp_password,
            starttls=settings.smtp_starttls,
        )
        if settings.smtp_host
        else None
    )
    return Dispatcher(bots=tuple(bots), smtp=smtp, public_url=settings.public_url) if bots or smtp else None


@lru_cache(maxsize=1)
def _client() -> httpx.Client:
    return httpx.Client(timeout=10.0, follow_redirects=False)


def verifier_for(settings: Settings) -> InvoiceVerifier:
    """The configured provider's adapter, one per process and configuration."""
    return _verifier(
        settings.verification_provider,
        settings.verification_secret_id,
        settings.verification_secret_key,
        settings.verification_endpoint,
        settings.verification_region,
        settings.verification_timeout,
    )


@lru_cache(maxsize=4)
def _verifier(
    provider: str,
    secret_id: str | None,
    secret_key: str | None,
    endpoint: str | None,
    region: str,
    timeout: float,
) -> InvoiceVerifier:
    if provider == "none":
        return make_verifier("none")
    options: dict[str, object] = {
        "secret_id": secret_id,
        "secret_key": secret_key,
        "region": region,
        "timeout": timeout,
    }
    if endpoint:
        options["endpoint"] = endpoint
    return make_verifier(provider, **options)


def timers(settings: Settings) -> int:
    return background.fire_timers(engine_for(settings.sqlalchemy_url), utcnow())


def outbox(settings: Settings) -> int:
    engine = engine_for(settings.sqlalchemy_url)
    return background.drain_outbox(
        engine, utcnow(), dispatcher_for(settings), _client(), settings.webhook_networks
    )


def verification(settings: Settings) -> int:
    engine = engine_for(settings.sqlalchemy_url)
    return background.check_invoices(
        engine, utcnow(), verifier_for(settings), rate=settings.verification_rate
    )


def checkpoint(settings: Settings) -> int:
    """Sign the audit chain's head when it moved (at most every audit_checkpoint_seconds)."""
    engine = engine_for(settings.sqlalchemy_url)
    every = timedelta(seconds=settings.audit_checkpoint_seconds)
    return background.sign_checkpoint(engine, signer_for(settings), utcnow(), every)


def vouchers(settings: Settings) -> int:
    """Vouchers of the claims approved (or paid, by ``voucher_at``) since the last run."""
    return background.make_vouchers(engine_for(settings.sqlalchemy_url), settings.voucher_at)


JOBS: dict[str, Callable[[Settings], int]] = {
    "timers": timers,
    "outbox": outbox,
    "verification": verification,
    "checkpoint": checkpoint,
    "vouchers": vouchers,
}


def housekeeping(settings: Settings) -> int:
    """Every periodic job once (the embedded worker's stand-in for beat). Each runs on its own:
    one that fails (a provider down, a bug) is logged and skips none of the others."""
    done = 0
    for name, job in JOBS.items():
        try:
            done += job(settings)
        except Exception:
            log.exception("periodic job %s failed; the others ran", name)
    return done


@celery_app.task(name="claims.housekeeping", acks_late=True)  # type: ignore[untyped-decorator]
def housekeeping_task() -> int:
    return housekeeping(get_settings())


@celery_app.task(name="claims.timers", acks_late=True)  # type: ignore[untyped-decorator]
def timers_task() -> int:
    return timers(get_settings())


@celery_app.task(name="claims.outbox", acks_late=True)  # type: ignore[untyped-decorator]
def outbox_task() -> int:
    return outbox(get_settings())


@celery_app.task(name="claims.verification", acks_late=True)  # type: ignore[untyped-decorator]
def verification_task() -> int:
    return verification(get_settings())


@celery_app.task(name="claims.checkpoint", acks_late=True)  # type: ignore[untyped-decorator]
def checkpoint_task() -> int:
    return checkpoint(get_settings())


@celery_app.task(name="claims.vouchers", acks_late=True)  # type: ignore[untyped-decorator]
def vouchers_task() -> int:
    return vouchers(get_settings())
