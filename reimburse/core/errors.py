"""The one base error of the project.

Every domain defines a small tree of errors under ``ReimburseError``; only ``reimburse.api``
maps them to HTTP responses, and the CLI maps them to JSON error objects. ``code`` is a
stable machine-readable string; ``status`` is the HTTP status the API should answer with.
``params`` are the figures the message rests on, as a JSON object of strings: the web app words
each code in the reader's language from its catalogue with them (``message`` stays English, for
API clients and logs).
"""

from __future__ import annotations

from typing import Any


class ReimburseError(Exception):
    code: str = "error"
    status: int = 400

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        details: Any = None,
        params: dict[str, object] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.details = details  # JSON-ready extra facts for the client (which item, which claim)
        self.params = {k: str(v) for k, v in (params or {}).items()}
        if code is not None:
            self.code = code


class NotFound(ReimburseError):
    code = "not_found"
    status = 404


class Forbidden(ReimburseError):
    code = "forbidden"
    status = 403


class Conflict(ReimburseError):
    code = "conflict"
    status = 409


class InvalidInput(ReimburseError):
    code = "invalid_input"
    status = 422
