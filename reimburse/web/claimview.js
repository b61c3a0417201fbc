// One claim on one screen, shared by the submitter's page and the approver's review page:
// invoice images, the fields each item rests on (flagged ones highlighted, corrections shown),
// findings with their reasons, the route with its people, and the timeline.
import { api, fileUrl } from "/app/api.js";
import { decision, download, guard, h, money, nameOf, when } from "/app/dom.js";
import { fill, findingDetail, findingTitle, has, labelled, reviewText, stepName, t, tOr } from "/app/i18n.js";

// The server sends every invoice field, in its order (ocr.domain.FIELD_NAMES): the one list.
export const fieldNames = (fields) => Object.keys(fields || {});

// What the submitter wrote in a claim (not what the system adds: findings, checks, holds).
export function contentOf(c) {
  return JSON.stringify([c.purpose, c.trip_start, c.trip_end, c.claim_type, c.pre_approval_id,
    c.items.map((i) => [i.category, i.amount, i.expense_date,
      i.description, i.document_id, i.result_index, i.invoice_key, i.no_invoice_kind, i.no_invoice_reason,
      i.attendees, i.nights, i.city_tier, i.corrections, i.currency, i.original_amount, i.foreign_document, i.ticket,
      i.splits, i.allowance])]);
}

// What an approver weighs: where the claim is, its total, purpose and risk decision (all an inbox
// row shows), and on the claim screen also the content, a finance hold and every finding above a
// note. A tax-bureau answer that only turns "being checked" into a note leaves the basis as it
// was; a voided invoice (an error finding) does not.
export function summaryBasis(c) {
  return JSON.stringify([c.status, c.total, c.purpose, c.risk.decision]);
}

export function decisionBasis(c) {
  const weighed = (c.risk.findings || []).filter((f) => f.severity !== "info").map((f) => [f.code, f.item, f.severity]);
  return JSON.stringify([summaryBasis(c), c.hold || null, contentOf(c), weighed]);
}

export function findingsList(findings) {
  if (!findings || !findings.length) return h("p", { class: "ok" }, `✓ ${t("claim.nofindings")}`);
  return h("ul", { class: "findings" },
    ...findings.map((f) => h("li", { class: f.severity, "data-code": f.code },
      Number.isInteger(f.item) ? `${t("claim.item")} ${f.item + 1} · ` : "",
      // the catalogue words the code, with the figures the rule passed as params
      h("strong", {}, findingTitle(f.code)), findingDetail(f) ? ` — ${findingDetail(f)}` : "")));
}

// The findings that stop a claim from being submitted, each with what to do about it; shown
// with the submit button disabled until something changes.
export function blockedBox(findings) {
  return h("section", { id: "blocked", class: "card blocked", role: "alert" },
    h("h2", {}, t("blocked.title")),
    h("ul", { class: "findings" }, ...findings.map((f) => h("li", { class: "block", "data-code": f.code },
      Number.isInteger(f.item) ? `${t("claim.item")} ${f.item + 1} · ` : "",
      h("strong", {}, findingTitle(f.code)), findingDetail(f) ? ` — ${findingDetail(f)}` : "",
      h("span", { class: "todo" }, `${t("blocked.todo")}: ${todo(f.code)}`)))));
}

function todo(code) {
  const key = `todo.${code}`;
  const text = t(key);
  return text === key ? t("todo.block") : text;
}

// What an item says besides amount and date: people, nights, city tier.
function ruleFacts(item) {
  const out = [];
  if (item.attendees) out.push(`${t("item.attendees")} ${item.attendees}`);
  if (item.nights) out.push(`${t("item.nights")} ${item.nights}`);
  if (item.city_tier) out.push(t(`item.tier${item.city_tier}`));
  return out.length ? h("p", { class: "muted rule-facts" }, out.join(" · ")) : null;
}

// An item's shares on cost centres or projects: code, percent (when split by percent), amount.
function splitsView(item) {
  if (!item.splits || !item.splits.length) return null;
  return h("ul", { class: "splits plain" }, ...item.splits.map((s) => h("li", { "data-code": s.code },
    `${t(`split.${s.dimension}`)} ${s.code}${s.percent ? ` · ${Number(s.percent)}%` : ""} · ${money(s.amount)}`)));
}

// A passenger ticket's facts, and an allowance's basis, in words.
function ticketView(item) {
  const tk = item.ticket;
  if (!tk || !tk.transport) return null;
  const parts = [t(`ticket.${tk.transport}`), tk.passenger_name,
    tk.passenger_is_employee ? t("ticket.isemployee") : t("ticket.notemployee")];
  if (tk.fare) parts.push(`${t("ticket.fare")} ${money(tk.fare)}`);
  if (tk.fuel_surcharge) parts.push(`${t("ticket.fuel")} ${money(tk.fuel_surcharge)}`);
  return h("p", { class: "muted ticket" }, `${t("ticket.title")}: ${parts.filter(Boolean).join(" · ")}`);
}

function allowanceWords(b) {
  return b.type === "mileage" ? fill("allow.mileagewords", { km: b.distance_km, rate: b.rate })
    : fill("allow.perdiemwords", { days: b.days, rate: b.rate, tier: b.city_tier });
}

function invoiceFields(item) {
  const inv = item.invoice;
  const flagged = new Map();
  for (const r of inv.review_reasons || []) for (const f of r.fields || []) flagged.set(f, reviewText(r));
  const corrected = new Map((item.corrections || []).map((c) => [c.field, c]));
  for (const f of corrected.keys()) flagged.delete(f); // the submitter's correction answers the flag
  const rows = fieldNames(inv.fields).filter((f) => inv.fields[f] !== null && inv.fields[f] !== undefined || flagged.has(f))
    .map((f) => h("div", { class: `kv${flagged.has(f) ? " flagged" : ""}${corrected.has(f) ? " corrected" : ""}` },
      h("dt", {}, t(`field.${f}`)),
      h("dd", {}, inv.fields[f] ?? "—",
        corrected.has(f) ? h("small", { class: "was" }, ` (${t("capture.corrected")}: ${corrected.get(f).old ?? "—"})`) : null,
        flagged.has(f) ? h("small", { class: "reason" }, labelled(t("capture.flagged"), flagged.get(f))) : null)));
  return h("dl", { class: "fieldlist" }, ...rows);
}

function itemView(item) {
  const head = h("p", {}, h("strong", {}, t(`cat.${item.category}`)), ` ${money(item.amount)} · ${item.expense_date}`,
    item.description ? ` · ${item.description}` : "");
  const box = h("li", { class: "item card", "data-item": item.position }, head, ruleFacts(item), ticketView(item));
  if (item.invoice) box.append(h("p", { class: "doctype muted" }, tOr("doc", item.invoice.document_type)));
  const fx = item.conversion;
  if (fx && fx.source !== "identity") {
    // spent abroad: the amount as spent, the rate (its day and source) and what it became
    box.append(h("p", { class: "conversion", "data-currency": fx.currency },
      `${t("fx.spent")} ${fx.currency} ${fx.original_amount} × ${fx.rate} (${fx.rate_date}, ${fx.source}) = ${money(fx.converted_amount)}`));
  }
  const doc = item.foreign_document;
  if (doc) {
    box.append(h("p", { class: "foreign muted" }, `${tOr("foreign", doc.kind)} · ${doc.issuer}`
      + `${doc.number ? ` · ${doc.number}` : ""} · ${doc.issue_date} · ${t("fx.nofapiao")}`));
  }
  if (item.document_id) {
    const img = h("div", { class: "preview" });
    fileUrl(item.document_id)
      .then((url) => img.append(h("img", { src: url, alt: `${t("capture.image")} ${item.position + 1}` })))
      .catch(() => {});
    box.append(h("div", { class: "split" }, img, item.invoice ? invoiceFields(item) : h("div")));
  } else if (item.allowance) {
    // the basis of a computed allowance, in the reader's words (the stored reason is the server's English)
    box.append(h("p", { class: "muted allowance" }, `${t(`allow.${item.allowance.type}`)} · ${allowanceWords(item.allowance) || ""}`));
  } else {
    box.append(h("p", { class: "muted" }, labelled(t("claim.noinvoice"), item.no_invoice_reason || "")));
  }
  const shares = splitsView(item);
  if (shares) box.append(h("p", { class: "muted" }, t("split.title")), shares);
  if (item.corrections && item.corrections.length) {
    box.append(h("p", { class: "corrections" }, `${t("claim.corrections")}: `,
      item.corrections.map((c) => `${t(`field.${c.field}`)} ${c.old ?? "—"} → ${c.new ?? "—"}`).join("; ")));
  }
  return box;
}

export function routeView(route, dir) {
  if (!route) return null;
  return h("ol", { class: "route" }, ...route.nodes.map((n) => h("li", { class: n.status, "data-node": n.id },
    h("strong", {}, stepName(n.id, n.name)), ` · ${tOr("node", n.status)}`,
    n.assignees.length ? h("span", { class: "who" }, n.assignees.map((a) => nameOf(dir, a)).join("、")) : null)));
}

export function actionName(action) { return has(`action.${action}`) ? t(`action.${action}`) : t("action._"); }

// Entries the service writes itself: their comment is its English log line, the action says it all.
const SYSTEM_WORDED = new Set(["edit", "replan", "hold"]);

// A person's comment as typed; the finding codes a finance decision names, in words.
function commentOf(e) {
  if (!e.comment || SYSTEM_WORDED.has(e.action)) return null;
  const coded = /^(.*) \[([a-z0-9_, ]+)\]$/s.exec(e.comment);
  if (!coded || !e.action.startsWith("finance_")) return e.comment;
  return `${coded[1]} — ${coded[2].split(", ").map(findingTitle).join(" · ")}`;
}

export function timelineView(timeline, dir) {
  return h("ol", { class: "timeline" }, ...timeline.map((e) => h("li", { "data-action": e.action },
    h("span", { class: "what" }, h("strong", {}, e.actor === "system" ? t("actor.system") : nameOf(dir, e.actor)), ` · ${actionName(e.action)}`),
    " ", h("time", { datetime: e.at }, when(e.at)),
    commentOf(e) ? h("q", {}, commentOf(e)) : null)));
}

export function claimDetail(c, dir) {
  return h("div", { class: "claim" },
    h("h2", {}, t("claim.items")), h("ul", { class: "items" }, ...c.items.map(itemView)),
    h("h2", {}, t("claim.findings")), findingsList(c.risk.findings),
    c.risk.score !== null && c.risk.score !== undefined
      ? h("p", {}, `${t("claim.risk")} ${c.risk.score} · `, decision(c.risk.decision)) : null,
    c.payout_reference ? h("p", {}, labelled(t("claim.paidref"), c.payout_reference)) : null,
    c.claim_type && c.claim_type !== "expense" ? h("p", { id: "claim-type-shown" }, labelled(t("ctype.label"), tOr("ctype", c.claim_type))) : null,
    preApprovalLink(c),
    c.advance_offset && c.advance_offset !== "0.00"
      ? h("p", { id: "advance-offset" }, `${t("claim.advanceoffset")} ${money(c.advance_offset)} · ${t("claim.netpayable")} ${money(c.net_payable)}`) : null,
    printButton(c),
    c.route ? h("h2", {}, t("claim.route")) : null, routeView(c.route, dir),
    h("h2", {}, t("claim.timeline")), timelineView(c.timeline, dir));
}

// The pre-approval the claim took over, by its number (fetched: the claim carries its id only).
function preApprovalLink(c) {
  if (!c.pre_approval_id) return null;
  const link = h("a", { href: `#/claims/${c.pre_approval_id}` }, `#${c.pre_approval_id}`);
  api(`/claims/${c.pre_approval_id}`).then((pre) => { link.textContent = `${pre.number} · ${pre.purpose}`; }).catch(() => {});
  return h("p", { id: "pre-approval-link" }, `${t("claim.preapproval")}: `, link);
}

// The printable form (报销单 + 粘贴单) as a PDF download (the API wants the bearer token).
function printButton(c) {
  if (c.status === "draft") return null;
  const button = h("button", { type: "button", id: "print-form" }, t("claim.print"));
  button.addEventListener("click", () => guard(() => download(`/api/v1/claims/${c.id}/form.pdf`, `${c.number || c.id}.pdf`), button.parentElement));
  return button;
}
