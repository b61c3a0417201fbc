"""The GL mapping: which general-ledger account each expense goes to, as a YAML document that
admins edit and the service keeps as versions (like the expense policy).

    version: 1
    voucher_word: 记
    accounts:
      payable:   {code: "2241.01", name: 其他应付款-员工报销}
      input_vat: {code: "2221.01.01", name: 应交税费-应交增值税-进项税额}
      advance:   {code: "1221.01", name: 其他应收款-备用金}
      bank:      {code: "1002", name: 银行存款}   # optional; what pays an advance out
    expense:
      default: {code: "6602.99", name: 管理费用-其他}
      categories:
        travel: {code: "6602.01", name: 管理费用-差旅费}
    rules:                      # optional refinements; the most specific match wins
      - match: {category: travel, department: 3, cost_centre: CC-SALES, project: P-001}
        account: {code: "6601.01", name: 销售费用-差旅费}

Validation lists every problem with its path, a code and its params (``core.problems``), which
the web app words; pure: no session, no settings.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError

from reimburse.core.problems import Problem, location, params_of, pydantic_problem

CATEGORIES = ("travel", "lodging", "meals", "transport", "office", "client_entertainment", "other")
_CODE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.\-_]{0,39}$")


class MappingError(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = tuple(problems)


def _wrong(code: str, what: str, **params: object) -> PydanticCustomError:
    # a validator's problem as a code the web app words (``problem.<code>``), English in ``what``
    return PydanticCustomError(code, what, params_of(params))


class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Account(_Doc):
    code: str
    name: str = Field(min_length=1, max_length=100)

    @field_validator("code", mode="before")
    @classmethod
    def _code(cls, value: object) -> object:
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)  # YAML reads 660201 as a number
        if not isinstance(value, str) or not _CODE.fullmatch(value):
            raise _wrong("gl_account_code", "an account code: letters, digits, '.', '-' or '_', at most 40")
        return value


def _bank() -> Account:
    return Account(code="1002", name="银行存款")


class Accounts(_Doc):
    payable: Account
    input_vat: Account
    # the employee's advance receivable (其他应收款): debited when an advance is paid out,
    # credited when a claim offsets it, so the two vouchers net to what is still outstanding
    advance: Account
    # what pays an advance out (credited by the payout voucher); optional so that mapping
    # versions saved before it existed stay valid
    bank: Account = Field(default_factory=_bank)


class Expense(_Doc):
    default: Account
    categories: dict[str, Account] = Field(default_factory=dict)

    @field_validator("categories")
    @classmethod
    def _known(cls, value: dict[str, Account]) -> dict[str, Account]:
        unknown = sorted(set(value) - set(CATEGORIES))
        if unknown:
            what = f"unknown categories {unknown}; known: {list(CATEGORIES)}"
            raise _wrong("gl_unknown_categories", what, unknown=unknown, known=CATEGORIES)
        return value


class Match(_Doc):
    category: str | None = None
    department: int | None = None
    cost_centre: str | None = Field(default=None, max_length=32)
    project: str | None = Field(default=None, max_length=64)

    @field_validator("category")
    @classmethod
    def _category(cls, value: str | None) -> str | None:
        if value is not None and value not in CATEGORIES:
            what = f"{value!r} is not one of {list(CATEGORIES)}"
            raise _wrong("gl_category", what, value=value, known=CATEGORIES)
        return value

    @model_validator(mode="after")
    def _something(self) -> Match:
        if (
            self.category is None
            and self.department is None
            and self.cost_centre is None
            and self.project is None
        ):
            raise _wrong(
                "gl_rule_empty",
                "a rule matches on at least one of category, department, cost_centre, project",
            )
        return self

    def specificity(self) -> int:
        return sum(v is not None for v in (self.category, self.department, self.cost_centre, self.project))


class Rule(_Doc):
    match: Match
    account: Account


class Exports(_Doc):
    """Codes the accounting packages want that are not GL accounts."""

    kingdee_account_book: str = Field(default="001", min_length=1, max_length=40)  # 账簿编码
    kingdee_voucher_group: str = Field(default="PRE001", min_length=1, max_length=40)  # 凭证字编码 (记)
    kingdee_currency: str = Field(default="PRE001", min_length=1, max_length=40)  # 币别编码 (人民币)
    u8_voucher_type: str = Field(default="记", min_length=1, max_length=4)  # 凭证类别字
    preparer: str = Field(default="", max_length=40)  # 制单人


class GlMapping(_Doc):
    version: int
    voucher_word: str = Field(default="记", min_length=1, max_length=4)
    accounts: Accounts
    expense: Expense
    rules: list[Rule] = Field(default_factory=list, max_length=1000)
    exports: Exports = Field(default_factory=Exports)

    @field_validator("version")
    @classmethod
    def _version(cls, value: int) -> int:
        if value != 1:
            raise _wrong("gl_version", "only version 1 is understood")
        return value

    def expense_account(
        self, category: str, department: int | None, cost_centre: str | None, project: str | None
    ) -> Account:
        """The most specific rule that matches (the first listed among equals), else the
        category's account, else the default."""
        best: tuple[int, Account] | None = None
        for rule in self.rules:
            m = rule.match
            if (
                (m.category is None or m.category == category)
                and (m.department is None or m.department == department)
                and (m.cost_centre is None or m.cost_centre == cost_centre)
                and (m.project is None or m.project == project)
            ):
                score = m.specificity()
                if best is None or score > best[0]:
                    best = (score, rule.account)
        if best is not None:
            return best[1]
        return self.expense.categories.get(category, self.expense.default)


def load_mapping_text(text: str) -> GlMapping:
    """Parse and validate a GL mapping document (YAML or JSON)."""
    try:
        data: Any = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = {"line": mark.line + 1, "column": mark.column + 1} if mark is not None else {}
        what = f"(document): not valid YAML/JSON: {exc}"
        raise MappingError([Problem("(document)", "not_yaml", what, params_of(where))]) from None
    if not isinstance(data, dict):
        got = type(data).__name__
        raise MappingError(
            [Problem("(document)", "not_mapping", "(document): must be a mapping", {"got": got})]
        )
    try:
        return GlMapping.model_validate(data)
    except ValidationError as exc:
        problems = [pydantic_problem(location(e["loc"]) or "(document)", e) for e in exc.errors()]
        raise MappingError(problems) from None
