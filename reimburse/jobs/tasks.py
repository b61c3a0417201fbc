"""Celery tasks of the claims domain (periodic, run by ``reimburse beat``): thin wrappers."""

from __future__ import annotations

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
    return Dispatcher(bots=tuple(bots), smtp=smtp) if bots or smtp else None


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


def housekeeping(settings: Settings) -> int:
    engine = engine_for(settings.sqlalchemy_url)
    now = utcnow()
    checks = background.check_invoices(engine, now, verifier_for(settings), rate=settings.verification_rate)
    signed = background.sign_checkpoint(
        engine, signer_for(settings), now, timedelta(seconds=settings.audit_checkpoint_seconds)
    )
    return (
        background.fire_timers(engine, now)
        + background.drain_outbox(engine, now, dispatcher_for(settings), _client())
        + checks
        + signed
    )


@celery_app.task(name="claims.housekeeping", acks_late=True)  # type: ignore[untyped-decorator]
def housekeeping_task() -> int:
    return housekeeping(get_settings())
