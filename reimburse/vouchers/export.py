"""Vouchers as files: plain CSV and JSON, and the voucher import spreadsheets of Kingdee K/3
Cloud (金蝶云星空, 总账 凭证 GL_VOUCHER 引入模板) and Yonyou U8 (用友 U8 总账 凭证导入).

Every format is a function of the stored vouchers only: the same vouchers give the same bytes
(the XLSX files carry fixed document times, so a re-export is byte-identical). Amounts in the
spreadsheets are numbers with two decimals, never text.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from reimburse.vouchers.domain import Voucher
from reimburse.vouchers.mapping import Exports

CSV_COLUMNS = (
    "voucher_number", "voucher_word", "voucher_seq", "period", "date", "claim_number", "line", "kind",
    "summary", "account_code", "account_name", "debit", "credit", "currency", "department",
    "cost_centre", "project",
)  # fmt: skip

# K/3 Cloud's import template: the first row holds the field keys the importer reads, the second
# the captions people read (the layout of the 凭证 GL_VOUCHER template exported by 引出引入模板)
KINGDEE_KEYS = (
    "FBillHead(GL_VOUCHER)", "FAccountBookID", "FDate", "FVOUCHERGROUPID", "FVOUCHERGROUPNO",
    "FATTACHMENTS", "*Split*1", "FEntity", "FEXPLANATION", "FACCOUNTID", "FACCOUNTID#Name",
    "FCURRENCYID", "FEXCHANGERATE", "FAMOUNTFOR", "FDEBIT", "FCREDIT",
)  # fmt: skip
KINGDEE_CAPTIONS = (
    "单据头(序号)", "账簿(编码)", "日期", "凭证字(编码)", "凭证号", "附件数", "", "分录(序号)", "摘要",
    "科目编码(编码)", "科目编码(名称)", "币别(编码)", "汇率", "原币金额", "借方金额", "贷方金额",
)  # fmt: skip
# U8 总账 凭证导入: one row per entry, a voucher is the rows sharing 制单日期 + 凭证类别字 + 凭证号
U8_COLUMNS = (
    "制单日期", "凭证类别字", "凭证号", "附单据数", "摘要", "科目编码", "借方金额", "贷方金额",
    "币种", "汇率", "原币借方", "原币贷方", "部门编码", "项目编码", "制单人",
)  # fmt: skip

FIXED_TIME = (2000, 1, 1, 0, 0, 0)


def _rows(vouchers: Sequence[Voucher]) -> list[dict[str, Any]]:
    rows = []
    for v in vouchers:
        for n, line in enumerate(v.lines, start=1):
            rows.append(
                {
                    "voucher_number": v.number,
                    "voucher_word": v.word,
                    "voucher_seq": v.seq,
                    "period": v.period,
                    "date": v.day.isoformat(),
                    "claim_number": v.claim_number,
                    "line": n,
                    "kind": line.kind.value,
                    "summary": line.summary,
                    "account_code": line.account_code,
                    "account_name": line.account_name,
                    "debit": f"{line.debit:.2f}",
                    "credit": f"{line.credit:.2f}",
                    "currency": v.currency,
                    "department": "" if line.department is None else str(line.department),
                    "cost_centre": line.cost_centre or "",
                    "project": line.project or "",
                }
            )
    return rows


def to_csv(vouchers: Sequence[Voucher]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in _rows(vouchers):
        # a cell starting with = + - @ would be a formula in a spreadsheet: quote it as text
        writer.writerow({k: (_cell(v) if k in ("summary", "account_name") else v) for k, v in row.items()})
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # the BOM makes Excel read UTF-8


def to_json(vouchers: Sequence[Voucher]) -> bytes:
    data = {
        "vouchers": [
            {
                "number": v.number,
                "word": v.word,
                "seq": v.seq,
                "period": v.period,
                "date": v.day.isoformat(),
                "claim_number": v.claim_number,
                "currency": v.currency,
                "debits": f"{v.debits:.2f}",
                "credits": f"{v.credits:.2f}",
                "lines": [line.to_json() for line in v.lines],
            }
            for v in vouchers
        ]
    }
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")


def _cell(text: str) -> str:
    """Text a spreadsheet must not run as a formula (an account name typed as ``=HYPERLINK(...)``)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def _number(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"))


def kingdee_xlsx(vouchers: Sequence[Voucher], exports: Exports) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "凭证#单据头(FBillHead)"
    ws.append(list(KINGDEE_KEYS))
    ws.append(list(KINGDEE_CAPTIONS))
    for index, v in enumerate(vouchers, start=1):
        for n, line in enumerate(v.lines, start=1):
            head = n == 1  # the head's cells only on a voucher's first entry, as the template wants
            ws.append(
                [
                    str(index) if head else None,
                    exports.kingdee_account_book if head else None,
                    v.day.isoformat() if head else None,
                    exports.kingdee_voucher_group if head else None,
                    v.seq if head else None,
                    0 if head else None,
                    None,
                    n,
                    _cell(line.summary),
                    line.account_code,
                    _cell(line.account_name),
                    exports.kingdee_currency,
                    1,
                    _number(line.debit or line.credit),
                    _number(line.debit),
                    _number(line.credit),
                ]
            )
    _money_format(ws, ("N", "O", "P"), first_row=3)
    return _stable(wb)


def u8_xlsx(vouchers: Sequence[Voucher], exports: Exports) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "凭证"
    ws.append(list(U8_COLUMNS))
    for v in vouchers:
        for line in v.lines:
            ws.append(
                [
                    v.day.isoformat(),
                    exports.u8_voucher_type,
                    v.seq,
                    0,
                    _cell(line.summary),
                    line.account_code,
                    _number(line.debit),
                    _number(line.credit),
                    "人民币" if v.currency == "CNY" else v.currency,
                    1,
                    _number(line.debit),
                    _number(line.credit),
                    "" if line.department is None else str(line.department),
                    line.project or "",
                    exports.preparer,
                ]
            )
    _money_format(ws, ("G", "H", "K", "L"), first_row=2)
    return _stable(wb)


def _money_format(ws: Any, columns: Sequence[str], first_row: int) -> None:
    for col in columns:
        for cell in ws[col][first_row - 1 :]:
            cell.number_format = "0.00"


_MODIFIED = re.compile(rb"<dcterms:(created|modified)([^>]*)>[^<]*</dcterms:\1>")


def _stable(wb: Any) -> bytes:
    """The workbook's bytes with fixed document times and zip entry times: the same vouchers
    always give the same file."""
    raw = io.BytesIO()
    wb.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = _MODIFIED.sub(rb"<dcterms:\1\2>2000-01-01T00:00:00Z</dcterms:\1>", data)
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(entry, data)
    return out.getvalue()
