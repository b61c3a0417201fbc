"""Periodic jobs of the work apps: run by ``reimburse beat`` (``tasks``), by the in-process
worker of ``reimburse serve``, and after a callback that changed something (no Celery here)."""

from __future__ import annotations

import logging
import math
import time

from reimburse.core.db import engine_for, unit_of_work, utcnow
from reimburse.core.models import import_all_models
from reimburse.core.settings import Settings
from reimburse.workapps import delivery
from reimburse.workapps.domain import WorkAppError
from reimburse.workapps.registry import enabled_apps
from reimburse.workapps.service import forget_old_keys
from reimburse.workapps.sync import SyncReport, apply_directory

import_all_models()
log = logging.getLogger(__name__)


def housekeeping(settings: Settings) -> int:
    """New notifications become personal messages and cards; due ones are sent, closed cards updated."""
    apps = enabled_apps(settings)
    if not apps:
        return 0
    engine = engine_for(settings.sqlalchemy_url)
    now = utcnow()
    with unit_of_work(engine) as session:
        made = delivery.fan_out(session, list(apps), settings.public_url, now)
        forget_old_keys(session, now)
    with unit_of_work(engine) as session:
        return made + delivery.deliver(session, apps, utcnow())  # rows just made are due too


def directory_sync(settings: Settings) -> list[SyncReport]:
    """Pull each enabled platform's directory; one transaction per platform."""
    engine = engine_for(settings.sqlalchemy_url)
    reports = []
    for platform, app in enabled_apps(settings).items():
        try:
            directory = app.directory()
        except WorkAppError as exc:
            log.warning("directory sync failed", extra={"platform": platform.value, "error": exc.message})
            continue
        with unit_of_work(engine) as session:
            report = apply_directory(session, platform, directory)
        if report.kept_manual_edits or report.local_only:
            log.warning(
                "directory sync: manual edits kept, local-only users",
                extra={
                    "platform": platform.value,
                    "kept_manual_edits": report.kept_manual_edits,
                    "local_only": report.local_only,
                },
            )
        reports.append(report)
    return reports


_last_sync: dict[str, float] = {}


def local_housekeeping(settings: Settings) -> int:
    """For ``reimburse serve`` without a broker: messages every run, the directory sync on its
    interval (what ``reimburse beat`` schedules as two jobs)."""
    done = housekeeping(settings)
    if enabled_apps(settings):
        key, now = settings.sqlalchemy_url, time.monotonic()
        if now - _last_sync.get(key, -math.inf) >= settings.directory_sync_minutes * 60:
            _last_sync[key] = now
            done += len(directory_sync(settings))
    return done
