"""The approval routing engine.

Pure ``advance(instance, event, flow, now)``: no database, clock or settings. ``plan`` /
``new_instance`` resolve a flow for one claim through an org directory passed in as a value.
"""

from reimburse.routing.engine.conditions import matches
from reimburse.routing.engine.machine import SYSTEM, Outcome, advance, state_label
from reimburse.routing.engine.planner import Plan, new_instance, plan, resolve

__all__ = [
    "SYSTEM",
    "Outcome",
    "Plan",
    "advance",
    "matches",
    "new_instance",
    "plan",
    "resolve",
    "state_label",
]
