// The finance workbench: claims to pay (mark paid, CSV/Excel export) and the exception queue
// (risky claims, fields flagged for review, corrected fields) with filters.
import { api } from "/app/api.js";
import { CATEGORIES } from "/app/capture.js";
import { daysSince, decision, download, guard, h, money, notice, page, status, when } from "/app/dom.js";
import { findingDetail, findingTitle, labelled, reviewText, t } from "/app/i18n.js";
import { paidSection } from "/app/paidlist.js";
import { voucherSection } from "/app/vouchers.js";

const MAX_EXCEPTIONS = 200; // claims in approval read per visit; the API has no exception query yet

export async function financePage() {
  await guard(async () => {
    const payouts = h("ul", { class: "list plain", id: "payouts" });
    const more = h("button", { id: "more-payouts", hidden: true }, t("more"));
    const exports = h("div", { class: "row" },
      h("button", { id: "export", onclick: (e) => guard(() => download("/api/v1/payouts/export.csv", "payouts.csv"), e.target.parentNode) },
        t("finance.export")),
      h("button", { id: "export-xlsx", onclick: (e) => guard(() => download("/api/v1/payouts/export.xlsx", "payouts.xlsx"), e.target.parentNode) },
        t("finance.exportxlsx")));
    const queue = h("section", { id: "exceptions", "aria-live": "polite" }, h("p", {}, t("loading")));
    const vouchers = h("div");
    const paid = h("div");
    // the rate table and the GL mapping: finance reads them (admins change them)
    const settings = h("p", { class: "row", id: "finance-links" },
      h("a", { href: "#/admin/rates" }, t("rates.title")), h("a", { href: "#/admin/gl" }, t("gl.title")));
    page(t("finance.title"), settings, h("h2", {}, t("finance.payouts")), payouts, more, exports,
      h("h2", {}, t("finance.exceptions")), queue, paid, vouchers);
    await loadPayouts(payouts, more, null);
    await exceptionQueue(queue);
    paid.replaceWith(paidSection());
    vouchers.replaceWith(voucherSection()); // only for whom the workbench opened: one refusal, not two
  });
}

async function loadPayouts(list, more, cursor) {
  const data = await api(`/payouts?limit=50${cursor ? `&cursor=${cursor}` : ""}`);
  if (!cursor && !data.items.length) list.append(h("li", {}, t("finance.nopayouts")));
  for (const p of data.items) {
    const row = h("li", { "data-claim": p.claim_id, class: "card" },
      h("div", { class: "claim-head" },
        h("a", { href: `#/inbox/${p.claim_id}` }, `${p.number} · ${p.payee}`), h("strong", { class: "amount" }, money(p.total))),
      h("div", { class: "muted" }, `${p.purpose} · ${when(p.approved_at)}`));
    const pay = h("button", { class: "mark-paid", onclick: () => guard(async () => {
      pay.disabled = true;
      // the key makes a second tap (or a retry after a dropped answer) return the first result
      const res = await api(`/payouts/${p.claim_id}/paid`, { method: "POST", body: {},
        headers: { "Idempotency-Key": `web-paid-${p.claim_id}` } });
      pay.replaceWith(status(res.status || "paid"));
    }, row) }, t("finance.markpaid"));
    row.append(pay);
    list.append(row);
  }
  more.hidden = !data.next_cursor;
  more.onclick = () => guard(() => loadPayouts(list, more, data.next_cursor), list);
}

async function submittedClaims() {
  const out = [];
  let cursor = null;
  do {
    const data = await api(`/claims?mine=false&status=submitted&limit=100${cursor ? `&cursor=${cursor}` : ""}`);
    out.push(...data.items);
    cursor = data.next_cursor;
  } while (cursor && out.length < MAX_EXCEPTIONS);
  return out;
}

async function heldClaims() {
  // stopped by a bad tax-bureau answer (also after approval): waits for release or decline
  return (await api("/finance/exceptions")).items;
}

async function details(summaries) {
  const out = [];
  for (let i = 0; i < summaries.length; i += 6) {
    out.push(...await Promise.all(summaries.slice(i, i + 6).map((c) => api(`/claims/${c.id}`))));
  }
  return out;
}

function reasonsOf(c) {
  // the catalogue's words; the code itself is on the item (data-code) for tools, not for reading
  const reasons = (c.risk.findings || []).map((f) => [f.code, findingDetail(f) ? `${findingTitle(f.code)} — ${findingDetail(f)}` : findingTitle(f.code)]);
  for (const r of (c.hold && c.hold.reasons) || []) reasons.unshift([r.code, `⛔ ${findingTitle(r.code)}`]);
  for (const item of c.items) {
    for (const r of (item.invoice && item.invoice.review_reasons) || []) {
      reasons.push([r.code, `${labelled(t("finance.reviewfields"), r.fields.map((f) => t(`field.${f}`)).join("、") || "—")} — ${reviewText(r)}`]);
    }
    for (const k of item.corrections || []) reasons.push([null, labelled(t("capture.corrected"), `${t(`field.${k.field}`)} ${k.old ?? "—"} → ${k.new ?? "—"}`)]);
  }
  return reasons;
}

function isException(c) {
  return Boolean(c.hold) || (c.risk.decision && c.risk.decision !== "pass") || reasonsOf(c).length > 0;
}

function select(id, label, options) {
  return h("div", {}, h("label", { for: id }, label),
    h("select", { id }, h("option", { value: "" }, t("finance.any")), ...options.map(([v, text]) => h("option", { value: v }, text))));
}

async function exceptionQueue(box) {
  const held = await heldClaims();
  const waiting = (await submittedClaims()).filter((c) => !held.some((x) => x.id === c.id));
  const [claims, tree] = await Promise.all([
    details([...held, ...waiting]).then((all) => all.filter(isException)),
    api("/departments").catch(() => ({ items: [] })),
  ]);
  // the filter names departments as people know them, not by their ids
  const names = new Map(tree.items.map((d) => [d.id, d.name]));
  const departments = [...new Set(claims.map((c) => c.department_id))]
    .map((d) => [String(d), names.get(d) || `${t("finance.department")} ${d}`])
    .sort((a, b) => a[1].localeCompare(b[1], "zh-CN"));
  const filters = h("form", { class: "card filters", id: "filters", "aria-label": t("finance.filter") },
    select("f-department", t("finance.department"), departments),
    select("f-category", t("finance.category"), CATEGORIES.map((c) => [c, t(`cat.${c}`)])),
    select("f-risk", t("finance.risk"), ["finance_review", "block", "pass"].map((r) => [r, t(`risk.${r}`)])),
    select("f-age", t("finance.age"), [1, 3, 7, 14].map((d) => [String(d), `${t("finance.atleast")} ${d} ${t("inbox.days")}`])));
  const list = h("ul", { class: "list plain", id: "exception-list" });
  const render = () => {
    const f = Object.fromEntries(["department", "category", "risk", "age"].map((k) => [k, filters[`f-${k}`].value]));
    const shown = claims.filter((c) => (!f.department || String(c.department_id) === f.department)
      && (!f.category || c.items.some((i) => i.category === f.category))
      && (!f.risk || c.risk.decision === f.risk)
      && (!f.age || daysSince(c.submitted_at) >= Number(f.age)));
    list.replaceChildren(...(shown.length ? shown.map((c) => h("li", { class: "card", "data-claim": c.id },
      h("div", { class: "claim-head" },
        h("a", { href: `#/inbox/${c.id}` }, `${c.number} · ${c.submitter.display_name}`),
        h("strong", { class: "amount" }, money(c.total))),
      h("div", { class: "muted" }, `${c.purpose} · ${[...new Set(c.items.map((i) => t(`cat.${i.category}`)))].join("、")} · `,
        h("span", { class: "nowrap" }, `${daysSince(c.submitted_at)} ${t("inbox.days")}`), " ", decision(c.risk.decision)),
      h("ul", { class: "reasons" }, ...reasonsOf(c).map(([code, text]) => h("li", { "data-code": code }, text))))) : [h("li", {}, t("finance.noexceptions"))]));
  };
  filters.addEventListener("change", render);
  filters.addEventListener("submit", (e) => e.preventDefault());
  render();
  box.replaceChildren(filters, list);
  if (claims.length >= MAX_EXCEPTIONS) box.append(notice(`> ${MAX_EXCEPTIONS}`, "warn"));
}
