"""Each platform's settings as one value, and the adapters the settings switch on."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import SecretStr

from reimburse.core.settings import Settings
from reimburse.workapps.domain import Platform

REAL_API_BASES = {
    Platform.WECOM: "https://qyapi.weixin.qq.com",
    Platform.DINGTALK: "https://oapi.dingtalk.com",
    Platform.FEISHU: "https://open.feishu.cn",
}


@dataclass(frozen=True, slots=True)
class AppConfig:
    platform: Platform
    corp_id: str | None
    agent_id: str | None
    app_key: str | None  # DingTalk only: the AppKey; the others use corp_id / agent_id
    secret: str | None
    token: str | None
    aes_key: str | None
    api_base: str
    card_template_id: str | None = None

    def __repr__(self) -> str:  # secrets stay out of logs and tracebacks
        return f"AppConfig({self.platform.value}, api_base={self.api_base!r})"

    @property
    def fake_hosts(self) -> bool:
        """True when ``api_base`` is not the platform's own host: then one local server (a fake or a
        proxy) also serves the sign-in pages, which the real platforms keep on other hosts."""
        return self.api_base.rstrip("/") != REAL_API_BASES[self.platform]

    def missing(self) -> list[str]:
        """The settings (environment names) still unset for this platform."""
        prefix = f"REIMBURSE_{self.platform.value.upper()}_"
        needed: dict[str, str | None]
        if self.platform is Platform.WECOM:
            needed = {"CORP_ID": self.corp_id, "AGENT_ID": self.agent_id, "SECRET": self.secret}
        elif self.platform is Platform.DINGTALK:
            needed = {
                "CORP_ID": self.corp_id,
                "AGENT_ID": self.agent_id,
                "APP_KEY": self.app_key,
                "APP_SECRET": self.secret,
            }
        else:
            needed = {"AGENT_ID": self.agent_id, "APP_SECRET": self.secret}
        needed |= {"TOKEN": self.token, "AES_KEY": self.aes_key}
        return [prefix + name for name, value in needed.items() if not value]

    @property
    def enabled(self) -> bool:
        return bool(self.secret and (self.corp_id or self.agent_id or self.app_key))


def _secret(value: SecretStr | None) -> str | None:
    return value.get_secret_value() if value is not None else None


def configs(settings: Settings) -> dict[Platform, AppConfig]:
    s = settings
    return {
        Platform.WECOM: AppConfig(
            Platform.WECOM,
            s.wecom_corp_id,
            s.wecom_agent_id,
            None,
            _secret(s.wecom_secret),
            _secret(s.wecom_token),
            _secret(s.wecom_aes_key),
            s.wecom_api_base,
        ),
        Platform.DINGTALK: AppConfig(
            Platform.DINGTALK,
            s.dingtalk_corp_id,
            s.dingtalk_agent_id,
            s.dingtalk_app_key,
            _secret(s.dingtalk_app_secret),
            _secret(s.dingtalk_token),
            _secret(s.dingtalk_aes_key),
            s.dingtalk_api_base,
            s.dingtalk_card_template_id,
        ),
        Platform.FEISHU: AppConfig(
            Platform.FEISHU,
            s.feishu_corp_id,
            s.feishu_agent_id,
            None,
            _secret(s.feishu_app_secret),
            _secret(s.feishu_token),
            _secret(s.feishu_aes_key),
            s.feishu_api_base,
        ),
    }
