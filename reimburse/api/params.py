"""Bounded types for ids, cursors and references in requests.

Every table's key is a 32-bit integer on PostgreSQL (64-bit on SQLite): a larger id in a path,
a query or a body cannot name anything, and sent on to the database it overflows (a 500). So
ids are bounded here, at the edge, and answer 422 with the field named.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Path, Query
from pydantic import Field

MAX_ID = 2**31 - 1

Id = Annotated[int, Path(ge=1, le=MAX_ID)]  # a path segment naming a row
Cursor = Annotated[int | None, Query(ge=0, le=MAX_ID)]  # the last id a page ended on
QueryId = Annotated[int | None, Query(ge=1, le=MAX_ID)]  # a filter by id
RefId = Annotated[int, Field(ge=1, le=MAX_ID)]  # a body field naming a row
# A calendar day in a request: budgets, delegations, expenses. Past these bounds a period's end
# (start + 1 quarter) or a report's range overflows the calendar (9999-12 + 1 month).
Day = Annotated[date, Field(ge=date(1990, 1, 1), le=date(2199, 12, 31))]
