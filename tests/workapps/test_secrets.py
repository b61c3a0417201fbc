"""Secrets stay out of logs: httpx's request log line is masked, settings and configs hide them."""

from __future__ import annotations

import logging

import pytest

from reimburse.core.settings import Settings
from reimburse.workapps.config import configs
from reimburse.workapps.domain import Platform
from reimburse.workapps.wecom import WeCom
from tests.workapps import fake_wecom
from tests.workapps.fake_wecom import FakeWeCom


def test_token_fetch_logs_no_secret(caplog: pytest.LogCaptureFixture) -> None:
    fake = FakeWeCom().start()
    try:
        settings = Settings(environment="test", **fake.settings())  # type: ignore[arg-type]
        config = configs(settings)[Platform.WECOM]
        with caplog.at_level(logging.INFO):
            app = WeCom(config)
            app.check()
            app.directory()
        assert "/cgi-bin/gettoken" in caplog.text  # the request is logged...
        assert fake_wecom.SECRET not in caplog.text  # ...without the app secret
        assert not any(token in caplog.text for token in fake.tokens)  # nor the access token
        assert fake_wecom.SECRET not in repr(settings) + repr(config)
        assert fake_wecom.AES_KEY not in repr(settings) + repr(config)
    finally:
        fake.stop()
