"""Errors of approval routing, under the project's one base error.

``code`` is what a client branches on: ``not_assignee`` (you hold no task here), ``already_acted``
(a second click or a stale page), ``terminal`` (the claim is decided), ``wrong_state`` (e.g. a
resubmission of a claim that was not returned), ``invalid_action``, ``flow_mismatch``,
``no_approver`` (planning found nobody for a node that must have someone) and ``invalid_flow``.
"""

from __future__ import annotations

from collections.abc import Sequence

from reimburse.core.errors import Conflict, Forbidden, InvalidInput, ReimburseError
from reimburse.core.problems import Problem


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
    """A flow definition that does not validate. ``coded`` lists every problem (path, code and
    params for the web app's wording, an English message); ``problems`` the English messages.
    A problem given as text (no code) is sent with the code ``flow_problem``."""

    code = "invalid_flow"
    status = 422

    def __init__(self, message: str, problems: Sequence[Problem | str]) -> None:
        self.coded = [p if isinstance(p, Problem) else Problem("", "flow_problem", p) for p in problems]
        self.problems = [p.message for p in self.coded]
        super().__init__(
            message + ":\n  " + "\n  ".join(self.problems),
            details={"problems": [p.as_json() for p in self.coded]},
        )
