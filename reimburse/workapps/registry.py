"""The platform adapters of the configured work apps, one per process and configuration (so
access tokens are cached). Its own module: the adapters import the configuration, not this."""

from __future__ import annotations

from reimburse.core.settings import Settings
from reimburse.workapps.config import AppConfig, configs
from reimburse.workapps.dingtalk import DingTalk
from reimburse.workapps.domain import Platform, WorkApp
from reimburse.workapps.feishu import Feishu
from reimburse.workapps.wecom import WeCom


def adapter(config: AppConfig) -> WorkApp:
    if config.platform is Platform.WECOM:
        return WeCom(config)
    if config.platform is Platform.DINGTALK:
        return DingTalk(config)
    return Feishu(config)


_CACHE: dict[AppConfig, WorkApp] = {}


def enabled_apps(settings: Settings) -> dict[Platform, WorkApp]:
    """The adapters of the configured platforms, one per process and configuration (tokens cached)."""
    out: dict[Platform, WorkApp] = {}
    for platform, config in configs(settings).items():
        if config.enabled:
            if config not in _CACHE:
                _CACHE[config] = adapter(config)
            out[platform] = _CACHE[config]
    return out
