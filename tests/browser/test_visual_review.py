"""The visual review of issue 15: the six screens a phone user and an approver live in (capture,
review, inbox, claim, finance, dashboard) at 390x844, in Chinese and in English, each with data
in it, saved as full-page screenshots for a person to look at, and checked for what a reviewer
would otherwise check by eye: nothing scrolls sideways, no text is cut off by its box (figures
above all), no button lies over another, every button is at least 40 px tall, and no screen
reads ``null``, ``undefined`` or ``NaN``.

The screenshots go to ``$REIMBURSE_SCREENSHOT_DIR`` (``<lang>-<screen>.png``), else to the
test's temporary directory::

    REIMBURSE_SCREENSHOT_DIR=/tmp/shots PYTHONPATH=. pytest -m browser tests/browser/test_visual_review.py
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.helpers import PHONE, api_token, claim, english, per_diem_claim, phone
from tests.claims.test_claims_api import invoice_png

pytestmark = pytest.mark.browser

BAD = re.compile(r"\b(null|undefined|NaN)\b")
READING = 180_000  # the in-process OCR worker reads a photo in seconds, slower on a loaded machine

# Runs in the page: what a reviewer would see wrong at a glance, as a list of sentences.
LOOK = """() => {
  const problems = [];
  const shown = (el) => {
    const r = el.getBoundingClientRect();
    return r.width > 1 && r.height > 1 && getComputedStyle(el).visibility !== "hidden";
  };
  const name = (el) => {
    const cls = typeof el.className === "string" ? el.className.trim().split(/\\s+/).filter(Boolean) : [];
    const id = el.id ? `#${el.id}` : "";
    const text = (el.textContent || "").trim().slice(0, 40);
    return `${el.tagName.toLowerCase()}${id}${cls.map((c) => `.${c}`).join("")} "${text}"`;
  };
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth > width) {
    problems.push(`scrolls sideways: ${document.documentElement.scrollWidth} > ${width}`);
  }
  // text its box cuts off: overflow hidden (or an ellipsis) and more content than room
  for (const el of document.querySelectorAll("body *")) {
    if (!shown(el) || el.closest(".visually-hidden, svg")) continue;
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own) continue;
    const s = getComputedStyle(el);
    const hides = (v) => v === "hidden" || v === "clip";
    if ((hides(s.overflowX) || s.textOverflow === "ellipsis") && el.scrollWidth > el.clientWidth + 1) {
      problems.push(`text cut off sideways: ${name(el)}`);
    }
    if (hides(s.overflowY) && el.scrollHeight > el.clientHeight + 1) {
      problems.push(`text cut off below: ${name(el)}`);
    }
  }
  // a chart's words outside its drawing are cut off by the SVG
  for (const svg of document.querySelectorAll("svg")) {
    if (!shown(svg)) continue;
    const box = svg.getBoundingClientRect();
    for (const text of svg.querySelectorAll("text")) {
      const r = text.getBoundingClientRect();
      const out = r.left < box.left - 1 || r.right > box.right + 1;
      if (out || r.top < box.top - 1 || r.bottom > box.bottom + 1) {
        problems.push(`chart text cut off: "${text.textContent.trim().slice(0, 40)}"`);
      }
    }
  }
  // a box that scrolls sideways inside the screen hides its right part (a table's last column);
  // the header's sections scroll on purpose and fade at the edge, and the spend per month has a
  // column per category, as many as the data has (its chart above shows them all)
  for (const el of document.querySelectorAll("#main *")) {
    if (!shown(el) || !["auto", "scroll"].includes(getComputedStyle(el).overflowX)) continue;
    if (el.closest("#dash-trend")) continue;
    if (el.scrollWidth > el.clientWidth + 1) problems.push(`scrolls sideways inside: ${name(el)}`);
  }
  // buttons: tall enough to tap, none over another
  const tappable = "button, a.button, label.button, [role=button]";
  const buttons = [...document.querySelectorAll(tappable)].filter(shown);
  for (const b of buttons) {
    const r = b.getBoundingClientRect();
    if (r.height < 40) problems.push(`button ${Math.round(r.height)} px tall: ${name(b)}`);
  }
  for (let i = 0; i < buttons.length; i += 1) {
    for (let j = i + 1; j < buttons.length; j += 1) {
      if (buttons[i].contains(buttons[j]) || buttons[j].contains(buttons[i])) continue;
      const a = buttons[i].getBoundingClientRect();
      const b = buttons[j].getBoundingClientRect();
      const x = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const y = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (x > 1 && y > 1) problems.push(`buttons overlap: ${name(buttons[i])} / ${name(buttons[j])}`);
    }
  }
  return problems;
}"""


def _shots(tmp_path: Path) -> Path:
    out = Path(os.environ.get("REIMBURSE_SCREENSHOT_DIR") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    return out


def _act(base: str, claim_id: str, who: str, action: str, comment: str = "") -> None:
    body = {"action": action, "version": claim(base, claim_id)["version"], "comment": comment}
    r = httpx.post(f"{base}/api/v1/claims/{claim_id}/actions", headers=api_token(base, who), json=body)
    assert r.status_code == 200, r.text


@pytest.fixture(scope="module")
def scene(server: dict[str, Any]) -> dict[str, str]:
    """Claims in several states: an inbox of several for the team lead, one with a history of
    decisions for its submitter's page, exceptions for finance, spend for the dashboard."""
    base = server["base"]
    # per-diem trips far apart: per-diem adds up over a trip across claims (issue 13)
    waiting = [
        ("深圳客户现场支持", "450.00", 5, 40),
        ("成都展会布展及撤展", "2250.00", 5, 50),
        ("北京总部季度会议", "480.00", 1, 60),
    ]
    for purpose, amount, days, ago in waiting:
        per_diem_claim(base, purpose, amount=amount, days=days, ago=ago)
    decided = per_diem_claim(base, "杭州客户现场支持五天", amount="450.00", days=5, ago=30)
    _act(base, decided, "teamlead", "return", "请补充出差审批单编号")
    again = httpx.post(f"{base}/api/v1/claims/{decided}/submit", headers=api_token(base, "alice"))
    assert again.status_code == 200, again.text
    _act(base, decided, "teamlead", "approve", "已核对审批单，同意")
    return {"decided": decided}


def _look(page: Any, lang: str, screen: str, shots: Path) -> list[str]:
    """The screen as it stands: saved for the eye, checked for what a script can see."""
    expect(page.locator("#main > [role=status].muted")).to_have_count(0)  # "loading" is gone
    page.screenshot(path=str(shots / f"{lang}-{screen}.png"), full_page=True)
    found = [f"{lang} {screen}: {m.group(0)}" for m in BAD.finditer(page.locator("body").inner_text())]
    return found + [f"{lang} {screen}: {p}" for p in page.evaluate(LOOK)]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_six_screens_with_data_look_finished_on_a_phone(
    server: dict[str, Any], browser: Any, scene: dict[str, str], lang: str, tmp_path: Path
) -> None:
    base = server["base"]
    shots = _shots(tmp_path)
    problems: list[str] = []
    # a phone set to the language, as its browser tells the server and the page
    locale = {"zh": "zh-CN", "en": "en-US"}[lang]
    pages = {who: phone(browser, base, who, locale=locale) for who in ("alice", "teamlead", "finrev")}
    if lang == "en":
        for page in pages.values():
            english(page)

    # capture: an invoice read, its fields shown, the total in doubt (its capitals say 200)
    alice = pages["alice"]
    alice.goto(f"{base}/#/capture")
    photo = tmp_path / f"invoice-{lang}.png"
    number = "8800" + ("1001" if lang == "zh" else "2002")
    photo.write_bytes(invoice_png(number, amount="200.00", total="212.00", capitals="贰佰圆整"))
    alice.set_input_files("#files", str(photo))
    expect(alice.locator("input[name=invoice_number]")).to_have_value(number, timeout=READING)
    expect(alice.locator(".field.flagged input[name=total]")).to_be_visible()
    alice.locator("select[name=category]").select_option("office")
    alice.fill("input[name=amount]", "200.00")  # a doubtful total is not copied: the capitals' figure
    alice.fill("input[name=description]", "打印纸和硒鼓")
    alice.fill("#purpose", "销售部办公用品采购")
    alice.click("#check")
    expect(alice.locator("#findings h2")).to_be_visible()
    problems += _look(alice, lang, "capture", shots)
    alice.click("#submit-claim")
    alice.wait_for_url(lambda url: "#/claims/" in url and "/edit" not in url)
    flagged = alice.url.rsplit("/", 1)[1]

    # review: the approver's screen of that claim, the doubtful total marked
    lead = pages["teamlead"]
    lead.goto(f"{base}/#/inbox/{flagged}")
    expect(lead.locator("#approve")).to_be_visible()
    expect(lead.locator(".kv.flagged").first).to_be_visible()
    expect(lead.locator("#budget li.budget-line").first).to_be_visible()
    expect(lead.locator("#budget")).not_to_have_attribute("aria-busy", "true")  # every line drawn
    problems += _look(lead, lang, "review", shots)

    # inbox: several claims waiting, the low-risk ones approvable at once
    lead.goto(f"{base}/#/inbox")
    expect(lead.locator("ul.inbox > li").nth(3)).to_be_visible()
    problems += _look(lead, lang, "inbox", shots)

    # claim: the submitter's page of a claim returned, resubmitted and approved at its first step
    alice.goto(f"{base}/#/claims/{scene['decided']}")
    expect(alice.locator(".timeline li").nth(3)).to_be_visible()
    problems += _look(alice, lang, "claim", shots)

    # finance: the exception queue with its reasons, the payouts, the paid list
    fin = pages["finrev"]
    fin.goto(f"{base}/#/finance")
    expect(fin.locator(f"#exception-list li[data-claim='{flagged}']")).to_be_visible()
    expect(fin.locator("#paid-list")).to_be_visible()
    problems += _look(fin, lang, "finance", shots)

    # dashboard: this month's charts and their tables
    fin.goto(f"{base}/#/dashboard")
    expect(fin.locator("section.chart-card")).to_have_count(7)
    expect(fin.locator("#dash-budget svg.chart")).to_be_visible()
    problems += _look(fin, lang, "dashboard", shots)

    assert fin.evaluate("document.documentElement.clientWidth") == PHONE["width"]
    for page in pages.values():
        page.context.close()
    assert not problems, "\n".join(problems)


def test_the_review_check_finds_what_it_looks_for(server: dict[str, Any], browser: Any) -> None:
    """The checks can fail: a page made wrong on purpose trips each of them."""
    page = phone(browser, server["base"], "alice")
    # built with the DOM and its style properties: the CSP refuses style attributes in markup
    page.evaluate("""() => {
      const add = (tag, text, style, parent = document.body) => {
        const el = document.createElement(tag);
        el.textContent = text;
        Object.assign(el.style, style);
        parent.append(el);
        return el;
      };
      // on the body, which no screen draws over (a late redraw of the home replaces #main)
      add("p", "¥123456789.00", { width: "60px", overflow: "hidden", whiteSpace: "nowrap" });
      const row = add("div", "", { display: "flex" });
      add("button", "A", { minHeight: "0", height: "30px" }, row);
      add("button", "B", { marginLeft: "-20px" }, row);
      add("p", "undefined", {});
      add("div", "wide", { width: "600px" });
    }""")
    found = page.evaluate(LOOK)
    for expected in ("scrolls sideways", "text cut off sideways", "button 30 px tall", "buttons overlap"):
        assert any(p.startswith(expected) for p in found), (expected, found)
    assert BAD.search(page.locator("body").inner_text())
    page.context.close()
