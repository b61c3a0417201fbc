"""The Tencent-style adapter against a real local HTTP server speaking the protocol: signature,
request body, answers, provider errors, throttling, 5xx, garbage and timeouts. The server
checks the TC3 signature with its own implementation below, written from the published spec.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from reimburse.verification.domain import VerificationRequest, VerificationStatus, VerifyKind
from reimburse.verification.port import (
    DailyCapReached,
    ProviderRejected,
    ProviderUnavailable,
    Throttled,
    VerificationError,
)
from reimburse.verification.registry import make_verifier
from reimburse.verification.tencent import TencentVerifier

SECRET_ID, SECRET_KEY = "AKIDtest0000", "test-secret-key"
NOW = 1750000000  # 2025-06-15T15:06:40Z


def expected_signature(headers: dict[str, str], body: bytes) -> str:
    """Independent TC3-HMAC-SHA256 as the Tencent Cloud API 3.0 documentation describes it."""
    ts = int(headers["x-tc-timestamp"])
    day = datetime.fromtimestamp(ts, UTC).date().isoformat()
    action = headers["x-tc-action"].lower()
    canonical_headers = (
        f"content-type:{headers['content-type']}\nhost:{headers['host']}\nx-tc-action:{action}\n"
    )
    canonical = (
        f"POST\n/\n\n{canonical_headers}\ncontent-type;host;x-tc-action\n{hashlib.sha256(body).hexdigest()}"
    )
    scope = f"{day}/ocr/tc3_request"
    to_sign = f"TC3-HMAC-SHA256\n{ts}\n{scope}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    k = hmac.new(b"TC3" + SECRET_KEY.encode(), day.encode(), hashlib.sha256).digest()
    k = hmac.new(k, b"ocr", hashlib.sha256).digest()
    k = hmac.new(k, b"tc3_request", hashlib.sha256).digest()
    sig = hmac.new(k, to_sign.encode(), hashlib.sha256).hexdigest()
    signed = "content-type;host;x-tc-action"
    return f"TC3-HMAC-SHA256 Credential={SECRET_ID}/{scope}, SignedHeaders={signed}, Signature={sig}"


@dataclass
class Reply:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class FakeProvider:
    replies: list[Reply] = field(default_factory=list)
    seen: list[tuple[dict[str, str], dict[str, Any]]] = field(default_factory=list)
    url: str = ""


@pytest.fixture
def provider() -> Iterator[FakeProvider]:
    state = FakeProvider()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers["Content-Length"]))
            headers = {k.lower(): v for k, v in self.headers.items()}
            state.seen.append((headers, json.loads(raw)))
            if headers.get("authorization") != expected_signature(headers, raw):
                reply = Reply(
                    200, {"Response": {"Error": {"Code": "AuthFailure.SignatureFailure", "Message": "bad"}}}
                )
            else:
                reply = state.replies.pop(0)
            time.sleep(reply.delay)
            out = reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
            try:
                self.send_response(reply.status)
                for k, v in reply.headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout test)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield state
    server.shutdown()
    server.server_close()


def verifier(p: FakeProvider, **kw: Any) -> TencentVerifier:
    return TencentVerifier(
        SECRET_ID, SECRET_KEY, endpoint=p.url, clock=lambda: NOW, region="ap-shanghai", **kw
    )


DIGITAL = VerificationRequest(
    VerifyKind.DIGITAL_GENERAL, "25330000000012345678", date(2025, 6, 10), total=Decimal("300")
)
SPECIAL = VerificationRequest(
    VerifyKind.SPECIAL,
    "12345678",
    date(2025, 6, 10),
    invoice_code="3300191130",
    amount_excl_tax=Decimal("1000.5"),
)
GENERAL = VerificationRequest(
    VerifyKind.ELECTRONIC_GENERAL,
    "12345678",
    date(2025, 6, 10),
    invoice_code="033001900104",
    check_code_last6="567890",
)


def ok(**invoice: Any) -> Reply:
    base = {
        "Code": "",
        "Number": "25330000000012345678",
        "Date": "2025-06-10",
        "BuyerName": "示例科技有限公司",
        "BuyerTaxCode": "91330100000000001X",
        "SellerName": "某某餐饮管理有限公司",
        "SellerTaxCode": "91330100000000777X",
        "AmountWithoutTax": "283.02",
        "TaxAmount": "16.98",
        "AmountWithTax": "300.00",
        "CheckCode": "",
        "IsAbandoned": "0",
    }
    return Reply(200, {"Response": {"Invoice": {**base, **invoice}, "RequestId": "req-ok"}})


def error(code: str, status: int = 200, headers: dict[str, str] | None = None) -> Reply:
    return Reply(
        status,
        {"Response": {"Error": {"Code": code, "Message": "msg"}, "RequestId": "req-err"}},
        headers or {},
    )


@pytest.mark.parametrize(
    ("request_", "body"),
    [
        (
            DIGITAL,
            {
                "InvoiceNo": "25330000000012345678",
                "InvoiceDate": "2025-06-10",
                "InvoiceKind": "10",
                "Amount": "300.00",
            },
        ),
        (
            SPECIAL,
            {
                "InvoiceNo": "12345678",
                "InvoiceDate": "2025-06-10",
                "InvoiceKind": "01",
                "InvoiceCode": "3300191130",
                "Amount": "1000.50",
            },
        ),
        (
            GENERAL,
            {
                "InvoiceNo": "12345678",
                "InvoiceDate": "2025-06-10",
                "InvoiceKind": "10",
                "InvoiceCode": "033001900104",
                "CheckCode": "567890",
            },
        ),
    ],
)
def test_signed_request_and_normal_answer(
    provider: FakeProvider, request_: VerificationRequest, body: dict[str, str]
) -> None:
    provider.replies.append(ok())
    answer = verifier(provider).verify(request_)
    headers, sent = provider.seen[0]
    assert sent == body
    assert (headers["x-tc-action"], headers["x-tc-version"], headers["x-tc-region"]) == (
        "VatInvoiceVerifyNew",
        "2018-11-19",
        "ap-shanghai",
    )
    assert answer.status is VerificationStatus.NORMAL and answer.request_id == "req-ok"
    assert answer.invoice is not None
    assert (answer.invoice.total, answer.invoice.issue_date, answer.invoice.invoice_code) == (
        Decimal("300.00"),
        date(2025, 6, 10),
        None,
    )


def test_wrong_key_is_rejected_by_the_server(provider: FakeProvider) -> None:
    v = TencentVerifier(SECRET_ID, "another-key", endpoint=provider.url, clock=lambda: NOW)
    with pytest.raises(ProviderRejected) as err:
        v.verify(DIGITAL)
    assert err.value.provider_code == "AuthFailure.SignatureFailure" and not err.value.retryable


@pytest.mark.parametrize(
    ("flag", "status"),
    [
        ("0", VerificationStatus.NORMAL),
        ("N", VerificationStatus.NORMAL),
        ("1", VerificationStatus.VOIDED),
        ("Y", VerificationStatus.VOIDED),
        ("2", VerificationStatus.RED_REVERSED_FULL),
        ("3", VerificationStatus.RED_REVERSED_PARTIAL),
    ],
)
def test_invoice_status(provider: FakeProvider, flag: str, status: VerificationStatus) -> None:
    provider.replies.append(ok(IsAbandoned=flag, Date="20250610"))
    answer = verifier(provider).verify(DIGITAL)
    assert answer.status is status
    assert answer.invoice is not None and answer.invoice.issue_date == date(2025, 6, 10)


@pytest.mark.parametrize(
    ("reply", "status"),
    [
        (error("ResourceNotFound.NoInvoice"), VerificationStatus.NOT_FOUND),
        (error("FailedOperation.InvoiceMismatch"), VerificationStatus.MISMATCH),
        (error("FailedOperation.TodayInvoiceNotSupported"), VerificationStatus.NOT_YET_AVAILABLE),
    ],
)
def test_answers_carried_as_errors(provider: FakeProvider, reply: Reply, status: VerificationStatus) -> None:
    provider.replies.append(reply)
    answer = verifier(provider).verify(DIGITAL)
    assert (answer.status, answer.invoice, answer.request_id) == (status, None, "req-err")


@pytest.mark.parametrize(
    ("reply", "exc", "retryable", "retry_after"),
    [
        (error("RequestLimitExceeded"), Throttled, True, None),
        (Reply(429, b"slow down", {"Retry-After": "3"}), Throttled, True, 3.0),
        (error("FailedOperation.CountLimitError"), DailyCapReached, True, None),
        (error("InternalError"), ProviderUnavailable, True, None),
        (Reply(503, b"<html>maintenance</html>", {"Retry-After": "60"}), ProviderUnavailable, True, 60.0),
        (Reply(200, b"not json"), ProviderUnavailable, True, None),
        (Reply(200, {"Response": {"RequestId": "x"}}), ProviderUnavailable, True, None),
        (error("InvalidParameterValue.InvalidParameterValueLimit"), ProviderRejected, False, None),
        (error("ResourceUnavailable.InArrears"), ProviderRejected, False, None),
        (error("FailedOperation.SomethingNew"), VerificationError, False, None),
        (ok(IsAbandoned="Q"), VerificationError, False, None),
    ],
)
def test_failures(
    provider: FakeProvider,
    reply: Reply,
    exc: type[VerificationError],
    retryable: bool,
    retry_after: float | None,
) -> None:
    provider.replies.append(reply)
    with pytest.raises(exc) as err:
        verifier(provider).verify(DIGITAL)
    assert type(err.value) is exc
    assert (err.value.retryable, err.value.retry_after) == (retryable, retry_after)


def test_timeout_is_retryable(provider: FakeProvider) -> None:
    provider.replies.append(Reply(200, {"Response": {}}, delay=1.0))
    started = time.monotonic()
    with pytest.raises(ProviderUnavailable, match="timed out"):
        verifier(provider, timeout=0.2).verify(DIGITAL)
    assert time.monotonic() - started < 0.9


def test_unreachable_provider_is_retryable() -> None:
    v = TencentVerifier(SECRET_ID, SECRET_KEY, endpoint="http://127.0.0.1:9", timeout=0.5)
    with pytest.raises(ProviderUnavailable):
        v.verify(DIGITAL)


def test_registry_builds_the_adapter(provider: FakeProvider) -> None:
    provider.replies.append(ok())
    v = make_verifier(
        "tencent", secret_id=SECRET_ID, secret_key=SECRET_KEY, endpoint=provider.url, clock=lambda: NOW
    )
    assert v.name == "tencent" and v.verify(DIGITAL).status is VerificationStatus.NORMAL
    with pytest.raises(ProviderRejected):
        make_verifier("tencent", secret_id="", secret_key="")
