"""The voucher a claim produces, the GL mapping document, and the export formats (pure)."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from reimburse.vouchers import export
from reimburse.vouchers.build import (
    Offset,
    VoucherError,
    VoucherItem,
    advance_payout_lines,
    build_lines,
    split_item,
)
from reimburse.vouchers.domain import LineKind, Voucher
from reimburse.vouchers.mapping import MappingError, load_mapping_text
from reimburse.vouchers.service import default_mapping_text
from reimburse.vouchers.vat import Basis, InputVat

D = Decimal
MAPPING = load_mapping_text(default_mapping_text())


def vat(amount: str) -> InputVat:
    value = D(amount)
    return InputVat(value, Basis.SPECIAL_INVOICE if value else Basis.NOT_DEDUCTIBLE, "")


def items() -> list[VoucherItem]:
    return [
        VoucherItem(0, "lodging", D("712.34"), vat("0.00"), department=3),
        VoucherItem(1, "travel", D("553.00"), vat("45.66"), department=3),
        VoucherItem(2, "travel", D("553.00"), vat("45.66"), department=3),
        VoucherItem(3, "office", D("1060.00"), vat("60.00"), department=3),
    ]


def test_lines_balance_and_split_vat_from_expense() -> None:
    lines = build_lines("BX1", "张三", items(), MAPPING)
    debits = sum((line.debit for line in lines), D(0))
    credits = sum((line.credit for line in lines), D(0))
    assert debits == credits == D("2878.34")
    by_kind = {k: [line for line in lines if line.kind is k] for k in LineKind}
    # lodging and travel share the 差旅费 account: one line, net of the two tickets' VAT
    assert [(line.account_code, line.debit) for line in by_kind[LineKind.EXPENSE]] == [
        ("6602.01", D("712.34") + D("553.00") * 2 - D("91.32")),
        ("6602.04", D("1000.00")),
    ]
    assert [(line.account_code, line.debit) for line in by_kind[LineKind.INPUT_VAT]] == [
        ("2221.01.01", D("151.32"))
    ]
    assert [(line.account_code, line.credit) for line in by_kind[LineKind.PAYABLE]] == [
        ("2241.01", D("2878.34"))
    ]
    assert by_kind[LineKind.INPUT_VAT][0].items == (1, 2, 3)


def test_an_advance_offset_is_credited_and_the_payable_is_the_rest() -> None:
    lines = build_lines("BX1", "张三", items(), MAPPING, offsets=[Offset(D("2000.00"), "JK-7")])
    offset = [line for line in lines if line.kind is LineKind.ADVANCE_OFFSET]
    payable = [line for line in lines if line.kind is LineKind.PAYABLE]
    assert [(line.account_code, line.credit) for line in offset] == [("1221.01", D("2000.00"))]
    assert [line.credit for line in payable] == [D("878.34")]
    assert sum((line.debit for line in lines), D(0)) == sum((line.credit for line in lines), D(0))


def test_an_advance_that_covers_everything_leaves_no_payable() -> None:
    lines = build_lines("BX1", "张三", items(), MAPPING, offsets=[Offset(D("2878.34"), "JK-7")])
    assert not [line for line in lines if line.kind is LineKind.PAYABLE]


def test_an_advance_paid_out_debits_the_receivable_that_offsets_credit_and_credits_the_bank() -> None:
    lines = advance_payout_lines("JK-7", "张三", D("2000.00"), MAPPING)
    assert [(x.kind, x.account_code, x.debit, x.credit) for x in lines] == [
        (LineKind.ADVANCE_PAID, MAPPING.accounts.advance.code, D("2000.00"), D("0.00")),
        (LineKind.BANK, "1002", D("0.00"), D("2000.00")),
    ]
    offset = build_lines("BX1", "张三", items(), MAPPING, offsets=[Offset(D("1500.00"), "JK-7")])
    receivable = [x for x in (*lines, *offset) if x.account_code == MAPPING.accounts.advance.code]
    assert sum((x.debit - x.credit for x in receivable), D(0)) == D("500.00")  # still owed
    with pytest.raises(VoucherError):
        advance_payout_lines("JK-7", "张三", D("0.00"), MAPPING)


def test_a_mapping_saved_before_the_bank_account_existed_pays_advances_from_1002() -> None:
    assert load_mapping_text(MAPPING_WITH_RULES).accounts.bank.code == "1002"


@pytest.mark.parametrize("amount", ["2878.35", "0", "-1"])
def test_offsets_beyond_the_claim_or_not_positive_are_refused(amount: str) -> None:
    with pytest.raises(VoucherError):
        build_lines("BX1", "张三", items(), MAPPING, offsets=[Offset(D(amount), "JK-7")])


def test_no_vat_no_vat_line() -> None:
    lines = build_lines("BX1", "张三", [VoucherItem(0, "meals", D("300.00"), vat("0.00"))], MAPPING)
    assert [line.kind for line in lines] == [LineKind.EXPENSE, LineKind.PAYABLE]


MAPPING_WITH_RULES = """
version: 1
accounts:
  payable: {code: "2241.01", name: 其他应付款}
  input_vat: {code: 22210101, name: 进项税额}
  advance: {code: "1221.01", name: 备用金}
expense:
  default: {code: "6602.99", name: 其他}
  categories:
    travel: {code: "6602.01", name: 差旅费}
rules:
  - match: {department: 3}
    account: {code: "6601.99", name: 销售费用-其他}
  - match: {category: travel, department: 3}
    account: {code: "6601.01", name: 销售费用-差旅费}
  - match: {category: travel, department: 3, cost_centre: CC-1}
    account: {code: "6601.0101", name: 销售费用-差旅费-华东}
"""


@pytest.mark.parametrize(
    ("category", "department", "cost_centre", "code"),
    [
        ("travel", 3, "CC-1", "6601.0101"),  # the most specific rule
        ("travel", 3, None, "6601.01"),
        ("meals", 3, None, "6601.99"),
        ("travel", 4, None, "6602.01"),  # the category's account
        ("meals", 4, None, "6602.99"),  # the default
    ],
)
def test_the_most_specific_rule_wins(
    category: str, department: int, cost_centre: str | None, code: str
) -> None:
    mapping = load_mapping_text(MAPPING_WITH_RULES)
    assert mapping.expense_account(category, department, cost_centre, None).code == code
    assert mapping.accounts.input_vat.code == "22210101"  # a YAML number read as the code


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("version: 2\n", ("version", "gl_version")),
        ("[1, 2]", ("(document)", "not_mapping")),
        (
            "version: 1\naccounts: {}\nexpense: {default: {code: '1', name: x}}\n",
            ("accounts.payable", "missing"),
        ),
        (
            MAPPING_WITH_RULES.replace("travel: {code", "travle: {code"),
            ("expense.categories", "gl_unknown_categories"),
        ),
        (
            MAPPING_WITH_RULES.replace("match: {department: 3}", "match: {}"),
            ("rules[0].match", "gl_rule_empty"),
        ),
        (
            MAPPING_WITH_RULES.replace("match: {department: 3}", "match: {category: food}"),
            ("rules[0].match.category", "gl_category"),
        ),
        (MAPPING_WITH_RULES.replace('"6602.99"', '"66 02"'), ("expense.default.code", "gl_account_code")),
        (MAPPING_WITH_RULES + "colour: red\n", ("colour", "extra_forbidden")),
        ("version: [", ("(document)", "not_yaml")),
    ],
)
def test_a_bad_mapping_names_the_path_and_the_code(text: str, problem: tuple[str, str]) -> None:
    with pytest.raises(MappingError) as err:
        load_mapping_text(text)
    found = [(p.path, p.code) for p in err.value.problems]
    assert problem in found, found
    assert all(p.message.startswith(f"{p.path}: ") for p in err.value.problems)


def test_a_bad_category_carries_what_the_wording_needs() -> None:
    text = MAPPING_WITH_RULES.replace("match: {department: 3}", "match: {category: food}")
    with pytest.raises(MappingError) as err:
        load_mapping_text(text)
    (problem,) = err.value.problems
    assert problem.params["value"] == "food" and "travel" in problem.params["known"]


def voucher(seq: int = 1) -> Voucher:
    lines = build_lines("BX202612000001", "张三", items(), MAPPING, offsets=[Offset(D("100.00"), "JK-1")])
    return Voucher(
        f"记-2026-12-{seq:04d}", "记", seq, "2026-12", date(2026, 12, 1), "BX202612000001", "CNY", lines
    )


def _balanced(rows: list[tuple[object, object, object]]) -> None:
    """Per voucher, debits equal credits (rows: voucher key, debit, credit)."""
    sums: dict[object, list[Decimal]] = {}
    for key, debit, credit in rows:
        acc = sums.setdefault(key, [D(0), D(0)])
        acc[0] += D(str(debit))
        acc[1] += D(str(credit))
    assert sums and all(d == c and d > 0 for d, c in sums.values())


def test_every_format_balances_and_is_byte_identical_when_made_again() -> None:
    vouchers = [voucher(1), voucher(2)]
    for make in (
        export.to_csv,
        export.to_json,
        lambda v: export.kingdee_xlsx(v, MAPPING.exports),
        lambda v: export.u8_xlsx(v, MAPPING.exports),
    ):
        assert make(vouchers) == make([voucher(1), voucher(2)])

    rows = list(csv.DictReader(io.StringIO(export.to_csv(vouchers).decode("utf-8-sig"))))
    _balanced([(r["voucher_number"], r["debit"], r["credit"]) for r in rows])
    data = json.loads(export.to_json(vouchers))
    _balanced([(v["number"], line["debit"], line["credit"]) for v in data["vouchers"] for line in v["lines"]])

    ws = load_workbook(io.BytesIO(export.kingdee_xlsx(vouchers, MAPPING.exports))).active
    table = list(ws.iter_rows(values_only=True))
    assert table[0][:5] == (
        "FBillHead(GL_VOUCHER)",
        "FAccountBookID",
        "FDate",
        "FVOUCHERGROUPID",
        "FVOUCHERGROUPNO",
    )
    assert "借方金额" in table[1] and "贷方金额" in table[1]
    key = None
    kd = []
    for row in table[2:]:
        key = row[0] or key
        kd.append((key, row[14], row[15]))
        assert isinstance(row[14], int | float) and isinstance(row[15], int | float)  # numbers, not text
    _balanced(kd)
    assert len({k for k, _, _ in kd}) == 2

    ws = load_workbook(io.BytesIO(export.u8_xlsx(vouchers, MAPPING.exports))).active
    table = list(ws.iter_rows(values_only=True))
    assert table[0][:8] == (
        "制单日期",
        "凭证类别字",
        "凭证号",
        "附单据数",
        "摘要",
        "科目编码",
        "借方金额",
        "贷方金额",
    )
    for row in table[1:]:
        assert isinstance(row[6], int | float) and isinstance(row[7], int | float)
    _balanced([(row[2], row[6], row[7]) for row in table[1:]])


def test_text_that_looks_like_a_formula_is_written_as_text() -> None:
    hostile = load_mapping_text(
        default_mapping_text().replace("name: 管理费用-办公费", 'name: "=HYPERLINK(\\"http://x\\",\\"y\\")"')
    )
    lines = build_lines("BX1", "张三", items(), hostile)
    v = Voucher("记-2026-12-0001", "记", 1, "2026-12", date(2026, 12, 1), "BX1", "CNY", lines)
    for data in (export.kingdee_xlsx([v], hostile.exports), export.u8_xlsx([v], hostile.exports)):
        ws = load_workbook(io.BytesIO(data)).active
        cells = [
            c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and "HYPERLINK" in c.value
        ]
        assert all(c.data_type == "s" and c.value.startswith("'=") for c in cells)
    rows = list(csv.DictReader(io.StringIO(export.to_csv([v]).decode("utf-8-sig"))))
    assert any(r["account_name"].startswith("'=HYPERLINK") for r in rows)


def test_an_item_split_across_projects_posts_one_expense_line_per_project() -> None:
    special = VoucherItem(3, "office", D("1060.00"), vat("60.00"), department=3)
    parts = split_item(special, [("project", "P-1", D("636.00")), ("project", "P-2", D("424.00"))])
    assert [(p.project, p.amount, p.vat.deductible) for p in parts] == [
        ("P-1", D("636.00"), D("36.00")),
        ("P-2", D("424.00"), D("24.00")),
    ]
    lines = build_lines("BX1", "张三", parts, MAPPING)
    expense = [(x.project, x.debit) for x in lines if x.kind is LineKind.EXPENSE]
    assert expense == [("P-1", D("600.00")), ("P-2", D("400.00"))]
    assert sum(x.debit for x in lines) == sum(x.credit for x in lines) == D("1060.00")


def test_split_parts_add_up_to_the_cent_on_both_dimensions() -> None:
    item = VoucherItem(0, "travel", D("100.00"), vat("9.99"), cost_centre="CC-0")
    shares = [("cost_centre", "CC-1", D("33.33")), ("cost_centre", "CC-2", D("66.67")),
              ("project", "P-1", D("50.00")), ("project", "P-2", D("50.00"))]  # fmt: skip
    parts = split_item(item, shares)
    assert [(p.cost_centre, p.project) for p in parts] == [
        ("CC-1", "P-1"), ("CC-1", "P-2"), ("CC-2", "P-1"), ("CC-2", "P-2")
    ]  # fmt: skip
    assert sum(p.amount for p in parts) == D("100.00")
    assert sum(p.vat.deductible for p in parts) == D("9.99")
    assert split_item(item, []) == [item]
