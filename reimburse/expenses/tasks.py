"""Celery tasks of the claims domain (periodic, run by ``reimburse beat``): thin wrappers."""

from __future__ import annotations

from functools import lru_cache

import httpx

from reimburse.core.celery_app import celery_app
from reimburse.core.db import engine_for, utcnow
from reimburse.core.models import import_all_models
from reimburse.core.settings import Settings, get_settings
from reimburse.expenses import background
from reimburse.routing.notify.dispatch import Dispatcher
from reimburse.routing.notify.senders import Bot, DingTalkBot, FeishuBot, SmtpServer, WeComBot

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


def housekeeping(settings: Settings) -> int:
    engine = engine_for(settings.sqlalchemy_url)
    now = utcnow()
    return background.fire_timers(engine, now) + background.drain_outbox(
        engine, now, dispatcher_for(settings), _client()
    )


@celery_app.task(name="claims.housekeeping", acks_late=True)  # type: ignore[untyped-decorator]
def housekeeping_task() -> int:
    return housekeeping(get_settings())
