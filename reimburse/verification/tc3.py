"""TC3-HMAC-SHA256, the request signature of Tencent Cloud API 3.0.

canonical request = method, URI "/", query "", the signed headers (content-type, host, and
x-tc-action) lower-cased, and the hex SHA-256 of the body; string to sign = algorithm,
timestamp, credential scope ``<UTC date>/<service>/tc3_request`` and the hex SHA-256 of the
canonical request; the key is derived HMAC-by-HMAC from ``"TC3" + secret key`` over the date,
the service and ``tc3_request``.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime

ALGORITHM = "TC3-HMAC-SHA256"
SIGNED_HEADERS = "content-type;host;x-tc-action"


def _hmac(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()


def canonical_request(*, host: str, action: str, content_type: str, payload: bytes) -> str:
    headers = f"content-type:{content_type}\nhost:{host}\nx-tc-action:{action.lower()}\n"
    return "\n".join(["POST", "/", "", headers, SIGNED_HEADERS, hashlib.sha256(payload).hexdigest()])


def authorization(
    *,
    secret_id: str,
    secret_key: str,
    service: str,
    host: str,
    action: str,
    content_type: str,
    payload: bytes,
    timestamp: int,
) -> str:
    """The ``Authorization`` header value for one POST request."""
    day = datetime.fromtimestamp(timestamp, tz=UTC).strftime("%Y-%m-%d")
    scope = f"{day}/{service}/tc3_request"
    canonical = canonical_request(host=host, action=action, content_type=content_type, payload=payload)
    to_sign = "\n".join(
        [ALGORITHM, str(timestamp), scope, hashlib.sha256(canonical.encode("utf-8")).hexdigest()]
    )
    key = _hmac(_hmac(_hmac(("TC3" + secret_key).encode("utf-8"), day), service), "tc3_request")
    signature = hmac.new(key, to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
    return (
        f"{ALGORITHM} Credential={secret_id}/{scope}, SignedHeaders={SIGNED_HEADERS}, Signature={signature}"
    )
