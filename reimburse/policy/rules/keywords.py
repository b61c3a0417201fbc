"""Keyword tables: what a seller's name or an invoice line's tax classification says about the
kind of expense and the VAT rate to expect.

Invoice lines carry the goods/service tax classification's short name between asterisks
(``*餐饮服务*午餐``); that is the most reliable signal. Seller names are a weaker one, used
only when they contain an unambiguous word. The tables are deliberately short: a word that
could mean two things (``饭店`` is a restaurant or a hotel) is listed under both categories.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
from functools import lru_cache

from reimburse.claims.domain import Category

_SHORT_NAME = re.compile(r"^\*([^*]+)\*")

# Tax classification short name (or a word in it) -> categories it fits.
CLASS_CATEGORIES: tuple[tuple[str, frozenset[Category]], ...] = (
    ("餐饮", frozenset({Category.MEALS, Category.CLIENT_ENTERTAINMENT})),
    ("住宿", frozenset({Category.LODGING})),
    ("旅客运输", frozenset({Category.TRAVEL, Category.TRANSPORT})),
    ("运输服务", frozenset({Category.TRAVEL, Category.TRANSPORT})),
    ("代订", frozenset({Category.TRAVEL, Category.LODGING})),  # ticket/hotel agents
    ("经纪代理", frozenset({Category.TRAVEL, Category.LODGING, Category.TRANSPORT})),
    ("汽油", frozenset({Category.TRANSPORT})),
    ("柴油", frozenset({Category.TRANSPORT})),
    ("通行费", frozenset({Category.TRANSPORT})),
    ("停车", frozenset({Category.TRANSPORT})),
    ("纸制品", frozenset({Category.OFFICE})),
    ("文具", frozenset({Category.OFFICE})),
    ("办公", frozenset({Category.OFFICE})),
    ("计算机", frozenset({Category.OFFICE})),
)

# Words in a seller's name -> categories it fits.
SELLER_CATEGORIES: tuple[tuple[str, frozenset[Category]], ...] = (
    ("酒店", frozenset({Category.LODGING, Category.MEALS, Category.CLIENT_ENTERTAINMENT})),
    ("宾馆", frozenset({Category.LODGING, Category.MEALS, Category.CLIENT_ENTERTAINMENT})),
    ("饭店", frozenset({Category.LODGING, Category.MEALS, Category.CLIENT_ENTERTAINMENT})),
    ("旅馆", frozenset({Category.LODGING})),
    ("民宿", frozenset({Category.LODGING})),
    ("餐饮", frozenset({Category.MEALS, Category.CLIENT_ENTERTAINMENT})),
    ("餐厅", frozenset({Category.MEALS, Category.CLIENT_ENTERTAINMENT})),
    ("酒楼", frozenset({Category.MEALS, Category.CLIENT_ENTERTAINMENT})),
    ("食府", frozenset({Category.MEALS, Category.CLIENT_ENTERTAINMENT})),
    ("火锅", frozenset({Category.MEALS, Category.CLIENT_ENTERTAINMENT})),
    ("航空", frozenset({Category.TRAVEL})),
    ("铁路", frozenset({Category.TRAVEL})),
    ("客运", frozenset({Category.TRAVEL, Category.TRANSPORT})),
    ("出租", frozenset({Category.TRANSPORT})),
    ("出行", frozenset({Category.TRANSPORT, Category.TRAVEL})),
    ("石油", frozenset({Category.TRANSPORT})),
    ("石化", frozenset({Category.TRANSPORT})),
    ("加油", frozenset({Category.TRANSPORT})),
    ("停车", frozenset({Category.TRANSPORT})),
    ("高速", frozenset({Category.TRANSPORT})),
    ("文具", frozenset({Category.OFFICE})),
    ("办公用品", frozenset({Category.OFFICE})),
)

# VAT rates a line of this kind may plausibly carry. Small-scale taxpayers (3 %, the 1 % relief
# rate) and exempt/zero lines are plausible for anything and are added by ``expected_rates``.
_SMALL_SCALE = frozenset({Decimal("0.03"), Decimal("0.01"), Decimal(0)})
RATE_CLASSES: tuple[tuple[str, frozenset[Decimal]], ...] = (
    ("餐饮", frozenset({Decimal("0.06")})),
    ("住宿", frozenset({Decimal("0.06")})),
    ("旅客运输", frozenset({Decimal("0.09")})),
    ("运输服务", frozenset({Decimal("0.09")})),
    ("通行费", frozenset({Decimal("0.09"), Decimal("0.05")})),  # tolls: 9 % roads, 5 % simplified
    ("经纪代理", frozenset({Decimal("0.06")})),
    ("代订", frozenset({Decimal("0.06")})),
    ("服务", frozenset({Decimal("0.06"), Decimal("0.09"), Decimal("0.13"), Decimal("0.05")})),
)
# Goods: 13 % general, 9 % for farm produce, books, fuel gas, water.
GOODS_RATES = frozenset({Decimal("0.13"), Decimal("0.09")})


@lru_cache(maxsize=65_536)
def normalise(text: str) -> str:
    """NFKC (full-width letters and brackets to ASCII), no whitespace, ASCII upper-case.
    Cached: names and tax IDs repeat across invoices."""
    return "".join(unicodedata.normalize("NFKC", text).split()).upper()


def short_name(line_name: str) -> str | None:
    """``*餐饮服务*午餐`` -> ``餐饮服务``; None when the line carries no classification."""
    m = _SHORT_NAME.match(normalise(line_name))
    return m.group(1) if m else None


@lru_cache(maxsize=16_384)
def line_categories(line_name: str) -> frozenset[Category] | None:
    """Categories a line's tax classification fits; None when it says nothing we know."""
    name = short_name(line_name) or normalise(line_name)
    for word, cats in CLASS_CATEGORIES:
        if word in name:
            return cats
    return None


@lru_cache(maxsize=16_384)
def seller_categories(seller_name: str) -> frozenset[Category] | None:
    name = normalise(seller_name)
    found: set[Category] = set()
    for word, cats in SELLER_CATEGORIES:
        if word in name:
            found |= cats
    return frozenset(found) if found else None


@lru_cache(maxsize=16_384)
def expected_rates(line_name: str) -> frozenset[Decimal] | None:
    """Plausible VAT rates for a line; None when its classification is unknown (no check)."""
    name = short_name(line_name)
    if name is None:
        return None
    for word, rates in RATE_CLASSES:
        if word in name:
            return rates | _SMALL_SCALE
    return GOODS_RATES | _SMALL_SCALE
