// Capture: photo(s) or e-invoice files -> upload with progress -> fields beside the stored image
// as soon as the background reading finishes -> corrections, category, purpose -> check -> submit.
import { api, fileUrl, upload } from "/app/api.js";
import { decision, guard, h, notice, page } from "/app/dom.js";
import { guessCategory } from "/app/category.js";
import { fieldNames, findingsList } from "/app/claimview.js";
import { errorText, reviewText, t, tOr } from "/app/i18n.js";
import * as offline from "/app/offline.js";

export const CATEGORIES = ["travel", "lodging", "meals", "transport", "office", "client_entertainment", "other"];

// The page currently shown (null when another page is up): documents uploaded from the offline
// queue land here.
let current = null;

export function capturePage() {
  // two pickers: `capture` makes many phones open the camera only, so e-invoice files (PDF, OFD,
  // XML) need a picker without it
  const camera = h("input", { id: "camera", type: "file", accept: "image/*", capture: "environment",
    class: "visually-hidden" });
  const input = h("input", { id: "files", type: "file", accept: "image/*,.pdf,.ofd,.xml,application/pdf,text/xml",
    multiple: true, class: "visually-hidden" });
  const progress = h("progress", { id: "progress", max: 1, value: 0, hidden: true, "aria-label": t("capture.uploading") });
  const list = h("div", { id: "documents", "aria-live": "polite" });
  const waiting = h("p", { id: "waiting", class: "notice info", role: "status", hidden: true });
  const items = [];
  const claimForm = h("form", { id: "claim-form", class: "card", hidden: true },
    h("label", { for: "purpose" }, t("capture.purpose")),
    h("input", { id: "purpose", name: "purpose", required: true, maxlength: 500 }),
    h("div", { class: "pair" },
      h("div", {}, h("label", { for: "trip-start" }, t("capture.tripstart")), h("input", { id: "trip-start", name: "trip_start", type: "date" })),
      h("div", {}, h("label", { for: "trip-end" }, t("capture.tripend")), h("input", { id: "trip-end", name: "trip_end", type: "date" }))),
    h("div", { id: "findings", "aria-live": "polite" }),
    h("div", { class: "row" },
      h("button", { type: "button", id: "check", onclick: () => submitClaim(items, claimForm, false) }, t("capture.check")),
      h("button", { type: "submit", id: "submit-claim" }, t("capture.submit"))));
  claimForm.addEventListener("submit", (e) => { e.preventDefault(); submitClaim(items, claimForm, true); });
  const show = (docs) => { for (const doc of docs) list.append(documentCard(doc, items, claimForm)); };
  const picked = (from) => guard(async () => {
    const files = [...from.files];
    from.value = "";
    if (!files.length) return;
    if (!navigator.onLine) {
      await offline.enqueue(files);
      list.append(notice(t("capture.queued"), "info"));
      await countWaiting(waiting);
      return;
    }
    progress.hidden = false;
    progress.value = 0;
    try {
      show((await upload(files, (p) => { progress.value = p; })).documents);
    } catch (err) {
      if (err.status !== 0) throw err;
      // the connection dropped during the upload: keep the photos for later
      await offline.enqueue(files);
      list.append(notice(t("capture.queued"), "info"));
    } finally {
      progress.hidden = true;
    }
  }, list);
  input.addEventListener("change", () => picked(input));
  camera.addEventListener("change", () => picked(camera));
  const noInvoice = h("button", { type: "button", id: "add-no-invoice", class: "link",
    onclick: () => {
      const card = noInvoiceCard(items, claimForm);
      list.append(card);
      card.querySelector("input[name=amount]").focus(); // in the DOM now: focus lands at once
    } }, t("capture.noinvoice"));
  const pick = (target, id, text) => h("label", { for: target.id, id, class: "pick", role: "button", tabindex: "0",
    onkeydown: (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); target.click(); } } }, text);
  page(t("capture.title"), h("div", { class: "pickers" },
    pick(camera, "pick-camera", t("capture.photo")), pick(input, "pick-files", t("capture.choose"))),
  camera, input, progress, waiting, h("div", { class: "row" }, noInvoice), list, claimForm);
  current = { show, list, waiting };
  countWaiting(waiting).catch(() => {});
}

export function leaveCapture() { current = null; }

async function countWaiting(box) {
  const n = (await offline.pending()).length;
  box.hidden = n === 0;
  box.textContent = `${n} ${t("capture.waiting")}`;
}

// Called after the offline queue was uploaded: show the new documents if the capture page is up.
export function receive(docs) {
  if (!current || !docs.length) return;
  current.list.append(notice(t("capture.flushed"), "info"));
  current.show(docs);
  countWaiting(current.waiting).catch(() => {});
}

function documentCard(doc, items, claimForm) {
  const card = h("section", { class: "card doc", "data-document": doc.id, "aria-busy": "true" },
    h("p", {}, doc.filename, " — ", t("capture.reading")));
  guard(() => poll(doc.id, card, items, claimForm), card);
  return card;
}

async function poll(id, card, items, claimForm) {
  for (let i = 0, wait = 400; i < 300; i++, wait = Math.min(wait * 1.25, 2000)) {
    const doc = await api(`/documents/${id}`);
    if (doc.status === "done" || doc.status === "failed") return showDocument(doc, card, items, claimForm);
    await new Promise((r) => setTimeout(r, wait));
  }
}

function fieldInput(doc, index, name, value, reason) {
  const id = `f-${doc.id}-${index}-${name}`;
  const input = h("input", { id, name, value: value ?? "", "data-original": value ?? "",
    "aria-invalid": reason ? "true" : null, "aria-describedby": reason ? `${id}-why` : null });
  const box = h("div", { class: reason ? "field flagged" : "field" },
    h("label", { for: id }, t(`field.${name}`)), input,
    reason ? h("small", { class: "reason", id: `${id}-why` }, `${t("capture.flagged")}: ${reason}`) : null);
  // a changed value is a correction; the server records old -> new when the claim is saved
  // a corrected value answers the flag: the warning goes, the correction shows instead
  input.addEventListener("input", () => {
    const changed = input.value !== input.dataset.original;
    box.classList.toggle("corrected", changed);
    if (!reason) return;
    box.classList.toggle("flagged", !changed);
    box.querySelector(".reason").hidden = changed;
    if (changed) input.removeAttribute("aria-invalid");
    else input.setAttribute("aria-invalid", "true");
  });
  return box;
}

function showDocument(doc, card, items, claimForm) {
  card.replaceChildren();
  card.removeAttribute("aria-busy");
  if (doc.status === "failed") { card.append(notice(`${t("capture.failed")}: ${errorText(doc.error)}`)); return; }
  const preview = h("div", { class: "preview" });
  if (doc.kind === "image") {
    fileUrl(doc.id).then((url) => preview.append(h("img", { src: url, alt: `${t("capture.image")}: ${doc.filename}` })))
      .catch(() => {});
  } else {
    preview.append(h("p", {}, doc.filename));
  }
  // not an invoice: say so, and offer the ways on (remove it, pick another file, or claim without invoice)
  const notInvoice = () => card.append(preview, notice(t("capture.notinvoice"), "info"),
    h("p", { class: "muted" }, t("capture.notinvoicehelp")),
    h("div", { class: "row" },
      h("button", { type: "button", class: "remove-doc", onclick: () => card.remove() }, t("capture.remove")),
      h("button", { type: "button", class: "pick-again", onclick: () => document.getElementById("files").click() },
        t("capture.choose")),
      h("button", { type: "button", class: "as-no-invoice", onclick: () => {
        card.remove();
        document.getElementById("add-no-invoice").click();
      } }, t("capture.noinvoice"))));
  if (!doc.results.length || doc.results.every((r) => !r.is_invoice)) { notInvoice(); return; }
  doc.results.forEach((res, index) => {
    if (!res.is_invoice) return;
    const flagged = new Map();
    for (const r of res.review_reasons) for (const f of r.fields) flagged.set(f, reviewText(r));
    const fields = h("div", { class: "fields" }, ...fieldNames(res.fields).map((n) => fieldInput(doc, index, n, res.fields[n], flagged.get(n))));
    const general = res.review_reasons.filter((r) => !r.fields.length).map((r) => notice(reviewText(r), "warn"));
    const key = `${doc.id}-${index}`;
    const category = h("select", { id: `cat-${key}`, name: "category" },
      ...CATEGORIES.map((c) => h("option", { value: c }, t(`cat.${c}`))));
    category.value = guessCategory(res);
    const amount = h("input", { id: `amt-${key}`, name: "amount", inputmode: "decimal", required: true,
      pattern: "\\d+(\\.\\d{1,2})?", value: res.fields.total ?? "" });
    const date = h("input", { id: `date-${key}`, name: "expense_date", type: "date", required: true,
      value: res.fields.issue_date ?? "" });
    const notes = h("input", { id: `notes-${key}`, name: "description", maxlength: 500 });
    const item = { inputs: [amount, date], payload: () => invoicePayload(doc.id, index, fields, category, amount, date, notes) };
    const remove = removeButton(items, item, card, claimForm);
    card.append(h("div", { class: "split" }, preview, h("div", {},
      h("p", { class: "doctype" }, tOr("doc", res.document_type)), ...general, fields,
      h("label", { for: category.id }, t("capture.category")), category,
      h("label", { for: amount.id }, t("capture.amount")), amount,
      h("label", { for: date.id }, t("capture.date")), date,
      h("label", { for: notes.id }, t("capture.notes")), notes, h("div", { class: "row" }, remove))));
    items.push(item);
    claimForm.hidden = false;
  });
}

function removeButton(items, item, card, claimForm) {
  return h("button", { type: "button", class: "link", onclick: () => {
    items.splice(items.indexOf(item), 1);
    card.remove();
    claimForm.hidden = items.length === 0;
  } }, t("capture.remove"));
}

function invoicePayload(documentId, index, fields, category, amount, date, notes) {
  const corrected = {};
  fields.querySelectorAll("input").forEach((inp) => {
    if (inp.value !== inp.dataset.original) corrected[inp.name] = inp.value || null;
  });
  return { category: category.value, amount: amount.value, expense_date: date.value, description: notes.value,
    document_id: documentId, result_index: index, fields: Object.keys(corrected).length ? corrected : null };
}

// Per-diem and mileage rest on no invoice: they say why instead.
let noInvoiceCount = 0;
function noInvoiceCard(items, claimForm) {
  const key = `n${++noInvoiceCount}`;
  const kind = h("select", { id: `kind-${key}`, name: "no_invoice_kind" },
    h("option", { value: "per_diem" }, t("capture.perdiem")), h("option", { value: "mileage" }, t("capture.mileage")));
  const category = h("select", { id: `cat-${key}`, name: "category" },
    ...CATEGORIES.map((c) => h("option", { value: c }, t(`cat.${c}`))));
  kind.addEventListener("change", () => { category.value = kind.value === "mileage" ? "transport" : "travel"; });
  const amount = h("input", { id: `amt-${key}`, name: "amount", inputmode: "decimal", required: true,
    pattern: "\\d+(\\.\\d{1,2})?" });
  const date = h("input", { id: `date-${key}`, name: "expense_date", type: "date", required: true,
    value: new Date().toISOString().slice(0, 10) });
  const reason = h("input", { id: `why-${key}`, name: "no_invoice_reason", required: true, maxlength: 500 });
  const card = h("section", { class: "card doc no-invoice" });
  const item = { inputs: [amount, date, reason], payload: () => ({ category: category.value, amount: amount.value,
    expense_date: date.value, no_invoice_kind: kind.value, no_invoice_reason: reason.value }) };
  card.append(h("h2", {}, t("claim.noinvoice")),
    h("label", { for: kind.id }, t("capture.kind")), kind,
    h("label", { for: category.id }, t("capture.category")), category,
    h("label", { for: amount.id }, t("capture.amount")), amount,
    h("label", { for: date.id }, t("capture.date")), date,
    h("label", { for: reason.id }, t("capture.reason")), reason,
    h("div", { class: "row" }, removeButton(items, item, card, claimForm)));
  items.push(item);
  claimForm.hidden = false;
  return card;
}

async function submitClaim(items, form, submit) {
  // one request at a time: a second tap while the first is on its way would create a second claim
  if (form.dataset.busy) return;
  if (!form.reportValidity() || !items.every((i) => i.inputs.every((inp) => inp.reportValidity()))) return;
  form.dataset.busy = "1";
  form.querySelectorAll("button").forEach((b) => { b.disabled = true; });
  const box = form.querySelector("#findings");
  box.replaceChildren();
  try {
    await guard(() => saveAndCheck(items, form, submit, box), box);
  } finally {
    delete form.dataset.busy;
    form.querySelectorAll("button").forEach((b) => { b.disabled = false; });
  }
}

async function saveAndCheck(items, form, submit, box) {
  let claimId = form.dataset.claim;
  const body = { purpose: form.purpose.value, items: items.map((i) => i.payload()),
    trip_start: form.trip_start.value || null, trip_end: form.trip_end.value || null };
  if (claimId) await api(`/claims/${claimId}`, { method: "PATCH", body });
  else claimId = form.dataset.claim = (await api("/claims", { method: "POST", body })).id;
  if (!submit) {
    const check = await api(`/claims/${claimId}/check`, { method: "POST" });
    box.append(h("h2", {}, t("claim.findings")),
      check.findings.length ? findingsList(check.findings) : h("p", { class: "ok" }, `✓ ${t("capture.checked")}`),
      check.decision ? h("p", {}, `${t("claim.risk")} ${check.score} · `, decision(check.decision)) : null);
    return;
  }
  await api(`/claims/${claimId}/submit`, { method: "POST", headers: { "Idempotency-Key": `submit-${claimId}` } });
  location.hash = `#/claims/${claimId}`;
}
