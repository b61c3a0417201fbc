"""What an API key may call: default deny.

A signed-in person is governed by roles (each route checks them). A machine key reaches only
routes marked with ``@key_scope(...)``, and only with the scope named there; any other route
answers 403 ``missing_scope`` whatever roles the key carries. A new route is therefore closed
to keys until it is marked.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

SCOPES = frozenset({"payouts:read", "payouts:write", "documents:read", "documents:write"})
ANY_KEY = "*"  # any valid key (e.g. to ask who it is)
_MARK = "__api_key_scope__"
F = TypeVar("F", bound=Callable[..., Any])


def key_scope(scope: str) -> Callable[[F], F]:
    """Open a route to API keys holding ``scope`` (or to every key with ``ANY_KEY``)."""
    if scope != ANY_KEY and scope not in SCOPES:
        raise ValueError(f"unknown API key scope {scope!r}")

    def mark(endpoint: F) -> F:
        setattr(endpoint, _MARK, scope)
        return endpoint

    return mark


def key_may_call(endpoint: object, scopes: frozenset[str]) -> bool:
    needed = getattr(endpoint, _MARK, None)
    return needed is not None and (needed == ANY_KEY or needed in scopes)
