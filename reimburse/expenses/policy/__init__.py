"""The shipped policy data: the default expense policy and China's holiday calendar.

Both are plain YAML beside this module, read through ``importlib.resources`` so they travel
inside the wheel. The service layer may store an admin-edited policy elsewhere and parse it
with ``expenses.rules.policy.load_policy_text``.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from reimburse.expenses.rules.calendar import HolidayCalendar, load_calendar_text
from reimburse.expenses.rules.policy import Policy, load_policy_text


def default_policy_text() -> str:
    return resources.files(__name__).joinpath("default.yaml").read_text(encoding="utf-8")


@cache
def default_policy() -> Policy:
    return load_policy_text(default_policy_text())


@cache
def china_calendar() -> HolidayCalendar:
    text = resources.files(__name__).joinpath("holidays_cn.yaml").read_text(encoding="utf-8")
    return load_calendar_text(text)
