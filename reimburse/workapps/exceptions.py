"""Errors of the work-app domain (mapped to HTTP by ``reimburse.api``)."""

from __future__ import annotations

from reimburse.core.errors import ReimburseError


class NotConfigured(ReimburseError):
    code = "workapp_not_configured"
    status = 404


class SignInRefused(ReimburseError):
    """A sign-in that must not go through: a stranger, a left member, a reused code, a bad state."""

    code = "sign_in_refused"
    status = 403


class BadCallback(ReimburseError):
    code = "callback_refused"
    status = 403


class PlatformUnavailable(ReimburseError):
    code = "workapp_unavailable"
    status = 502
