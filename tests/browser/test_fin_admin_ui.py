"""The finance settings and finance lists in the browser, in Chinese and in English, on a phone:
the rate table (a rate typed in; a CSV with one bad line refused whole, the line named; a good
file imported), the GL mapping (saved as a new version; a broken one lists its problems), cost
centres and projects (added, renamed, deactivated, deleted; a used one is kept deactivated),
claim types mapped to a flow, the paid list filtered to payments missing their reference (and
the reference added), and the reconciliation and report exports downloaded and read."""

from __future__ import annotations

import csv
import datetime
import io
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.allowance_items import per_diem
from tests.browser.helpers import AUDIT, api_token, paid_claim, phone

pytestmark = pytest.mark.browser

LANGS = ["zh", "en"]
WORDS = {
    "zh": {
        "line3": "第 3 行",
        "xyz": "“XYZ”不是 ISO 4217 币种代码",
        "no_value": "缺少此项",
        "bad_code": "科目代码只能由字母、数字、“.”“-”“_”组成，最多 40 位",
        "rates_refused": "汇率表有问题，未保存",
        "manual": "手工录入",
        "inactive": "已停用",
        "kept": "已有报销单使用，已改为停用",
        "deleted": "已删除",
        "gl_refused": "科目映射有问题，未保存",
        "missing": "缺少付款流水号",
        "range": "开始日期不能晚于结束日期",
    },
    "en": {
        "line3": "Line 3",
        "xyz": "'XYZ' is not an ISO 4217 currency code",
        "no_value": "Missing",
        "bad_code": "An account code: letters, digits, '.', '-' or '_', at most 40",
        "rates_refused": "The rate table has problems; not saved",
        "manual": "typed in",
        "inactive": "inactive",
        "kept": "A claim uses it: deactivated instead",
        "deleted": "Deleted",
        "gl_refused": "The account mapping has problems; not saved",
        "missing": "No payment reference",
        "range": "The start is after the end",
    },
}


def workbook(download: Any) -> Any:
    """The downloaded spreadsheet's first sheet (the saved file has no extension: read its bytes)."""
    assert download.suggested_filename.endswith(".xlsx")
    return load_workbook(io.BytesIO(Path(download.path()).read_bytes())).active


def signed_in(browser: Any, base: str, who: str, lang: str) -> Any:
    page = phone(browser, base, who)
    if lang == "en":
        page.locator("#lang").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
        # the landing page drawn again in English before moving on (else it could land over the next page)
        expect(page.locator("#main h1")).to_have_count(1)
        expect(page.locator("#main h1")).not_to_have_text(re.compile("[\u4e00-\u9fff]"))
        expect(page.locator("#main [role=status].muted")).to_have_count(0)
    return page


def day_for(lang: str, offset: int = 0) -> str:
    """A past day of its own per language: the two runs share one server."""
    return (datetime.date.today() - datetime.timedelta(days=40 + LANGS.index(lang) * 3 + offset)).isoformat()


@pytest.mark.parametrize("lang", LANGS)
def test_rates_add_one_and_import_a_file(
    server: dict[str, Any], browser: Any, lang: str, tmp_path: Path
) -> None:
    base, w, day = server["base"], WORDS[lang], day_for(lang)
    admin = signed_in(browser, base, "admin", lang)
    admin.goto(f"{base}/#/admin")
    admin.locator("#finance-settings a[href='#/admin/rates']").click()
    admin.locator("#rate-form").wait_for()
    # a rate typed in (lower case is fine), without a source
    admin.fill("#rate-currency", "usd")
    admin.fill("#rate-date", day)
    admin.fill("#rate-value", "7.0123")
    admin.click("#rate-form button[type=submit]")
    row = admin.locator(f"#rates tr[data-currency='USD'][data-date='{day}']")
    expect(row).to_contain_text("7.0123")
    expect(row).to_contain_text(w["manual"])
    expect(admin.locator("#rate-status .notice.info")).to_be_visible()
    admin_api = api_token(base, "admin")
    stored = httpx.get(
        f"{base}/api/v1/admin/fx-rates?currency=USD&since={day}&until={day}", headers=admin_api
    ).json()
    assert [(r["rate"], r["source"]) for r in stored["items"]] == [("7.0123", "manual")]

    # a code that is no currency: refused, worded
    admin.fill("#rate-currency", "XYZ")
    admin.click("#rate-form button[type=submit]")
    colon = "：" if lang == "zh" else ": "
    expect(admin.locator("#rate-problems li")).to_have_text(f"XYZ {day}{colon}{w['xyz']}")

    # two lines, the second bad: nothing is imported, the line is named in the reader's words
    admin.fill("#rate-csv", f"currency,rate_date,rate,source\nEUR,{day},7.7012,ecb\nXYZ,{day},1.5,ecb\n")
    admin.click("#rate-import button[type=submit]")
    expect(admin.locator("#rate-status .notice.error")).to_contain_text(w["rates_refused"])
    problems = admin.locator("#rate-problems li")
    expect(problems).to_have_count(1)
    expect(problems).to_have_text(f"{w['line3']}{colon}{w['xyz']}")
    eur = httpx.get(
        f"{base}/api/v1/admin/fx-rates?currency=EUR&since={day}&until={day}", headers=admin_api
    ).json()
    assert eur["items"] == []
    expect(admin.locator(f"#rates tr[data-currency='EUR'][data-date='{day}']")).to_have_count(0)

    # the corrected file, chosen as a file this time
    good = tmp_path / "rates.csv"
    good.write_text(
        f"\ufeffcurrency,rate_date,rate,source\nEUR,{day},7.7012,ecb\nGBP,{day},9.0345\n", encoding="utf-8"
    )
    admin.set_input_files("#rate-file", str(good))
    # the file's text (its byte-order mark read away) is what goes to the server
    expect(admin.locator("#rate-csv")).to_have_value(
        f"currency,rate_date,rate,source\nEUR,{day},7.7012,ecb\nGBP,{day},9.0345\n"
    )
    admin.click("#rate-import button[type=submit]")
    expect(admin.locator("#rate-status .notice.info")).to_have_text(re.compile(r": 2$"))
    expect(admin.locator(f"#rates tr[data-currency='EUR'][data-date='{day}']")).to_contain_text("7.7012")
    expect(admin.locator(f"#rates tr[data-currency='GBP'][data-date='{day}']")).to_contain_text("9.0345")
    expect(admin.locator("#rate-problems")).to_have_count(0)
    assert admin.evaluate(AUDIT) == []
    admin.context.close()


@pytest.mark.parametrize("lang", LANGS)
def test_gl_mapping_saved_and_a_broken_one_listed(server: dict[str, Any], browser: Any, lang: str) -> None:
    base, w = server["base"], WORDS[lang]
    admin_api = api_token(base, "admin")
    before = httpx.get(f"{base}/api/v1/admin/gl-mapping", headers=admin_api).json()
    admin = signed_in(browser, base, "admin", lang)
    admin.goto(f"{base}/#/admin")
    admin.locator("#finance-settings a[href='#/admin/gl']").click()
    area = admin.locator("#gl-text")
    expect(area).to_have_value(before["text"])
    preparer = f"会计{lang}"
    area.fill(before["text"].replace('preparer: ""', f'preparer: "{preparer}"'))
    admin.click("#gl-text-save")
    expect(admin.locator("#main .notice.info")).to_contain_text(f"v{before['version'] + 1}")
    expect(admin.locator("#main h2")).to_contain_text(f"(v{before['version'] + 1})")
    after = httpx.get(f"{base}/api/v1/admin/gl-mapping", headers=admin_api).json()
    assert after["version"] == before["version"] + 1 and f'preparer: "{preparer}"' in after["text"]

    # a payable account without its code and a VAT account with a bad one: refused, every
    # problem listed at its path in the reader's words, nothing stored
    broken = after["text"].replace('payable: {code: "2241.01", ', "payable: {")
    area.fill(broken.replace('input_vat: {code: "2221.01.01"', 'input_vat: {code: "2221 01"'))
    expect(area).not_to_have_value(after["text"])
    admin.click("#gl-text-save")
    expect(admin.locator("#main .notice.error")).to_contain_text(w["gl_refused"])
    colon = "：" if lang == "zh" else ": "
    expect(admin.locator("#main ul.findings li.error")).to_have_text(
        [f"accounts.payable.code{colon}{w['no_value']}", f"accounts.input_vat.code{colon}{w['bad_code']}"]
    )
    unchanged = httpx.get(f"{base}/api/v1/admin/gl-mapping", headers=admin_api).json()
    assert unchanged["version"] == after["version"]
    assert admin.evaluate(AUDIT) == []
    admin.context.close()
    # the shipped accounts again for the tests after this one (a new version with the old text)
    assert (
        httpx.put(
            f"{base}/api/v1/admin/gl-mapping", headers=admin_api, json={"text": before["text"]}
        ).status_code
        == 200
    )


@pytest.mark.parametrize("lang", LANGS)
def test_cost_centres_and_projects(server: dict[str, Any], browser: Any, lang: str) -> None:
    base, w = server["base"], WORDS[lang]
    cc, used, project = f"CC-{lang.upper()}-1", f"CC-{lang.upper()}-2", f"P-{lang.upper()}-1"
    admin = signed_in(browser, base, "admin", lang)
    admin.goto(f"{base}/#/admin")
    admin.locator("#finance-settings a[href='#/admin/dimensions']").click()
    admin.locator("#cc-form").wait_for()
    for code, name in ((cc, "华东销售"), (used, "华南销售")):
        admin.fill("#cc-new-code", code)
        admin.fill("#cc-new-name", name)
        admin.select_option("#cc-new-dept", index=1)
        admin.click("#cc-form button[type=submit]")
        expect(admin.locator(f"#cc-list li[data-code='{code}']")).to_contain_text(name)
    admin.fill("#pj-new-code", project)
    admin.fill("#pj-new-name", "新品发布会")
    admin.click("#pj-form button[type=submit]")
    expect(admin.locator(f"#pj-list li[data-code='{project}']")).to_contain_text("新品发布会")
    # the same code again: refused, worded
    admin.fill("#pj-new-code", project)
    admin.fill("#pj-new-name", "重复")
    admin.click("#pj-form button[type=submit]")
    expect(admin.locator("#pj-status .notice.error")).to_be_visible()

    # rename the project
    row = admin.locator(f"#pj-list li[data-code='{project}']")
    row.locator("summary").click()
    row.locator("input").fill("新品发布会（上海）")
    row.locator("form button[type=submit]").click()
    expect(admin.locator(f"#pj-list li[data-code='{project}'] p")).to_contain_text("新品发布会（上海）")

    # deactivate one cost centre: listed as inactive, no longer offered to claims
    row = admin.locator(f"#cc-list li[data-code='{cc}']")
    row.locator("summary").click()
    row.locator("button.toggle").click()
    expect(admin.locator(f"#cc-list li[data-code='{cc}']")).to_have_attribute("data-active", "false")
    expect(admin.locator(f"#cc-list li[data-code='{cc}'] p")).to_contain_text(w["inactive"])
    alice = api_token(base, "alice")
    offered = [e["code"] for e in httpx.get(f"{base}/api/v1/cost-centres", headers=alice).json()["items"]]
    assert cc not in offered and used in offered

    # a claim names the other one: deleting it keeps it, deactivated
    item = per_diem("100.00", datetime.date.today().isoformat())
    draft = httpx.post(
        f"{base}/api/v1/claims",
        headers=alice,
        json={"purpose": "成本中心", "cost_centre": used, "items": [item]},
    )
    assert draft.status_code == 201, draft.text
    row = admin.locator(f"#cc-list li[data-code='{used}']")
    row.locator("summary").click()
    row.locator("button.remove").click()
    expect(admin.locator("#cc-status .notice.info")).to_contain_text(w["kept"])
    expect(admin.locator(f"#cc-list li[data-code='{used}']")).to_have_attribute("data-active", "false")

    # the unused project is deleted for good
    row = admin.locator(f"#pj-list li[data-code='{project}']")
    row.locator("summary").click()
    row.locator("button.remove").click()
    expect(admin.locator("#pj-status .notice.info")).to_contain_text(w["deleted"])
    expect(admin.locator(f"#pj-list li[data-code='{project}']")).to_have_count(0)
    admin_api = api_token(base, "admin")
    everything = httpx.get(f"{base}/api/v1/projects?include_inactive=true", headers=admin_api).json()["items"]
    assert project not in [e["code"] for e in everything]
    assert admin.evaluate(AUDIT) == []
    admin.context.close()
    assert httpx.delete(f"{base}/api/v1/claims/{draft.json()['id']}", headers=alice).status_code in (200, 204)


@pytest.mark.parametrize("lang", LANGS)
def test_travel_claims_mapped_to_their_flow(server: dict[str, Any], browser: Any, lang: str) -> None:
    base = server["base"]
    admin_api = api_token(base, "admin")
    flows = [f["id"] for f in httpx.get(f"{base}/api/v1/admin/flows", headers=admin_api).json()["items"]]
    if "travel" not in flows:  # a flow of its own for travel claims, saved by an admin
        text = httpx.get(f"{base}/api/v1/admin/flows/default", headers=admin_api).json()["text"]
        text = text.replace("id: default", "id: travel", 1).replace("version: 2", "version: 1", 1)
        text = text.replace("name: 默认报销审批流程", "name: 差旅审批流程", 1)
        saved = httpx.put(f"{base}/api/v1/admin/flows", headers=admin_api, json={"text": text})
        assert saved.status_code == 200, saved.text
    admin = signed_in(browser, base, "admin", lang)
    admin.goto(f"{base}/#/admin")
    admin.locator("#finance-settings a[href='#/admin/claim-types']").click()
    select = admin.locator("#type-travel")
    expect(select).to_have_value("default")
    expect(select.locator("option[value='travel']")).to_have_text("差旅审批流程")  # the admin's own name
    select.select_option("travel")
    admin.click("#types-save")
    expect(admin.locator("#types-status .notice.info")).to_be_visible()
    types = httpx.get(f"{base}/api/v1/claim-types", headers=admin_api).json()["types"]
    assert types["travel"] == "travel" and types["expense"] == "default"
    admin.reload()
    expect(admin.locator("#type-travel")).to_have_value("travel")
    assert admin.evaluate(AUDIT) == []
    admin.context.close()
    types["travel"] = "default"  # as shipped, for the other tests
    assert (
        httpx.put(f"{base}/api/v1/admin/claim-types", headers=admin_api, json={"types": types}).status_code
        == 200
    )


@pytest.mark.parametrize("lang", LANGS)
def test_paid_list_filter_reference_and_reconciliation(
    server: dict[str, Any], browser: Any, lang: str
) -> None:
    base, w = server["base"], WORDS[lang]
    with_ref = paid_claim(base, f"已付有流水号{lang}", f"BANK-{lang}-001")
    without = paid_claim(base, f"已付缺流水号{lang}", None)
    fin = signed_in(browser, base, "finrev", lang)
    fin.goto(f"{base}/#/finance")
    listed = fin.locator("#paid-list")
    expect(listed.locator(f"li[data-claim='{with_ref['id']}']")).to_contain_text(f"BANK-{lang}-001")
    expect(listed.locator(f"li[data-claim='{without['id']}']")).to_contain_text(w["missing"])
    fin.check("#paid-missing")
    expect(listed.locator(f"li[data-claim='{with_ref['id']}']")).to_have_count(0)
    row = listed.locator(f"li[data-claim='{without['id']}']")
    expect(row).to_be_visible()
    expect(listed.locator("li[data-claim]:not([data-reference=''])")).to_have_count(0)
    # the reference comes later: added here, the payment leaves the "missing" list
    row.locator("input").fill(f"BANK-{lang}-002")
    row.locator("button[type=submit]").click()
    expect(fin.locator("#paid-status .notice.info")).to_contain_text(without["number"])
    expect(listed.locator(f"li[data-claim='{without['id']}']")).to_have_count(0)
    fin.uncheck("#paid-missing")
    expect(listed.locator(f"li[data-claim='{without['id']}']")).to_contain_text(f"BANK-{lang}-002")

    # the reconciliation of today's payments, as CSV and as Excel
    today = datetime.date.today().isoformat()
    fin.fill("#paid-since", today)
    fin.fill("#paid-until", today)
    with fin.expect_download() as got:
        fin.click("#recon-csv")
    rows = list(csv.DictReader(io.StringIO(Path(got.value.path()).read_text(encoding="utf-8-sig"))))
    mine = {r["number"]: r for r in rows}
    assert mine[with_ref["number"]]["reference"] == f"BANK-{lang}-001"
    assert mine[without["number"]]["reference"] == f"BANK-{lang}-002"
    assert mine[with_ref["number"]]["total"] == "450.00"
    with fin.expect_download() as got:
        fin.click("#recon-xlsx")
    sheet = workbook(got.value)
    header = [c.value for c in sheet[1]]
    found = [
        r
        for r in sheet.iter_rows(min_row=2, values_only=True)
        if r[header.index("number")] == with_ref["number"]
    ]
    assert found and found[0][header.index("total")] == 450  # a number, not text
    # a day before any payment: the file has the header only
    fin.fill("#paid-since", "2001-01-01")
    fin.fill("#paid-until", "2001-01-02")
    with fin.expect_download() as got:
        fin.click("#recon-csv")
    assert list(csv.DictReader(io.StringIO(Path(got.value.path()).read_text(encoding="utf-8-sig")))) == []
    assert fin.evaluate(AUDIT) == []
    fin.context.close()


@pytest.mark.parametrize("lang", LANGS)
def test_dashboard_filters_and_report_export(server: dict[str, Any], browser: Any, lang: str) -> None:
    base, w = server["base"], WORDS[lang]
    paid_claim(base, f"看板导出{lang}", None)  # spend counts approved and paid claims
    fin = signed_in(browser, base, "finrev", lang)
    fin.goto(f"{base}/#/dashboard")
    fin.locator("#dash-filters").wait_for()
    today = datetime.date.today().isoformat()
    fin.fill("#dash-since", today)
    fin.fill("#dash-until", today)
    fin.select_option("#dash-category", "travel")
    fin.select_option("#dash-report", "spend")
    expect(fin.locator("#dash-month")).to_be_visible()
    with fin.expect_download() as got:
        fin.click("#dash-csv")
    rows = list(csv.DictReader(io.StringIO(Path(got.value.path()).read_text(encoding="utf-8-sig"))))
    assert rows and all(r["period"] == today[:7] for r in rows)
    assert sum(float(r["value"]) for r in rows) >= 450
    # the same report as Excel: the same figures, as numbers
    with fin.expect_download() as got:
        fin.click("#dash-xlsx")
    sheet = workbook(got.value)
    assert [c.value for c in sheet[1]][:3] == ["period", "key", "value"]
    figures = sorted(r[2] for r in sheet.iter_rows(min_row=2, values_only=True))
    assert figures == sorted(float(r["value"]) for r in rows)
    # days without any spend: the filters reach the export, which holds nothing
    fin.fill("#dash-since", "2001-01-01")
    fin.fill("#dash-until", "2001-01-31")
    with fin.expect_download() as got:
        fin.click("#dash-csv")
    assert list(csv.DictReader(io.StringIO(Path(got.value.path()).read_text(encoding="utf-8-sig")))) == []
    # a range that ends before it starts: worded, not a raw error
    fin.fill("#dash-since", today)
    fin.fill("#dash-until", "2001-01-01")
    expect(fin.locator("#dash-charts .notice.error")).to_contain_text(w["range"])
    assert fin.evaluate(AUDIT) == []
    fin.context.close()


def test_finance_reads_the_rates_and_the_mapping_without_changing_them(
    server: dict[str, Any], browser: Any
) -> None:
    base = server["base"]
    day = day_for("zh", offset=1)
    rate = {"currency": "JPY", "rate_date": day, "rate": "0.0481", "source": "pboc"}
    saved = httpx.put(
        f"{base}/api/v1/admin/fx-rates", headers=api_token(base, "admin"), json={"rates": [rate]}
    )
    assert saved.status_code == 200, saved.text
    fin = phone(browser, base, "finrev")
    fin.goto(f"{base}/#/finance")
    fin.locator("#finance-links a[href='#/admin/rates']").click()
    expect(fin.locator(f"#rates tr[data-currency='JPY'][data-date='{day}']")).to_contain_text("中国人民银行")
    expect(fin.locator("#rate-form, #rate-import")).to_have_count(0)  # admins change rates, finance reads
    fin.locator("#back").click()
    fin.locator("#finance-links a[href='#/admin/gl']").click()
    expect(fin.locator("#gl-text")).not_to_be_editable()
    expect(fin.locator("#gl-text-save")).to_have_count(0)
    assert fin.evaluate(AUDIT) == []
    fin.context.close()
