"""All configuration, read once from the environment (prefix ``REIMBURSE_``).

Read at the edge (CLI, API start-up, worker start-up) and passed inward; the pure cores
never import this module.
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from reimburse.core import netguard

_DEV_SECRET = "dev-insecure-secret-change-me"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="REIMBURSE_", env_file=".env", extra="ignore")

    # production unless told otherwise: a forgotten setting must not open the demo doors
    environment: Literal["development", "test", "production"] = Field(
        default="production", description="development | test | production"
    )
    data_dir: Path = Field(default=Path("var"), description="local files: database, document store")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; SQLite under data_dir if unset"
    )
    broker_url: str | None = Field(default=None, description="Celery broker; in-process worker if unset")
    secret_key: str = _DEV_SECRET

    ocr_engine: str = Field(default="onnxocr", description="OCR engine name from the engine registry")
    ocr_threads: int = Field(default=2, ge=1, description="intra-op threads for the OCR engine")
    voucher_at: Literal["approval", "payment"] = Field(
        default="approval", description="a claim produces its accounting voucher when approved, or when paid"
    )
    max_upload_bytes: int = 25 * 1024 * 1024
    upload_files_per_minute: int = Field(default=60, ge=1, description="files one uploader may send a minute")
    storage_quota_bytes: int = Field(
        default=2 * 1024**3, ge=1, description="bytes of documents one uploader may have stored"
    )
    document_time_budget_seconds: float = Field(
        default=60.0, gt=0, description="one document's reading time; past it: document_too_complex"
    )
    max_image_pixels: int = 80_000_000  # > any phone camera; refuses decompression bombs
    metrics_token: str | None = Field(
        default=None, description="bearer token Prometheus sends to /metrics (required outside development)"
    )
    api_docs: bool | None = Field(
        default=None, description="serve /docs and /redoc (default: in development)"
    )
    auth_cache_seconds: float = Field(
        default=5.0, ge=0, description="how long an API process reuses a checked credential (0: never)"
    )
    # optional OIDC single sign-on: bearer ID tokens from this issuer are accepted
    oidc_issuer: str | None = None
    oidc_audience: str | None = None  # the client id the tokens are issued for
    oidc_jwks_url: str | None = None  # default: the issuer's /.well-known/openid-configuration
    oidc_username_claim: str = "preferred_username"
    # invoice verification with the tax bureau (发票查验): "none" (default) or "tencent"
    verification_provider: str = "none"
    verification_secret_id: str | None = None
    verification_secret_key: str | None = None
    verification_endpoint: str | None = None  # e.g. https://ocr.tencentcloudapi.com
    verification_region: str = "ap-shanghai"
    verification_timeout: float = 10.0
    verification_rate: float = Field(default=20.0, gt=0, description="provider requests per second")
    public_url: str = Field(default="http://127.0.0.1:8000", description="links in notifications")
    # notifications (all optional): group bots and e-mail
    wecom_webhook: str | None = None
    dingtalk_webhook: str | None = None
    dingtalk_secret: str | None = None
    feishu_webhook: str | None = None
    feishu_secret: str | None = None
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_sender: str = "reimburse@localhost"
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    # work apps (reimburse.workapps): sign-in, personal messages, approval cards, directory.
    # A platform is on when its corp/app id and secret are set; *_api_base points at a fake in tests.
    wecom_corp_id: str | None = None
    wecom_agent_id: str | None = None
    wecom_secret: SecretStr | None = None
    wecom_token: SecretStr | None = None  # the callback Token
    wecom_aes_key: SecretStr | None = None  # the callback EncodingAESKey (43 characters)
    wecom_api_base: str = "https://qyapi.weixin.qq.com"
    dingtalk_corp_id: str | None = None
    dingtalk_agent_id: str | None = None
    dingtalk_app_key: str | None = None  # the app's AppKey (Client ID)
    dingtalk_app_secret: SecretStr | None = None  # _SECRET is the group bot's signing secret
    dingtalk_token: SecretStr | None = None
    dingtalk_aes_key: SecretStr | None = None
    dingtalk_card_template_id: str | None = None  # the interactive card template (card builder)
    dingtalk_api_base: str = "https://oapi.dingtalk.com"
    feishu_corp_id: str | None = None  # tenant key; callbacks for another tenant are refused
    feishu_agent_id: str | None = None  # the App ID (cli_...)
    feishu_app_secret: SecretStr | None = None  # _SECRET is the group bot's signing secret
    feishu_token: SecretStr | None = None  # the Verification Token
    feishu_aes_key: SecretStr | None = None  # the Encrypt Key
    feishu_api_base: str = "https://open.feishu.cn"
    directory_sync_minutes: float = Field(default=60, gt=0, description="work-app directory sync interval")
    webhook_allowed_networks: str | None = Field(
        default=None,
        description="comma-separated CIDRs of private networks webhooks may reach (none by default)",
    )
    document_lease_seconds: int = Field(
        default=300, ge=1, description="a worker that holds a document longer is presumed dead"
    )
    # where uploaded files live: "local" (data_dir/store) or "s3" (any S3-compatible service)
    storage: Literal["local", "s3"] = "local"
    s3_bucket: str | None = None
    s3_prefix: str = Field(default="", description="key prefix inside the bucket, e.g. reimburse/prod")
    s3_endpoint_url: str | None = Field(default=None, description="MinIO, Ceph, OSS...; AWS if unset")
    s3_region: str | None = None
    # unset: boto3's own chain (AWS_* variables, ~/.aws, an instance or pod role)
    s3_access_key_id: str | None = None
    s3_secret_access_key: str | None = None
    s3_addressing_style: Literal["auto", "path", "virtual"] = "auto"
    s3_connect_timeout: float = Field(default=5.0, gt=0)
    s3_read_timeout: float = Field(default=30.0, gt=0)
    s3_max_attempts: int = Field(default=3, ge=1, description="tries per request, the first included")
    # the Ed25519 key that signs audit checkpoints: 32 bytes, base64 (`reimburse audit new-key`);
    # unset in development/test: generated once and kept in data_dir/audit-signing.key
    audit_signing_key: str | None = None
    audit_checkpoint_seconds: float = Field(
        default=300.0, gt=0, description="sign a checkpoint of the audit chain at most this often"
    )
    # the AES-256-GCM key that encrypts payroll data at rest (bank account numbers): 32 bytes,
    # base64 (`reimburse payroll new-key`); unset in development/test: a fixed, published
    # development key (never for real data), refused in production
    data_key: SecretStr | None = None

    @property
    def relaxed(self) -> bool:
        """Development or test: demo users, a default secret, open /metrics and /docs allowed."""
        return self.environment in ("development", "test")

    def startup_problems(self) -> list[str]:
        """Why the service must not start with these settings (checked by serve, worker, beat;
        the other commands, such as ``extract``, need no secret)."""
        problems = []
        if not self.relaxed and (self.secret_key == _DEV_SECRET or len(self.secret_key) < 32):
            problems.append(
                "REIMBURSE_SECRET_KEY must be set to a random value of at least 32 characters "
                "(or set REIMBURSE_ENVIRONMENT=development on a development machine)"
            )
        if not self.relaxed and not self.audit_signing_key:
            # a key generated on the fly would sign nothing anyone can check later
            problems.append("REIMBURSE_AUDIT_SIGNING_KEY must be set outside development")
        if not self.relaxed and not self.data_key:
            # bank account numbers would otherwise be encrypted with the published development key
            problems.append(
                "REIMBURSE_DATA_KEY must be set outside development (32 random bytes, base64: "
                "`reimburse payroll new-key`)"
            )
        return problems

    @model_validator(mode="after")
    def _refuse_incomplete_s3(self) -> Settings:
        # Refused at start-up rather than on the first upload, which would answer 500.
        if self.storage != "s3":
            return self
        if not self.s3_bucket:
            raise ValueError("REIMBURSE_STORAGE=s3 needs REIMBURSE_S3_BUCKET")
        if (self.s3_access_key_id is None) != (self.s3_secret_access_key is None):
            raise ValueError(
                "set both REIMBURSE_S3_ACCESS_KEY_ID and REIMBURSE_S3_SECRET_ACCESS_KEY, or neither"
            )
        if importlib.util.find_spec("boto3") is None:  # looks, does not import
            raise ValueError("REIMBURSE_STORAGE=s3 needs boto3: pip install '.[s3]'")
        return self

    @model_validator(mode="after")
    def _parse_networks(self) -> Settings:
        try:
            netguard.parse_networks(self.webhook_allowed_networks)
        except ValueError as exc:
            raise ValueError(f"REIMBURSE_WEBHOOK_ALLOWED_NETWORKS: {exc}") from exc
        return self

    @property
    def webhook_networks(self) -> tuple[netguard.Network, ...]:
        return netguard.parse_networks(self.webhook_allowed_networks)

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'reimburse.db').resolve()}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
