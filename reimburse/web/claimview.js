// One claim on one screen, shared by the submitter's page and the approver's review page:
// invoice images, the fields each item rests on (flagged ones highlighted, corrections shown),
// findings with their reasons, the route with its people, and the timeline.
import { fileUrl, token } from "/app/api.js";
import { decision, download, guard, h, money, nameOf, when } from "/app/dom.js";
import { t, tOr } from "/app/i18n.js";

export const FIELDS = ["invoice_code", "invoice_number", "issue_date", "amount_excl_tax", "tax", "total",
  "check_code", "buyer_name", "buyer_tax_id", "seller_name", "seller_tax_id"];

export function findingsList(findings) {
  if (!findings || !findings.length) return h("p", { class: "ok" }, `✓ ${t("claim.nofindings")}`);
  return h("ul", { class: "findings" },
    ...findings.map((f) => h("li", { class: f.severity, "data-code": f.code },
      Number.isInteger(f.item) ? `${t("claim.item")} ${f.item + 1} · ` : "",
      // a title in the reader's language; the rule's own message (with its figures) beside it
      h("strong", {}, tOr("finding", f.code)), ` — ${f.message}`)));
}

function invoiceFields(item) {
  const inv = item.invoice;
  const flagged = new Map();
  for (const r of inv.review_reasons || []) for (const f of r.fields || []) flagged.set(f, r.message);
  const corrected = new Map((item.corrections || []).map((c) => [c.field, c]));
  for (const f of corrected.keys()) flagged.delete(f); // the submitter's correction answers the flag
  const rows = FIELDS.filter((f) => inv.fields[f] !== null && inv.fields[f] !== undefined || flagged.has(f))
    .map((f) => h("div", { class: `kv${flagged.has(f) ? " flagged" : ""}${corrected.has(f) ? " corrected" : ""}` },
      h("dt", {}, t(`field.${f}`)),
      h("dd", {}, inv.fields[f] ?? "—",
        corrected.has(f) ? h("small", { class: "was" }, ` (${t("capture.corrected")}: ${corrected.get(f).old ?? "—"})`) : null,
        flagged.has(f) ? h("small", { class: "reason" }, ` ${t("capture.flagged")}: ${flagged.get(f)}`) : null)));
  return h("dl", { class: "fieldlist" }, ...rows);
}

function itemView(item) {
  const head = h("p", {}, h("strong", {}, t(`cat.${item.category}`)), ` ${money(item.amount)} · ${item.expense_date}`,
    item.description ? ` · ${item.description}` : "");
  const box = h("li", { class: "item card", "data-item": item.position }, head);
  if (item.invoice) box.append(h("p", { class: "doctype muted" }, tOr("doc", item.invoice.document_type)));
  if (item.document_id) {
    const img = h("div", { class: "preview" });
    fileUrl(item.document_id)
      .then((url) => img.append(h("img", { src: url, alt: `${t("capture.image")} ${item.position + 1}` })))
      .catch(() => {});
    box.append(h("div", { class: "split" }, img, item.invoice ? invoiceFields(item) : h("div")));
  } else {
    box.append(h("p", { class: "muted" }, `${t("claim.noinvoice")}: ${item.no_invoice_reason || ""}`));
  }
  if (item.corrections && item.corrections.length) {
    box.append(h("p", { class: "corrections" }, `${t("claim.corrections")}: `,
      item.corrections.map((c) => `${t(`field.${c.field}`)} ${c.old ?? "—"} → ${c.new ?? "—"}`).join("; ")));
  }
  return box;
}

export function routeView(route, dir) {
  if (!route) return null;
  return h("ol", { class: "route" }, ...route.nodes.map((n) => h("li", { class: n.status, "data-node": n.id },
    h("strong", {}, n.name), ` · ${tOr("node", n.status)}`,
    n.assignees.length ? h("span", { class: "who" }, n.assignees.map((a) => nameOf(dir, a)).join("、")) : null)));
}

export function timelineView(timeline, dir) {
  return h("ol", { class: "timeline" }, ...timeline.map((e) => h("li", {},
    h("time", { datetime: e.at }, when(e.at)), ` · ${nameOf(dir, e.actor)} · ${tOr("action", e.action)}`,
    e.comment ? h("q", {}, e.comment) : null)));
}

export function claimDetail(c, dir) {
  return h("div", { class: "claim" },
    h("h2", {}, t("claim.items")), h("ul", { class: "items" }, ...c.items.map(itemView)),
    h("h2", {}, t("claim.findings")), findingsList(c.risk.findings),
    c.risk.score !== null && c.risk.score !== undefined
      ? h("p", {}, `${t("claim.risk")} ${c.risk.score} · `, decision(c.risk.decision)) : null,
    c.payout_reference ? h("p", {}, `${t("claim.paidref")}: ${c.payout_reference}`) : null,
    c.pre_approval_id ? h("p", {}, `${t("claim.preapproval")}: `, h("a", { href: `#/claims/${c.pre_approval_id}` }, `#${c.pre_approval_id}`)) : null,
    c.advance_offset && c.advance_offset !== "0.00"
      ? h("p", { id: "advance-offset" }, `${t("claim.advanceoffset")} ${money(c.advance_offset)} · ${t("claim.netpayable")} ${money(c.net_payable)}`) : null,
    printButton(c),
    c.route ? h("h2", {}, t("claim.route")) : null, routeView(c.route, dir),
    h("h2", {}, t("claim.timeline")), timelineView(c.timeline, dir));
}

// The printable form (报销单 + 粘贴单) as a PDF download (the API wants the bearer token).
function printButton(c) {
  if (c.status === "draft") return null;
  const button = h("button", { type: "button", id: "print-form" }, t("claim.print"));
  button.addEventListener("click", () => guard(() => download(`/api/v1/claims/${c.id}/form.pdf`, `${c.number || c.id}.pdf`, token()), button.parentElement));
  return button;
}
