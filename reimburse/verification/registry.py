"""Provider adapters selected by name (the setting), imported only when selected."""

from __future__ import annotations

from typing import Any

from reimburse.verification.none import NoneVerifier
from reimburse.verification.port import InvoiceVerifier

PROVIDERS = ("none", "tencent")


def make_verifier(provider: str, **options: Any) -> InvoiceVerifier:
    """``make_verifier("none")``; ``make_verifier("tencent", secret_id=..., secret_key=...,
    endpoint=..., region=..., timeout=...)``."""
    if provider == "none":
        return NoneVerifier()
    if provider == "tencent":
        from reimburse.verification.tencent import TencentVerifier

        return TencentVerifier(**options)
    raise ValueError(f"unknown verification provider {provider!r}; known: {', '.join(PROVIDERS)}")
