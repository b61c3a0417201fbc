"""Adapter for a Tencent-Cloud-style verification API (``VatInvoiceVerifyNew``, version
2018-11-19): a signed JSON POST, answers under ``Response``.

Request fields: ``InvoiceNo``, ``InvoiceDate`` (YYYY-MM-DD), ``InvoiceCode`` (legacy only),
``InvoiceKind``, ``CheckCode`` (last six digits, general invoices), ``Amount`` (pre-tax for
special invoices, total for fully digital ones, always two decimals). Success carries
``Response.Invoice`` (``Code``, ``Number``, ``Date``, ``BuyerName``, ``BuyerTaxCode``,
``SellerName``, ``SellerTaxCode``, ``CheckCode``, ``AmountWithoutTax``, ``TaxAmount``,
``AmountWithTax``, ``IsAbandoned``); failures ``Response.Error.Code``.

What this adapter ASSUMES beyond the public documentation, to be confirmed against the
provider contract before going live: the ``IsAbandoned`` values (0/N normal, 1/Y voided, 2/H
red-reversed in full, 3 partly) and the business error codes mapped in ``_ERRORS`` by keyword.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

import httpx

from reimburse.verification.domain import (
    AuthoritativeInvoice,
    VerificationAnswer,
    VerificationRequest,
    VerificationStatus,
    VerifyKind,
)
from reimburse.verification.port import (
    DailyCapReached,
    ProviderRejected,
    ProviderUnavailable,
    Throttled,
    VerificationError,
)
from reimburse.verification.tc3 import authorization

ACTION = "VatInvoiceVerifyNew"
VERSION = "2018-11-19"
SERVICE = "ocr"
DEFAULT_ENDPOINT = "https://ocr.tencentcloudapi.com"
CONTENT_TYPE = "application/json; charset=utf-8"

INVOICE_KIND = {
    VerifyKind.SPECIAL: "01",
    VerifyKind.GENERAL: "04",
    VerifyKind.ELECTRONIC_SPECIAL: "08",
    VerifyKind.ELECTRONIC_GENERAL: "10",
    VerifyKind.ROLL: "11",
    VerifyKind.TOLL: "14",
    VerifyKind.DIGITAL_SPECIAL: "08",  # the API files 全电 under the electronic kinds
    VerifyKind.DIGITAL_GENERAL: "10",
}

_ABANDONED = {
    "": VerificationStatus.NORMAL,
    "0": VerificationStatus.NORMAL,
    "N": VerificationStatus.NORMAL,
    "1": VerificationStatus.VOIDED,
    "Y": VerificationStatus.VOIDED,
    "2": VerificationStatus.RED_REVERSED_FULL,
    "H": VerificationStatus.RED_REVERSED_FULL,
    "3": VerificationStatus.RED_REVERSED_PARTIAL,
}

# Error codes by keyword, first match wins: an answer about the invoice, or an exception class.
_ERRORS: tuple[tuple[str, VerificationStatus | type[VerificationError]], ...] = (
    ("RequestLimitExceeded", Throttled),
    ("CountLimit", DailyCapReached),
    ("NoInvoice", VerificationStatus.NOT_FOUND),
    ("NotFound", VerificationStatus.NOT_FOUND),
    ("Mismatch", VerificationStatus.MISMATCH),
    ("Inconsistent", VerificationStatus.MISMATCH),
    ("Today", VerificationStatus.NOT_YET_AVAILABLE),
    ("AuthFailure", ProviderRejected),
    ("Unauthorized", ProviderRejected),
    ("InArrears", ProviderRejected),
    ("InvalidParameter", ProviderRejected),
    ("MissingParameter", ProviderRejected),
    ("InternalError", ProviderUnavailable),
    ("UnKnow", ProviderUnavailable),
    ("Unknown", ProviderUnavailable),
)


class TencentVerifier:
    """``verify`` sends one signed request; it does not retry (the caller's queue does, with
    backoff) and raises ``VerificationError`` subclasses when there is no answer."""

    name = "tencent"

    def __init__(
        self,
        secret_id: str,
        secret_key: str,
        *,
        endpoint: str = DEFAULT_ENDPOINT,
        region: str | None = None,
        timeout: float = 10.0,
        client: httpx.Client | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not secret_id or not secret_key:
            raise ProviderRejected("the tencent verifier needs a secret id and key")
        self._id, self._key = secret_id, secret_key
        self._endpoint = endpoint.rstrip("/") + "/"
        self._host = urlsplit(self._endpoint).netloc
        self._region = region
        self._client = client or httpx.Client(timeout=timeout)
        self._clock = clock

    def close(self) -> None:
        self._client.close()

    def verify(self, request: VerificationRequest) -> VerificationAnswer:
        payload = json.dumps(request_body(request), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        timestamp = int(self._clock())
        headers = {
            "Content-Type": CONTENT_TYPE,
            "Host": self._host,
            "X-TC-Action": ACTION,
            "X-TC-Version": VERSION,
            "X-TC-Timestamp": str(timestamp),
            "Authorization": authorization(
                secret_id=self._id,
                secret_key=self._key,
                service=SERVICE,
                host=self._host,
                action=ACTION,
                content_type=CONTENT_TYPE,
                payload=payload,
                timestamp=timestamp,
            ),
        }
        if self._region:
            headers["X-TC-Region"] = self._region
        try:
            response = self._client.post(self._endpoint, content=payload, headers=headers)
        except httpx.TimeoutException as exc:
            raise ProviderUnavailable(f"verification provider timed out: {exc}") from exc
        except httpx.TransportError as exc:
            raise ProviderUnavailable(f"verification provider unreachable: {exc}") from exc
        return parse_response(response.status_code, response.headers, response.content, provider=self.name)


def request_body(request: VerificationRequest) -> dict[str, str]:
    body = {
        "InvoiceNo": request.invoice_number,
        "InvoiceDate": request.issue_date.isoformat(),
        "InvoiceKind": INVOICE_KIND[request.kind],
    }
    if request.invoice_code:
        body["InvoiceCode"] = request.invoice_code
    if request.check_code_last6:
        body["CheckCode"] = request.check_code_last6
    amount = request.total if request.is_digital else request.amount_excl_tax
    if amount is not None:
        body["Amount"] = f"{amount:.2f}"
    return body


def _retry_after(headers: Mapping[str, str]) -> float | None:
    try:
        return float(headers.get("Retry-After", ""))
    except ValueError:
        return None


def parse_response(
    status: int, headers: Mapping[str, str], content: bytes, *, provider: str
) -> VerificationAnswer:
    """Turn one HTTP response into an answer or the right exception."""
    if status == 429:
        raise Throttled("verification provider rate limit (HTTP 429)", retry_after=_retry_after(headers))
    if status >= 500:
        raise ProviderUnavailable(
            f"verification provider answered HTTP {status}", retry_after=_retry_after(headers)
        )
    try:
        data = json.loads(content)
        body: dict[str, Any] = data["Response"]
    except (ValueError, KeyError, TypeError) as exc:
        raise ProviderUnavailable(
            f"unreadable answer from the verification provider (HTTP {status})"
        ) from exc
    request_id = body.get("RequestId")
    error = body.get("Error")
    if error:
        code = str(error.get("Code", ""))
        message = str(error.get("Message", ""))
        for word, outcome in _ERRORS:
            if word in code:
                if isinstance(outcome, VerificationStatus):
                    return VerificationAnswer(outcome, None, provider, request_id, f"{code}: {message}")
                raise outcome(f"{code}: {message}", provider_code=code, retry_after=_retry_after(headers))
        raise VerificationError(f"{code}: {message}", provider_code=code)
    if status >= 400:
        raise ProviderRejected(f"verification provider answered HTTP {status}")
    invoice = body.get("Invoice")
    if not isinstance(invoice, dict):
        raise ProviderUnavailable("the verification answer carries no invoice")
    flag = str(invoice.get("IsAbandoned", "") or "").strip().upper()
    verdict = _ABANDONED.get(flag)
    if verdict is None:
        raise VerificationError(f"unknown IsAbandoned value {flag!r} from the verification provider")
    return VerificationAnswer(verdict, _invoice(invoice), provider, request_id)


def _text(v: object) -> str | None:
    s = str(v).strip() if v is not None else ""
    return s or None


def _money(v: object) -> Decimal | None:
    s = _text(v)
    if s is None:
        return None
    try:
        return Decimal(s)
    except InvalidOperation:
        return None


def _date(v: object) -> date | None:
    s = (_text(v) or "").replace("-", "")
    if len(s) != 8 or not s.isdigit():
        return None
    try:
        return date(int(s[:4]), int(s[4:6]), int(s[6:]))
    except ValueError:
        return None


def _invoice(d: Mapping[str, Any]) -> AuthoritativeInvoice:
    return AuthoritativeInvoice(
        invoice_code=_text(d.get("Code")),
        invoice_number=_text(d.get("Number")),
        issue_date=_date(d.get("Date")),
        amount_excl_tax=_money(d.get("AmountWithoutTax")),
        tax=_money(d.get("TaxAmount")),
        total=_money(d.get("AmountWithTax")),
        check_code=_text(d.get("CheckCode")),
        buyer_name=_text(d.get("BuyerName")),
        buyer_tax_id=_text(d.get("BuyerTaxCode")),
        seller_name=_text(d.get("SellerName")),
        seller_tax_id=_text(d.get("SellerTaxCode")),
    )
