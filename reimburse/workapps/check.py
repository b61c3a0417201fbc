"""``reimburse workapp check``: what each platform's configuration lacks, and whether the
platform gives this app a token with it (the cheapest call that proves corp id and secret)."""

from __future__ import annotations

from dataclasses import dataclass

from reimburse.core.settings import Settings
from reimburse.workapps.config import configs
from reimburse.workapps.crypto import decode_aes_key
from reimburse.workapps.domain import Platform, WorkAppError
from reimburse.workapps.registry import adapter


@dataclass(frozen=True, slots=True)
class CheckResult:
    platform: Platform
    configured: bool  # anything set at all
    missing: tuple[str, ...]
    problems: tuple[str, ...]
    token_ok: bool

    @property
    def ok(self) -> bool:
        return not self.configured or (not self.missing and not self.problems and self.token_ok)


def check(settings: Settings) -> list[CheckResult]:
    out = []
    for platform, config in configs(settings).items():
        missing = tuple(config.missing())
        configured = config.enabled or any(
            (config.corp_id, config.agent_id, config.app_key, config.token, config.aes_key)
        )
        problems: list[str] = []
        if config.aes_key:
            if platform is Platform.FEISHU:
                pass  # any string is a valid Encrypt Key
            else:
                try:
                    decode_aes_key(config.aes_key)
                except ValueError as exc:
                    problems.append(f"REIMBURSE_{platform.value.upper()}_AES_KEY: {exc}")
        token_ok = False
        if config.enabled:
            try:
                adapter(config).check()
                token_ok = True
            except WorkAppError as exc:
                problems.append(f"token fetch from {config.api_base} failed: {exc.message}")
        out.append(CheckResult(platform, configured, missing, tuple(problems), token_ok))
    return out
