"""Line items: the table between the column headers and the "合计" row.

Columns are placed by their printed headers (项目名称/货物或应税劳务、服务名称, 规格型号, 单位,
数量, 单价, 金额, 税率, 税额); each text run below goes to the nearest column. A row that
only continues the name column is a wrapped name, not a new item.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from reimburse.ocr.domain import LineItem
from reimburse.ocr.extraction.layout import Layout, Line, vertically_overlap
from reimburse.ocr.fapiao.money import fmt_money, parse_money

_NAME_HEADER = re.compile(r"货物或应税劳务|服务名称|项目名称|货物名称|^名称$")
_COLUMNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("spec", re.compile(r"规格|型号")),
    ("unit", re.compile(r"^单位$|^单$|^位$")),
    ("quantity", re.compile(r"数量|^数$")),
    ("unit_price", re.compile(r"单价|^价$")),
    ("amount", re.compile(r"^金额$|^金$|^额$|金额")),
    ("tax_rate", re.compile(r"税率|征收率|^率$")),
    ("tax", re.compile(r"^税额$|^税$|税额")),
)
_SUM_ROW = re.compile(r"^合计|^合$|价税合计|^计$")
_RATE = re.compile(r"^(\d{1,2}(?:\.\d)?%|免税|不征税|\*{2,3})$")
_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")


@dataclass(frozen=True, slots=True)
class Columns:
    name_left: float
    centres: dict[str, float]

    def amount_x(self) -> float | None:
        return self.centres.get("amount")

    def tax_x(self) -> float | None:
        return self.centres.get("tax")


def find_columns(layout: Layout) -> tuple[Line, Columns] | None:
    headers = layout.find(_NAME_HEADER)
    for header in headers:
        centres: dict[str, float] = {}
        last: str | None = None
        for ln in sorted(layout.lines, key=lambda x: x.left):
            if ln is header or not _near_row(header, ln):
                continue
            if ln.text == "额" and last in ("amount", "tax"):
                # the second half of "金 额" or "税 额" printed apart: centre that column
                centres[last] = (centres[last] + ln.cx) / 2
                last = None
                continue
            for key, pattern in _COLUMNS:
                if pattern.search(ln.text) and key not in centres:
                    centres[key] = ln.cx
                    last = key
                    break
        # "金" and "额" printed apart: centre the column between them
        if "amount" in centres and len(centres) >= 3:
            return header, Columns(name_left=header.left, centres=centres)
    return None


def find_items(layout: Layout, header: Line, columns: Columns) -> tuple[LineItem, ...]:
    bottom = _table_bottom(layout, header)
    body = [
        ln
        for ln in layout.lines
        if ln.top > header.bottom - header.height * 0.2
        and ln.bottom < bottom + header.height * 0.5
        and ln.left >= columns.name_left - header.height * 2
        and not _near_row(header, ln)
    ]
    right_edge = max(columns.centres.values()) + header.height * 4
    body = [ln for ln in body if ln.left < right_edge]
    rows = _rows(body)
    items: list[dict[str, str]] = []
    first_col = min(columns.centres.values())
    for row in rows:
        cells: dict[str, str] = {}
        for ln in row:
            key = "name" if ln.right < first_col - header.height else _nearest(ln, columns)
            cells[key] = cells.get(key, "") + ln.text
        parsed = _parse_cells(cells)
        if not parsed:
            continue
        if "name" in parsed and len(parsed) == 1 and items:
            items[-1]["name"] = items[-1].get("name", "") + parsed["name"]  # a wrapped name
        elif items and "name" not in parsed and "amount" not in items[-1]:
            items[-1].update(parsed)
        else:
            items.append(parsed)
    return tuple(
        LineItem(
            name=i.get("name"),
            spec=i.get("spec"),
            unit=i.get("unit"),
            quantity=i.get("quantity"),
            unit_price=i.get("unit_price"),
            amount=i.get("amount"),
            tax_rate=i.get("tax_rate"),
            tax=i.get("tax"),
        )
        for i in items
        if i.get("amount") or i.get("name")
    )


def _parse_cells(cells: dict[str, str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, text in cells.items():
        text = text.strip()
        if not text:
            continue
        if key in ("amount", "tax"):
            value = parse_money(text)
            if value is None:
                if key == "tax" and _RATE.match(text):
                    out[key] = text
                continue
            out[key] = fmt_money(value)
        elif key == "tax_rate":
            if _RATE.match(text):
                out[key] = text
        elif key in ("quantity", "unit_price"):
            if _NUMBER.match(text):
                out[key] = text
        else:
            out[key] = text
    return out


def _nearest(ln: Line, columns: Columns) -> str:
    key, centre = min(columns.centres.items(), key=lambda kc: abs(kc[1] - ln.cx))
    if ln.right < centre - ln.height * 8:
        return "name"
    return key


def _near_row(header: Line, ln: Line) -> bool:
    return abs(ln.cy - header.cy) <= header.height * 0.9


def _table_bottom(layout: Layout, header: Line) -> float:
    below = [ln for ln in layout.lines if ln.top > header.bottom and _SUM_ROW.search(ln.text)]
    return min((ln.top for ln in below), default=layout.height)


def _rows(lines: list[Line]) -> list[list[Line]]:
    rows: list[list[Line]] = []
    for ln in sorted(lines, key=lambda x: x.cy):
        for row in rows:
            if any(vertically_overlap(ln, other, 0.6) for other in row):
                row.append(ln)
                break
        else:
            rows.append([ln])
    for row in rows:
        row.sort(key=lambda x: x.left)
    return rows
