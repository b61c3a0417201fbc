"""The shipped policy data: the default expense policy and China's holiday calendar.

Both are plain YAML beside this module, read through ``importlib.resources`` so they travel
inside the wheel. The service layer may store an admin-edited policy elsewhere and parse it
with ``policy.domain.load_policy_text``.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from reimburse.policy.domain import Policy, load_policy_text
from reimburse.policy.rules.calendar import HolidayCalendar, load_calendar_text


def default_policy_text() -> str:
    return resources.files("reimburse.policy").joinpath("default.yaml").read_text(encoding="utf-8")


@cache
def default_policy() -> Policy:
    return load_policy_text(default_policy_text())


@cache
def china_calendar() -> HolidayCalendar:
    text = resources.files("reimburse.policy").joinpath("holidays_cn.yaml").read_text(encoding="utf-8")
    return load_calendar_text(text)
