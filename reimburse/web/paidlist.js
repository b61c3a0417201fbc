// Finance: the paid list (what was paid, to whom, when, with which reference), the payments
// still waiting for payroll's reference (the reference can be added here), and the
// reconciliation export for the chosen days.
import { api } from "/app/api.js";
import { download, guard, h, money, notice, when } from "/app/dom.js";
import { t } from "/app/i18n.js";

function query(form, withMissing) {
  const q = new URLSearchParams();
  for (const k of ["since", "until"]) {
    const v = form.querySelector(`#paid-${k}`).value;
    if (v) q.set(k, v);
  }
  if (withMissing && form.querySelector("#paid-missing").checked) q.set("missing_reference", "true");
  return q;
}

function addReference(p, row, reload) {
  const input = h("input", { id: `ref-${p.claim_id}`, maxlength: 128, required: true });
  const form = h("form", { class: "stack add-reference" },
    h("label", { for: `ref-${p.claim_id}` }, t("paid.addreference")), input,
    h("div", { class: "row" }, h("button", { type: "submit" }, t("paid.savereference"))));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    guard(async () => {
      await api(`/payouts/${p.claim_id}/paid`, { method: "POST", body: { reference: input.value.trim() } });
      await reload(`${t("paid.referencesaved")}: ${p.number}`);
    }, row);
  });
  return form;
}

function paidRow(p, reload) {
  const row = h("li", { class: "card", "data-claim": p.claim_id, "data-reference": p.reference || "" },
    h("a", { href: `#/inbox/${p.claim_id}` }, `${p.number} · ${p.payee} · ${money(p.total)}`),
    h("div", { class: "muted" }, `${p.department || "-"} · ${t("paid.paidat")} ${when(p.paid_at)}`),
    h("div", {}, p.reference ? `${t("paid.reference")}: ${p.reference}` : h("strong", { class: "missing" }, t("paid.missing"))));
  if (!p.reference) row.append(addReference(p, row, reload));
  return row;
}

export function paidSection() {
  const today = new Date().toISOString().slice(0, 10);
  const form = h("form", { class: "card filters", id: "paid-filters", "aria-label": t("paid.filter") },
    h("div", {}, h("label", { for: "paid-since" }, t("paid.since")), h("input", { id: "paid-since", type: "date", max: today })),
    h("div", {}, h("label", { for: "paid-until" }, t("paid.until")), h("input", { id: "paid-until", type: "date" })),
    h("label", { class: "check wide", for: "paid-missing" },
      h("input", { id: "paid-missing", type: "checkbox" }), ` ${t("paid.onlymissing")}`));
  const list = h("ul", { class: "list plain", id: "paid-list" });
  const more = h("button", { id: "more-paid", hidden: true, type: "button" }, t("more"));
  const status = h("div", { "aria-live": "polite", id: "paid-status" });
  const load = async (cursor) => {
    const q = query(form, true);
    q.set("limit", "50");
    if (cursor) q.set("cursor", cursor);
    const data = await api(`/payouts/paid?${q}`);
    if (!cursor) list.replaceChildren(...(data.items.length ? [] : [h("li", {}, t("paid.none"))]));
    list.append(...data.items.map((p) => paidRow(p, reload)));
    more.hidden = !data.next_cursor;
    more.onclick = () => guard(() => load(data.next_cursor), list);
  };
  const reload = async (message) => {
    status.replaceChildren();
    await load(null);
    if (message) status.append(notice(message, "info"));
  };
  form.addEventListener("change", () => { status.replaceChildren(); guard(() => load(null), status); });
  form.addEventListener("submit", (e) => e.preventDefault());
  const exported = (ext) => (e) => guard(() => {
    const q = query(form, false);
    return download(`/api/v1/payouts/reconciliation.${ext}${q.size ? `?${q}` : ""}`, `reconciliation.${ext}`);
  }, e.target.parentNode);
  const exports = h("div", { class: "row" },
    h("button", { id: "recon-csv", type: "button", onclick: exported("csv") }, t("paid.reconcsv")),
    h("button", { id: "recon-xlsx", type: "button", onclick: exported("xlsx") }, t("paid.reconxlsx")));
  guard(() => load(null), status);
  return h("section", { id: "paid-section" }, h("h2", {}, t("paid.title")), form, exports, status, list, more);
}
