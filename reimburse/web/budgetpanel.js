// "Budget left" on the review screen: each budget line the claim draws on, as a meter with its
// figures in words beside it (the meter is never the only carrier: colour-blind readers, screen
// readers and people copying numbers all get the text), and a plain sentence when it exceeds.
import { api } from "/app/api.js";
import { h, money, notice } from "/app/dom.js";
import { errorText, t, tOr } from "/app/i18n.js";

const FIGURES = ["plan", "used", "reserved", "left_before", "claim", "left_after"];

// "-5300.00" reads as "-¥5300.00", the sign before the currency
function amount(value) { return value.startsWith("-") ? `-${money(value.slice(1))}` : money(value); }

function percent(part, whole) { return whole > 0 ? Math.max(0, (part / whole) * 100) : 0; }

// One bar: used and reserved by other claims, then this claim (striped), on a scale that grows
// past the plan when the claim overdraws it, with a tick where the plan ends.
function meter(line, label) {
  const plan = Number(line.plan);
  const others = Number(line.used) + Number(line.reserved);
  const after = others + Number(line.claim);
  const scale = Math.max(plan, after, 1);
  const usedPct = Math.round(percent(after, plan));
  // in per cent of the plan; the range grows with an overdraft (a meter's value stays inside it)
  return h("div", { class: "meter", role: "meter", "aria-label": label, "aria-valuemin": 0,
    "aria-valuemax": Math.max(100, usedPct), "aria-valuenow": usedPct, "aria-valuetext": `${t("budget.usedafter")} ${usedPct}%` },
  h("span", { class: "seg used", style: `width:${percent(Number(line.used), scale)}%` }),
  h("span", { class: "seg reserved", style: `width:${percent(Number(line.reserved), scale)}%` }),
  h("span", { class: "seg claim", style: `width:${percent(Number(line.claim), scale)}%` }),
  after > plan ? h("span", { class: "plan-mark", style: `left:${percent(plan, scale)}%` }) : null);
}

function lineView(line) {
  const what = `${line.department ? `${line.department} · ` : ""}${line.category === "*" ? t("budget.allcategories") : tOr("cat", line.category)} · `
    + `${tOr("period", line.period)} ${line.start} – ${line.end}`;
  // the dates whole: a date broken at its hyphen reads as two
  const figures = h("dl", { class: "fieldlist" }, ...FIGURES.map((k) => h("div", { class: `kv${k === "claim" ? " mine" : ""}` },
    h("dt", {}, t(`budget.${k}`)), h("dd", { "data-figure": k }, amount(line[k])))));
  const verdict = line.exceeds
    ? h("p", { class: "over", "data-verdict": "over" }, `⚠ ${t("budget.exceeds")} ${money(line.over_by)}`)
    : h("p", { class: "within", "data-verdict": "within" }, `✓ ${t("budget.within")}`);
  return h("li", { class: `card budget-line${line.exceeds ? " exceeds" : ""}`, "data-budget": line.budget_id },
    // the claim's department and those above it may each have a line: whose it is comes first
    h("h3", {}, line.department ? h("span", { class: "budget-owner" }, line.department) : null,
      `${line.category === "*" ? t("budget.allcategories") : tOr("cat", line.category)} · ${tOr("period", line.period)} `,
      h("span", { class: "nowrap" }, line.start), " – ", h("span", { class: "nowrap" }, line.end)),
    meter(line, what), verdict, figures,
    line.held ? h("p", { class: "muted" }, t(`budget.held.${line.held}`)) : null);
}

export function budgetPanel(claimId) {
  const box = h("section", { class: "budget", id: "budget", "aria-labelledby": "budget-title", "aria-busy": "true" },
    h("h2", { id: "budget-title" }, t("budget.title")), h("p", { class: "muted" }, t("loading")));
  api(`/claims/${claimId}/budget`).then((b) => {
    const head = h("h2", { id: "budget-title" }, `${t("budget.title")}${b.department.name ? ` · ${b.department.name}` : ""}`);
    const parts = [head];
    if (b.lines.length) {
      parts.push(h("p", { class: "muted" }, t("budget.others")), h("ul", { class: "plain budget-lines" }, ...b.lines.map(lineView)));
    } else {
      parts.push(h("p", { class: "muted", id: "budget-none" }, t("budget.none")));
    }
    if (Number(b.unbudgeted) > 0) parts.push(h("p", { id: "budget-unbudgeted" }, `${t("budget.unbudgeted")}: ${money(b.unbudgeted)}`));
    if (b.exceeds) parts.push(notice(`${t("budget.claimexceeds")}${tOr("budget.action", b.over_budget_action)}`, "warn"));
    box.replaceChildren(...parts);
  }).catch((err) => {
    box.replaceChildren(h("h2", { id: "budget-title" }, t("budget.title")), notice(`${t("error")}: ${errorText(err)}`));
  }).finally(() => box.removeAttribute("aria-busy"));
  return box;
}
