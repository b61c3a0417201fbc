"""Errors of approval routing, under the project's one base error.

``code`` is what a client branches on: ``not_assignee`` (you hold no task here), ``already_acted``
(a second click or a stale page), ``terminal`` (the claim is decided), ``wrong_state`` (e.g. a
resubmission of a claim that was not returned), ``invalid_action``, ``flow_mismatch``,
``no_approver`` (planning found nobody for a node that must have someone) and ``invalid_flow``.
"""

from __future__ import annotations

from reimburse.core.errors import Conflict, Forbidden, InvalidInput, ReimburseError


class RoutingError(ReimburseError):
    code = "routing_error"


class NotAssignee(RoutingError, Forbidden):
    code = "not_assignee"
    status = 403


class AlreadyActed(RoutingError, Conflict):
    code = "already_acted"
    status = 409


class Terminal(RoutingError, Conflict):
    code = "terminal"
    status = 409


class WrongState(RoutingError, Conflict):
    code = "wrong_state"
    status = 409


class FlowMismatch(RoutingError, Conflict):
    code = "flow_mismatch"
    status = 409


class InvalidAction(RoutingError, InvalidInput):
    code = "invalid_action"
    status = 422


class NoApprover(RoutingError, InvalidInput):
    code = "no_approver"
    status = 422


class InvalidFlow(RoutingError, InvalidInput):
    """A flow definition that does not validate; ``problems`` lists every one, with its path."""

    code = "invalid_flow"
    status = 422

    def __init__(self, message: str, problems: list[str]) -> None:
        super().__init__(message + ":\n  " + "\n  ".join(problems), details={"problems": problems})
        self.problems = problems
