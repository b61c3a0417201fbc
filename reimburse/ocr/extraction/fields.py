"""Finders for the header fields: code, number, date, check code, amounts, parties.

Each finder returns candidates (value + the lines read) from a ``Layout``; ``extract``
picks among them and the cross-checks decide whether a person must look. Labels are
matched on normalised text, so "发票号码：", "发 票 号 码:" and "发票号码" are the same.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import cmp_to_key

from reimburse.ocr.domain import STAMP_WORDS, THROUGH_STAMP
from reimburse.ocr.extraction.layout import Hit, Layout, Line, after_label, vertically_overlap
from reimburse.ocr.fapiao.capitals import parse_capitals
from reimburse.ocr.fapiao.formats import parse_date
from reimburse.ocr.fapiao.money import fmt_money, parse_money

CODE_LABEL = re.compile(r"发票代码|发票代吗|发栗代码|票据代码")
NUMBER_LABEL = re.compile(r"发票号码|发票号吗|发栗号码|票据号码")
DATE_LABEL = re.compile(r"开票日期|开具日期|日期")
CHECK_LABEL = re.compile(r"校验码|校验吗|校验")
SMALL_TOTAL_LABEL = re.compile(r"小写|价税合计|合计金额|票价|金额合计")
CAPITALS_LABEL = re.compile(r"大写")
SUM_ROW_LABEL = re.compile(r"^合计$|^合$|^合计[¥\d-]|^合\s*计")
# "名 称：" is printed widely spaced; OCR returns it whole, as "名" + "称：", or drops one half
NAME_LABEL = re.compile(r"(?:购买方|销售方|购方|销方)?名称[:：]?|^称[:：]|^名$")
TAX_ID_LABEL = re.compile(r"纳税人识别号|统一社会信用代码(?:/纳税人识别号)?|识别号|税号")
BUYER_NAME_LABEL = re.compile(r"(?:购买方|购方|买方)名称[:：]?")
SELLER_NAME_LABEL = re.compile(r"(?:销售方|销方|卖方)名称[:：]?")

_DIGITS = re.compile(r"\d+")
# not inside a longer run of digits and dots: "1.40.00" is a misread, not 1.40
_MONEY = re.compile(r"(?<![\d.])(?:-?¥?-?\d{1,3}(?:,\d{3})+\.\d{2}|-?¥?-?\d+\.\d{2})(?![\d.])")
# after the yuan sign only figures follow: B/O/l there are misread 8/0/1
_AFTER_YUAN = re.compile(r"(?<=¥)[BOl]+")
_CAPITAL_CHARS = re.compile(r"[零壹贰叁肆伍陆柒捌玖拾佰仟万亿圆元园角分整正]{2,}")
_YUAN_DIGITS = str.maketrans({"B": "8", "O": "0", "l": "1"})
_TAX_ID = re.compile(r"[0-9A-Z]{15,20}")
# Characters OCR confuses inside a tax ID; USCCs never contain I, O, S, V or Z.
_TAX_ID_FIXES = str.maketrans({"O": "0", "I": "1", "Z": "2", "S": "5", "o": "0", "l": "1"})
_NOT_A_NAME = re.compile(
    r"纳税人|识别号|地址|电话|开户行|账号|密码|规格|型号|单位|数量|单价|金额|税率|税额|校验码|机器编号|"
    r"开票日期|发票代码|发票号码|价税合计|大写|小写|^[\d\W]+$"
)
# how far apart the halves of a widely spaced "名    称：" are printed, in label heights
_NAME_LABEL_GAP = 6.0
# the item table's first column header also ends in 名称; it labels no party
_TABLE_HEADER = re.compile(r"货物|劳务|服务名称|项目名称")


@dataclass(frozen=True, slots=True)
class Candidate:
    value: str
    score: float
    lines: tuple[Line, ...] = ()


def _cand(hit: Hit) -> Candidate:
    return Candidate(hit.value, hit.score, hit.lines)


def _digits_of(lengths: tuple[int, ...]) -> re.Pattern[str]:
    alts = "|".join(rf"\d{{{n}}}" for n in sorted(lengths, reverse=True))
    return re.compile(rf"(?<!\d)(?:{alts})(?!\d)")


# Fapiao codes have 10 or 12 digits and numbers 8 or 20; government receipts (票据) use 8
# and 10. Other lengths are still read (and then flagged by the format check) rather than
# dropped, so that a misread digit shows up as a finding instead of a silent gap.
_CODE_VALUE = _digits_of((12, 11, 10, 9, 8))
_NUMBER_VALUE = _digits_of((20, 10, 9, 8))
_CHECK_VALUE = _digits_of((20,))
_QUOTA_CODE = re.compile(r"(?<![0-9A-Z])[0-9A-Z]{12}(?![0-9A-Z])")


def find_code(layout: Layout) -> list[Candidate]:
    hits = [_cand(h) for h in after_label(layout, CODE_LABEL, _code)]
    if hits:
        return hits
    # Paper VAT invoices print the code big, unlabelled, at the top left.
    top = [ln for ln in layout.lines if ln.cy < layout.height * 0.3]
    return [Candidate(v, ln.score * 0.9, (ln,)) for ln in top if (v := _whole(ln.text, (10, 12)))]


def find_number(layout: Layout) -> list[Candidate]:
    hits = [_cand(h) for h in after_label(layout, NUMBER_LABEL, _number)]
    if hits:
        return hits
    out: list[Candidate] = []
    for ln in layout.lines:
        if ln.cy > layout.height * 0.3:
            continue
        m = re.fullmatch(r"(?:No|N0|NO|№)\.?:?(\d{8})(\d*)", ln.text)
        if m:
            out.append(Candidate(m.group(1), ln.score * 0.9, (ln,)))
        elif (v := _whole(ln.text, (8,))) and ln.cx > layout.width * 0.5:
            out.append(Candidate(v, ln.score * 0.85, (ln,)))
    return out


def find_date(layout: Layout) -> list[Candidate]:
    hits = [_cand(h) for h in after_label(layout, DATE_LABEL, _date)]
    if hits:
        return hits
    return [Candidate(v, ln.score * 0.9, (ln,)) for ln in layout.lines if (v := _date(ln.text))]


def find_check_code(layout: Layout) -> list[Candidate]:
    return [_cand(h) for h in after_label(layout, CHECK_LABEL, _check, max_dx_ratio=0.6)]


def find_total(layout: Layout) -> list[Candidate]:
    """The total including tax: "(小写)¥…", or the money on the 价税合计 row.

    A value printed with its own "小写" label wins over the rightmost money of the 价税合计
    row: on a tilted or curved page that row also overlaps the sum row above it, whose tax
    is further right than the total.
    """
    found = _totals(layout)
    labelled = [c for c in found if "小写" in c.lines[0].text]
    return labelled or found


def _totals(layout: Layout) -> list[Candidate]:
    out: list[Candidate] = []
    for line in layout.find(SMALL_TOTAL_LABEL):
        m = SMALL_TOTAL_LABEL.search(line.text)
        assert m is not None
        rest = line.text[m.end() :]
        value = _money(rest)
        if value is not None:
            out.append(Candidate(value, line.score, (line,)))
            continue
        # the amount is the rightmost money on the row ("价税合计(大写) … (小写)¥72.00")
        row = [ln for ln in layout.same_row(line) if _money(ln.text)]
        if row:
            best = max(row, key=lambda ln: ln.right)
            value = _money(best.text)
            assert value is not None
            out.append(Candidate(value, min(line.score, best.score), (line, best)))
    return out


def find_capitals(layout: Layout) -> list[Candidate]:
    """The total in Chinese capitals, as a money string."""
    out: list[Candidate] = []
    for ln in layout.lines:
        m = _CAPITAL_CHARS.search(ln.text)
        if not m or not re.search(r"[圆元园角分]", m.group(0)):
            continue
        amount = parse_capitals(m.group(0).replace("园", "圆"))
        if amount is not None:
            out.append(Candidate(fmt_money(amount), ln.score, (ln,)))
    return out


@dataclass(frozen=True, slots=True)
class SumRow:
    amount: Candidate | None
    tax: Candidate | None


def find_sum_row(layout: Layout, amount_x: float | None, tax_x: float | None) -> SumRow:
    """The "合计" row: amount excluding tax and the tax, placed by the header columns.

    When OCR lost the "合计" label (a faint or stamped 合), the row is the money with a
    yuan sign just above the "价税合计" row.
    """
    labels = layout.find(SUM_ROW_LABEL)
    if not any("价税" not in ln.text and "大写" not in ln.text for ln in labels):
        labels += _sum_row_above_grand_total(layout)
    for label in labels:
        if "价税" in label.text or "大写" in label.text:
            continue
        monies: list[tuple[Line, str]] = []
        own = _money(label.text[2:]) if label.text.startswith("合计") else None
        if own is not None:
            monies.append((label, own))
        for ln in layout.same_row(label):
            monies.extend((ln, m) for m in _all_money(ln.text))
        if not monies:
            # dot-matrix figures printed half a row off their pre-printed row: the yuan-sign
            # money within about a row of the label, to its right
            monies = [
                (ln, m)
                for ln in layout.lines
                if "¥" in ln.text and ln.left > label.right and abs(ln.cy - label.cy) <= label.height * 1.2
                for m in _all_money(ln.text)
            ]
        if not monies:
            continue
        monies.sort(key=lambda lm: lm[0].left)
        if amount_x is not None and tax_x is not None and len(monies) >= 1:
            amount = min(monies, key=lambda lm: abs(lm[0].cx - amount_x))
            tax = min(monies, key=lambda lm: abs(lm[0].cx - tax_x))
            if amount is tax:
                # one money only: it is whichever column it sits under
                nearer_amount = abs(amount[0].cx - amount_x) <= abs(amount[0].cx - tax_x)
                return SumRow(_lm(amount) if nearer_amount else None, None if nearer_amount else _lm(tax))
            return SumRow(_lm(amount), _lm(tax))
        if len(monies) >= 2:
            return SumRow(_lm(monies[0]), _lm(monies[-1]))
        return SumRow(_lm(monies[0]), None)
    return SumRow(None, None)


def _sum_row_above_grand_total(layout: Layout) -> list[Line]:
    """The leftmost ¥-money run of the row just above "价税合计" (stands in for the label)."""
    for grand in layout.find(re.compile(r"价税合计")):
        above = [
            ln
            for ln in layout.lines
            if "¥" in ln.text
            and _money(ln.text)
            and 0 < grand.cy - ln.cy <= grand.height * 2.5
            and not vertically_overlap(ln, grand)
        ]
        if above:
            first = min(above, key=lambda ln: ln.left)
            return [replace(first, text="合计" + first.text)]
    return []


def _lm(lm: tuple[Line, str]) -> Candidate:
    return Candidate(lm[1], lm[0].score, (lm[0],))


@dataclass(frozen=True, slots=True)
class Party:
    name: Candidate | None
    tax_id: Candidate | None


def find_parties(layout: Layout) -> tuple[Party, Party]:
    """(buyer, seller): names and tax IDs, assigned to a side by the nearest 购/销 marker."""
    names = party_name_hits(layout)
    ids = _distinct(
        [h for h in after_label(layout, TAX_ID_LABEL, _tax_id, loose_row=True) if not _in_remarks(h)]
    )
    buyer_markers, seller_markers = party_markers(layout)
    buyer_name = seller_name = buyer_id = seller_id = None
    for hit in names:
        label = hit.lines[0]
        if BUYER_NAME_LABEL.search(label.text):
            buyer_name = buyer_name or _cand(hit)
        elif SELLER_NAME_LABEL.search(label.text):
            seller_name = seller_name or _cand(hit)
    rest_names = [h for h in names if not (BUYER_NAME_LABEL.search(h.lines[0].text))]
    rest_names = [h for h in rest_names if not SELLER_NAME_LABEL.search(h.lines[0].text)]
    sides_n = _assign(rest_names, buyer_markers, seller_markers)
    sides_i = _assign(ids, buyer_markers, seller_markers)
    buyer_name = _through_stamp(buyer_name or sides_n[0])
    seller_name = _through_stamp(seller_name or sides_n[1])
    buyer_id, seller_id = sides_i
    return Party(buyer_name, buyer_id), Party(seller_name, seller_id)


def _through_stamp(name: Candidate | None) -> Candidate | None:
    """A name whose line also held a stamp's words goes to a person, with the words removed."""
    if name is None or not any(_stamp_read_on(ln.text) for ln in name.lines):
        return name
    return Candidate(name.value, min(name.score, THROUGH_STAMP), name.lines)


def _stamp_read_on(text: str) -> bool:
    return bool(STAMP_WORDS.search(text) or _STAMP_TAIL.search(text))


def party_name_hits(layout: Layout, *, one_per_value: bool = True) -> list[Hit]:
    """The party names found next to a 名称 label (the item table's 名称 column and the
    remarks' 代开企业名称 left out); by default one per value run, since "名" and "称："
    both point at the same value."""
    hits = [
        h
        for h in after_label(layout, NAME_LABEL, parse_name, look_below=False, loose_row=True)
        if not _in_remarks(h) and not is_table_header(h.lines[0]) and not half_label(layout, h.lines[0])
    ]
    return _distinct(hits) if one_per_value else hits


def half_label(layout: Layout, label: Line) -> bool:
    """A lone "名" whose "称：" was found on its own, next along the row (the label is printed
    widely spaced): that one leads, and what lies past it is its value, not the "名"'s."""
    if label.text != "名":
        return False
    nearest = layout.same_row(label, max_dx=label.height * _NAME_LABEL_GAP)
    return bool(nearest) and bool(NAME_LABEL.search(nearest[0].text))


def party_name_lines(layout: Layout) -> list[Line]:
    """The lines the party names are read from (for a second, closer read of them)."""
    return [h.lines[-1] for h in party_name_hits(layout)]


def is_table_header(line: Line) -> bool:
    return bool(_TABLE_HEADER.search(line.text))


def _distinct(hits: list[Hit]) -> list[Hit]:
    """One hit per value run (the last line a hit was read from)."""
    seen: set[int] = set()
    out = []
    for h in hits:
        key = id(h.lines[-1])
        if key not in seen:
            seen.add(key)
            out.append(h)
    return out


def _in_remarks(hit: Hit) -> bool:
    return in_remarks(hit.lines[0])


def in_remarks(line: Line) -> bool:
    """The remarks' 代开企业名称 (an agent-issued invoice's real seller), no party label."""
    return "代开企业" in line.text


def find_stamp_tax_id(layout: Layout) -> Candidate | None:
    """A bare tax ID (in the seller's stamp), for forms without labelled parties (quota)."""
    for ln in layout.lines:
        if stamp_tax_ids(ln.text) == [ln.text]:
            return Candidate(ln.text, ln.score, (ln,))
    return None


# a taxpayer ID's length (15, 17, 18 or 20 characters), not part of a longer run
_ID_TOKEN = re.compile(r"(?<![0-9A-Z])(?:[0-9A-Z]{20}|[0-9A-Z]{17,18}|[0-9A-Z]{15})(?![0-9A-Z])")


def stamp_tax_ids(text: str) -> list[str]:
    """The taxpayer IDs in ``text`` as a stamp prints one across its middle: an ID's length,
    mostly digits, red ink over it making a misread likely (so no check character is asked).
    A credit code counts anywhere on the line; the older lengths only alone on it (a 20-digit
    run beside a label is a check code)."""
    found = [m.group() for m in _ID_TOKEN.finditer(text) if sum(c.isdigit() for c in m.group()) >= 10]
    return [token for token in found if len(token) == 18 or token == text]


def party_markers(layout: Layout) -> tuple[list[Line], list[Line]]:
    """The lines that mark the buyer's block and the seller's (购买方 / 销售方, often printed
    down the margin one character a line)."""
    buyer = [ln for ln in layout.lines if re.search(r"购买方|购方|^购$|^买$|^购买$", ln.text)]
    # "销售方：(章)" labels the seal, bottom right, far from the seller block
    seller = [
        ln
        for ln in layout.lines
        if re.search(r"销售方|销方|^销$|^售$|^销售$", ln.text) and "章" not in ln.text
    ]
    return buyer, seller


def _assign(
    hits: list[Hit], buyer: list[Line], seller: list[Line]
) -> tuple[Candidate | None, Candidate | None]:
    if not hits:
        return None, None
    if buyer or seller:
        # each candidate goes to the side whose marker is nearer; with one side's marker
        # missing (OCR drops them often), the candidate nearest the one found takes that side
        b: Candidate | None = None
        s: Candidate | None = None
        far = 1e9
        for hit in sorted(hits, key=lambda h: min([_dist(h.lines[0], m) for m in [*buyer, *seller]])):
            anchor = hit.lines[0]
            db = min((_dist(anchor, m) for m in buyer), default=far)
            ds = min((_dist(anchor, m) for m in seller), default=far)
            # When a side is taken, a further value goes to the other side only if it lies on
            # that side's part of the form (the buyer block comes first in reading order):
            # a value above the buyer's was put into the seller's field before.
            if db < ds:
                if b is None:
                    b = _cand(hit)
                elif s is None and _before(b.lines[0], anchor):
                    s = _cand(hit)
            elif ds < db:
                if s is None:
                    s = _cand(hit)
                elif b is None and _before(anchor, s.lines[0]):
                    b = _cand(hit)
            elif b is None:
                b = _cand(hit)
            elif s is None:
                s = _cand(hit)
        return b, s
    # No markers: the buyer block comes first (above, or left of on the same row).
    ordered = sorted(hits, key=cmp_to_key(_reading_order))
    first = _cand(ordered[0])
    second = _cand(ordered[1]) if len(ordered) > 1 else None
    return first, second


def _before(a: Line, b: Line) -> bool:
    """``a`` comes before ``b`` in reading order (above it, or left of it on the same row)."""
    if vertically_overlap(a, b):
        return a.left < b.left
    return a.top < b.top


def _reading_order(a: Hit, b: Hit) -> int:
    la, lb = a.lines[0], b.lines[0]
    if vertically_overlap(la, lb):
        return -1 if la.left < lb.left else 1
    return -1 if la.top < lb.top else 1


def _dist(a: Line, marker: Line) -> float:
    # From the marker to the label's left edge: block markers sit left of their block.
    dx = a.left - marker.cx
    dy = a.cy - marker.cy
    return float((dx * dx + dy * dy * 4) ** 0.5) + (0 if dx >= -marker.height else 1e4)


def _whole(text: str, lengths: tuple[int, ...]) -> str | None:
    digits = text.replace("O", "0")
    return digits if digits.isdigit() and len(digits) in lengths else None


def _code(text: str) -> str | None:
    # Older local-tax quota invoices carry a letter in their 12-character code.
    m = _QUOTA_CODE.search(text.upper())
    if m and sum(c.isdigit() for c in m.group(0)) >= 10:
        return m.group(0)
    m = _CODE_VALUE.search(text.replace("O", "0"))
    return m.group(0) if m else None


def _number(text: str) -> str | None:
    text = re.sub(r"^(?:No|N0|NO|№)\.?:?", "", text)
    m = _NUMBER_VALUE.search(text.replace("O", "0"))
    return m.group(0) if m else None


def _check(text: str) -> str | None:
    # printed in groups of five; OCR sometimes joins the groups with dashes
    m = _CHECK_VALUE.search(re.sub(r"(?<=\d)-(?=\d)", "", text.replace("O", "0")))
    return m.group(0) if m else None


def _date(text: str) -> str | None:
    d = parse_date(text)
    return d.isoformat() if d else None


def money_value(text: str) -> Decimal | None:
    """The money amount in a line of text, if it holds one (the taxi reader's paid amount)."""
    value = _money(text)
    return Decimal(value) if value is not None else None


def _money(text: str) -> str | None:
    found = _all_money(text)
    return found[-1] if found else None


def _all_money(text: str) -> list[str]:
    out = []
    text = _AFTER_YUAN.sub(lambda m: m.group(0).translate(_YUAN_DIGITS), text)
    for m in _MONEY.finditer(text):
        value = parse_money(m.group(0))
        if value is not None:
            out.append(fmt_money(value))
    return out


# the password/cipher block (密码区) is digits and + - * / < >: no name has several of those
_CIPHER_CHARS = re.compile(r"[<>*/+≤≥]")


# The words inside a company's stamp, read on at the end of the name line the stamp was pressed
# over (…有限公司财务专用章), or read instead of it, often in part (…公务专用章, …公司用章):
# the character before 务 may be the stamp's 财 misread or the name's last one under it.
_STAMP_TAIL = re.compile(r"(?:.?务|发票|合同)?专?用章$")
# "…有限公" + the stamp's words: the stamp's ink took the 司 of 公司 (or the 公 went with
# the words stripped, "…有限公务专用章"); no registered name ends in 有限 or 有限公
_CUT_COMPANY = re.compile(r"(?:有限|有限责任|股份有限)(公?)$")


def parse_name(text: str) -> str | None:
    text = text.strip(":：;；,，.。 ")
    if _STAMP_TAIL.search(text):
        text = _STAMP_TAIL.sub("", text)
        cut = _CUT_COMPANY.search(text)
        if cut:
            text += "司" if cut.group(1) else "公司"
    # a stroke of the frame or the seal just right of "…公司" reads as "1", "|" or "l"
    text = re.sub(r"(?<=公司)[\dIl|!.,:;·]{1,2}$", "", text)
    if len(text) < 2 or _NOT_A_NAME.search(text) or NAME_LABEL.search(text):
        return None
    # A name is words, not codes: a run that is mostly digits is a tax ID, an account or a
    # contract number from the next row (a name line the detector missed), and the cipher
    # block's symbols are no name either. Such a value is a wrong name nobody expects.
    if sum(c.isdigit() for c in text) > 0.4 * len(text) or len(_CIPHER_CHARS.findall(text)) >= 2:
        return None
    # nor is an amount in capitals (陆仟捌佰陆拾圆贰角柒分, the row below the seller's label)
    capitals = _CAPITAL_CHARS.search(text)
    if capitals and len(capitals.group(0)) >= 4 and re.search(r"[圆元园角分整]", capitals.group(0)):
        return None
    return text


def _tax_id(text: str) -> str | None:
    upper = text.upper()
    m = _TAX_ID.search(upper)
    if m:
        return m.group(0)
    fixed = upper.translate(_TAX_ID_FIXES)
    m = _TAX_ID.search(fixed)
    return m.group(0) if m else None
