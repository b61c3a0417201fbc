"""An admin's refused policy or flow lists every problem in the reader's language (390x844,
zh-CN and en): the server sends each as a path, a code and params; the page words the code from
the catalogue. On the Chinese page no English is left (the paths and the admin's own values
aside, which are what the admin typed), on the English page no Chinese."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from playwright.sync_api import expect

from tests.browser.helpers import api_token, phone
from tests.browser.test_every_screen import CJK, CJK_ALLOWED, LATIN_ALLOWED, LATIN_WORD

pytestmark = pytest.mark.browser

# format names a problem may name (besides those every Chinese screen may show)
FORMATS = {"YAML", "JSON"}
BAD_FLOW = (
    "id: default\nversion: 99\nnodes:\n"
    "  - {id: a, kind: single, approvers: [{type: role}]}\n"
    "  - {id: b, kind: countersgin, approvers: [{type: dept_head}], sla: {remind_after_hours: 0}}\n"
)
# what each problem reads, by its code, in each language
POLICY_WORDS = {
    "zh": {"negative": "不能为负数", "unknown_keys": "未知的项", "not_whole": "应为整数",
           "not_one_of": "不是可选值", "out_of_range": "应在 1 到 3650 之间"},
    "en": {"negative": "Must not be negative", "unknown_keys": "Unknown keys",
           "not_whole": "Must be a whole number", "not_one_of": "is not one of",
           "out_of_range": "Must be between 1 and 3650"},
}  # fmt: skip
FLOW_WORDS = {
    "zh": {"role_needs_role": "按角色指定的审批人需要写明角色", "enum": "应为以下之一",
           "greater_than": "应大于 0", "not_yaml": "不是有效的 YAML/JSON（第 1 行第 7 列）"},
    "en": {"role_needs_role": "An approver by role needs the role", "enum": "Must be one of",
           "greater_than": "Must be greater than 0", "not_yaml": "Not valid YAML/JSON (line 1, column 7)"},
}  # fmt: skip


def bad_policy(base: str) -> str:
    text = httpx.get(f"{base}/api/v1/admin/policy", headers=api_token(base, "admin")).json()["text"]
    doc = yaml.safe_load(text)  # YAML as shipped; the edit is sent as JSON (YAML reads it too)
    doc["caps"]["taxi_per_trip"] = -5
    doc["caps"]["taxi"] = 100
    doc["invoice"]["individual_buyer_categories"] = ["travel", "trains"]
    doc["invoice"]["max_age_days"] = 0
    doc["risk"]["review_at"] = "high"
    return json.dumps(doc, ensure_ascii=False, indent=2)


def sent(base: str, path: str, text: str) -> list[dict[str, Any]]:
    """The problems the API answers the same save with (as the page received them)."""
    r = httpx.put(f"{base}/api/v1{path}", headers=api_token(base, "admin"), json={"text": text})
    assert r.status_code == 422, r.text
    return list(r.json()["error"]["details"]["problems"])


def the_data(problem: dict[str, Any]) -> list[str]:
    """What the admin wrote, in a problem: its path and its params' values (lists one by one)."""
    values = [problem["path"]]
    for value in problem["params"].values():
        values += [value, *value.split(", ")]
    return sorted(values, key=len, reverse=True)


def check_language(lang: str, text: str, data: list[str]) -> list[str]:
    for value in data:
        text = text.replace(value, " ")
    if lang == "zh":
        return sorted({m.group(0) for m in LATIN_WORD.finditer(text)} - LATIN_ALLOWED - FORMATS)
    return sorted({m.group(0) for m in CJK.finditer(text)} - CJK_ALLOWED)


def save_and_read(admin: Any, box: str, text: str) -> Any:
    """Save ``text`` in the editor ``box`` (policy-text, flow-text); the listed problems."""
    admin.fill(f"#{box}", text)
    admin.click(f"#{box}-save")
    listed = admin.locator(f"section:has(#{box}) ul.problems li")
    expect(listed.first).to_be_visible()
    return listed


def check_listed(lang: str, listed: Any, problems: list[dict[str, Any]], words: dict[str, str]) -> None:
    expect(listed).to_have_count(len(problems))
    for p in problems:
        li = listed.and_(listed.page.locator(f"[data-path='{p['path']}'][data-code='{p['code']}']"))
        expect(li).to_have_count(1)
        expect(li.locator("code")).to_have_text(p["path"])
        if p["code"] in words:
            expect(li).to_contain_text(words[p["code"]])
        text = li.inner_text()
        assert p["message"] not in text  # the server's English is for API clients, not the page
        assert check_language(lang, text, the_data(p)) == [], text


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_refused_policy_and_flow_list_their_problems_in_the_readers_language(
    server: dict[str, Any], browser: Any, lang: str, tmp_path: Path
) -> None:
    base = server["base"]
    shots = Path(os.environ.get("SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    admin = phone(browser, base, "admin", start="#/admin")
    expect(admin.locator("#flow-text")).to_be_visible()
    if lang == "en":
        admin.locator("#lang").click()
        expect(admin.locator("html")).to_have_attribute("lang", "en")
        expect(admin.locator("#main h1")).not_to_have_text(re.compile("[\u4e00-\u9fff]"))
        expect(admin.locator("#flow-text")).to_be_visible()

    policy = bad_policy(base)
    problems = sent(base, "/admin/policy", policy)
    assert {p["code"] for p in problems} == set(POLICY_WORDS[lang])
    listed = save_and_read(admin, "policy-text", policy)
    check_listed(lang, listed, problems, POLICY_WORDS[lang])
    notice = admin.locator("section:has(#policy-text) .notice.error")
    expect(notice).to_have_text(
        "报销制度有问题，未保存" if lang == "zh" else "The expense policy is not valid; nothing was saved"
    )
    # the caps form marks the fields its problems name
    admin.locator("section:has(#policy-text) ul.problems").scroll_into_view_if_needed()
    admin.screenshot(path=str(shots / f"{lang}-admin-policy-problems.png"), full_page=True)

    problems = sent(base, "/admin/flows", BAD_FLOW)
    assert {p["code"] for p in problems} == {"role_needs_role", "enum", "greater_than"}
    listed = save_and_read(admin, "flow-text", BAD_FLOW)
    check_listed(lang, listed, problems, FLOW_WORDS[lang])
    admin.locator("section:has(#flow-text) ul.problems").scroll_into_view_if_needed()
    admin.screenshot(path=str(shots / f"{lang}-admin-flow-problems.png"), full_page=True)

    problems = sent(base, "/admin/flows", "id: [x")
    listed = save_and_read(admin, "flow-text", "id: [x")
    check_listed(lang, listed, problems, FLOW_WORDS[lang])
    expect(listed).to_have_text(f"(document){'：' if lang == 'zh' else ': '}{FLOW_WORDS[lang]['not_yaml']}")
