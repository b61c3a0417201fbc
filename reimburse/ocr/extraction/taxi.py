"""Taxi receipts: 出租汽车(专用)发票 and the 通用机打发票 that taxi meters print.

They are fapiao (a code of 12 digits, a number of 8) but have no parties, no tax and no
table: a column of bilingual labels (日期 Date, 时间 Time, 里程 Distance, 金额 Sum, ...) with
the meter's dot-matrix values to their right, often a row above or below their label
because the paper is fed by hand. So values are matched to labels by their kind (a date,
a time range, money) and the nearest row, not by strict row alignment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from reimburse.ocr.extraction import fields as f
from reimburse.ocr.extraction.layout import Layout, Line
from reimburse.ocr.fapiao.money import fmt_money

TAXI_WORD = re.compile(r"出租|TAXI|Taxi|taxi")
TAXI_LABELS = re.compile(
    r"车号|里程|等候|上车|下车|证号|TaxiNo|Mileage|Distance|Waiting|On/Off|Certificate|Priceper"
)
_TOTAL_LABEL = re.compile(r"实收|金额|^Sum|^Fare|^Amount|^Total")
_PAID_LABEL = re.compile(r"实收")
_EXTRA_CHARGE = re.compile(r"附加费|Surcharge|surcharge")
_TIMES = re.compile(r"(\d{1,2}:\d{2})\s*[-~—]\s*(\d{1,2}:\d{2})")
_DISTANCE_LABEL = re.compile(r"里程|Distance|Mileage")
_DISTANCE = re.compile(r"^(\d{1,3}\.\d{1,2})(?:km|KM|公里|m)?$")
_YUAN_MONEY = re.compile(r"¥-?\d")


def looks_like_taxi(layout: Layout) -> bool:
    """A taxi word (出租 / Taxi) and two of the meter's own labels, or three of those labels
    (the 通用机打发票 a meter prints does not always say 出租)."""
    text = "\n".join(ln.text for ln in layout.lines)
    labels = len(set(TAXI_LABELS.findall(text)))
    return labels >= 3 or (labels >= 2 and bool(TAXI_WORD.search(text)))


@dataclass(frozen=True, slots=True)
class TaxiRead:
    code: f.Candidate | None
    number: f.Candidate | None
    date: f.Candidate | None
    total: f.Candidate | None
    total_uncertain: bool  # surcharges printed but the amount actually paid (实收) not read
    extras: dict[str, str]


def read_taxi(layout: Layout) -> TaxiRead:
    code = _first(f.find_code(layout)) or _bare(layout, 12)
    number = _first(f.find_number(layout)) or _number_below(layout, code)
    date = _first(f.find_date(layout))
    total, paid = _total(layout)
    text = "\n".join(ln.text for ln in layout.lines)
    uncertain = (
        total is not None and not paid and bool(_PAID_LABEL.search(text) or _EXTRA_CHARGE.search(text))
    )
    extras: dict[str, str] = {}
    times = next((m for ln in layout.lines if (m := _TIMES.search(ln.text))), None)
    if times:
        extras["times"] = f"{times.group(1)}-{times.group(2)}"
    else:
        on, off = _time_near(layout, _ON), _time_near(layout, _OFF)
        if on and off:
            extras["times"] = f"{on}-{off}"
    distance = _distance(layout)
    if distance:
        extras["distance_km"] = distance
    return TaxiRead(code, number, date, total, uncertain, extras)


def _first(cands: list[f.Candidate]) -> f.Candidate | None:
    return max(cands, key=lambda c: c.score) if cands else None


def _bare(layout: Layout, length: int) -> f.Candidate | None:
    """A line that is only a ``length``-digit number, highest on the page (the code)."""
    for ln in layout.lines:
        if ln.cy < layout.height * 0.5 and ln.text.isdigit() and len(ln.text) == length:
            return f.Candidate(ln.text, ln.score * 0.9, (ln,))
    return None


def _number_below(layout: Layout, code: f.Candidate | None) -> f.Candidate | None:
    """The 8-digit line printed just below the code (unlabelled on Beijing receipts)."""
    if code is None or not code.lines:
        return None
    anchor = code.lines[-1]
    for ln in layout.below(anchor, max_rows=3):
        if ln.text.isdigit() and len(ln.text) == 8:
            return f.Candidate(ln.text, ln.score * 0.9, (ln,))
    return None


def _total(layout: Layout) -> tuple[f.Candidate | None, bool]:
    """The amount paid: money beside 实收 when read, else beside 金额 / Sum / Fare.

    A value may sit up to about a row from its label; money printed with ¥ is preferred
    because the unit price and surcharges on the same column usually have no sign.
    """
    labels = layout.find(_TOTAL_LABEL)
    paid = [ln for ln in labels if _PAID_LABEL.search(ln.text)]
    for group, is_paid in ((paid, True), (labels, False)):
        best: tuple[float, f.Candidate] | None = None
        for label in group:
            for ln in layout.lines:
                if ln is label or ln.cx <= label.right:
                    continue
                amount = f.money_value(ln.text)
                if amount is None:
                    continue
                value = fmt_money(amount)
                rows = abs(ln.cy - label.cy) / label.height
                if rows > 1.6:
                    continue
                cost = rows + (0.0 if _YUAN_MONEY.search(ln.text) else 0.8)
                if best is None or cost < best[0]:
                    best = (cost, f.Candidate(value, min(ln.score, label.score), (label, ln)))
        if best is not None:
            return best[1], is_paid
    return None, False


_ON = re.compile(r"^上车|^On$")
_OFF = re.compile(r"^下车|^Off$")
_CLOCK = re.compile(r"(?<![\d:])(\d{1,2}:\d{2})(?![\d:])")


def _time_near(layout: Layout, label_pattern: re.Pattern[str]) -> str | None:
    """The HH:MM printed beside a boarding / alighting label (within about half a row)."""
    for label in layout.find(label_pattern):
        near = [
            (abs(ln.cy - label.cy) / label.height, m.group(1))
            for ln in layout.lines
            if ln.cx > label.right and (m := _CLOCK.search(ln.text))
        ]
        near = [n for n in near if n[0] <= 0.8]
        if near:
            return min(near)[1]
    return None


def _distance(layout: Layout) -> str | None:
    for label in layout.find(_DISTANCE_LABEL):
        near: list[tuple[float, Line]] = [
            (abs(ln.cy - label.cy) / label.height, ln)
            for ln in layout.lines
            if ln.cx > label.right and _DISTANCE.match(ln.text)
        ]
        near = [(rows, ln) for rows, ln in near if rows <= 1.2]
        if near:
            m = _DISTANCE.match(min(near, key=lambda r: r[0])[1].text)
            assert m is not None
            return m.group(1)
    return None
