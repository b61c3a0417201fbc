// Capture: photo(s) or e-invoice files -> upload with progress -> fields beside the stored image
// as soon as the background reading finishes -> corrections, category, purpose -> check -> submit.
import { api, fileUrl, upload } from "/app/api.js";
import { confirmAction, decision, guard, h, money, notice, page, toast, when } from "/app/dom.js";
import { guessCategory } from "/app/category.js";
import { blockedBox, contentOf, fieldNames, findingsList } from "/app/claimview.js";
import { errorText, fill, labelled, reviewText, t, tOr } from "/app/i18n.js";
import { foreignFields, moreFields } from "/app/itemextras.js";
import { ruleFields } from "/app/itemfields.js";
import * as offline from "/app/offline.js";

export const CATEGORIES = ["travel", "lodging", "meals", "transport", "office", "client_entertainment", "other"];

// The page currently shown (null when another page is up): documents uploaded from the offline
// queue land here.
let current = null;

// `editing`: a draft or returned claim of one's own, opened with its items to change them (its
// invoices, amounts, fields and photos), then saved and submitted again.
export function capturePage(editing = null) {
  // two pickers: `capture` makes many phones open the camera only, so e-invoice files (PDF, OFD,
  // XML) need a picker without it
  const camera = h("input", { id: "camera", type: "file", accept: "image/*", capture: "environment",
    class: "visually-hidden" });
  const input = h("input", { id: "files", type: "file", accept: "image/*,.pdf,.ofd,.xml,application/pdf,text/xml",
    multiple: true, class: "visually-hidden" });
  // a folder of e-invoices at once, where the browser can pick folders (not on most phones)
  const folder = h("input", { id: "folder", type: "file", webkitdirectory: true, multiple: true, "aria-label": t("capture.folder"),
    class: "visually-hidden" });
  // one row per file picked: its upload's progress, then its reading, then what it turned out to be
  const batch = h("ul", { id: "batch", class: "list plain batch", "aria-label": t("capture.batch"), hidden: true });
  const list = h("div", { id: "documents", "aria-live": "polite" });
  const waiting = h("p", { id: "waiting", class: "notice info", role: "status", hidden: true });
  const items = [];
  const claimForm = h("form", { id: "claim-form", class: "card", hidden: true },
    h("label", { for: "purpose" }, t("capture.purpose")),
    h("input", { id: "purpose", name: "purpose", required: true, maxlength: 500, value: editing?.purpose ?? "" }),
    h("div", { class: "pair" },
      h("div", {}, h("label", { for: "trip-start" }, t("capture.tripstart")),
        h("input", { id: "trip-start", name: "trip_start", type: "date", value: editing?.trip_start ?? "" })),
      h("div", {}, h("label", { for: "trip-end" }, t("capture.tripend")),
        h("input", { id: "trip-end", name: "trip_end", type: "date", value: editing?.trip_end ?? "" }))),
    claimTypeAndPreApproval(editing),
    h("div", { id: "findings", "aria-live": "polite" }),
    h("div", { id: "blocked-area" }), // what stops the submission, right above its button
    h("div", { class: "row" },
      h("button", { type: "button", id: "check", onclick: () => submitClaim(items, claimForm, false) }, t("capture.check")),
      h("button", { type: "submit", id: "submit-claim" },
        editing?.status === "returned" ? t("claim.resubmit") : t("capture.submit"))));
  claimForm.addEventListener("submit", (e) => { e.preventDefault(); submitClaim(items, claimForm, true); });
  if (editing) {
    claimForm.dataset.claim = editing.id;
    claimForm.dataset.version = editing.version;
    claimForm.dataset.content = contentOf(editing);
    if (editing.cost_centre) claimForm.dataset.costCentre = editing.cost_centre; // kept: no field for it here
  }
  // a change after a blocked check may have cleared the reasons: the next tap asks the server again
  claimForm.addEventListener("input", () => unblock(claimForm));
  list.addEventListener("input", () => unblock(claimForm));
  list.addEventListener("change", () => unblock(claimForm));
  const show = (docs) => { for (const doc of docs) list.append(documentCard(doc, items, claimForm)); };
  const picked = (from) => guard(async () => {
    // a folder holds more than invoices: keep the files the reader takes
    const files = [...from.files].filter((f) => from !== folder || READABLE.test(f.name));
    from.value = "";
    if (!files.length) return;
    if (!navigator.onLine) {
      await offline.enqueue(files);
      list.append(notice(t("capture.queued"), "info"));
      await countWaiting(waiting);
      return;
    }
    batch.hidden = false;
    // each file's place in the list is kept in the order picked, whichever upload ends first
    const slots = files.map(() => list.appendChild(h("div", { class: "slot" })));
    await uploadEach(files, batch,
      (i, docs, row) => slots[i].replaceWith(...docs.map((doc) => documentCard(doc, items, claimForm, null, row))),
      (i) => slots[i].remove(),
      async (file) => {
        // the connection dropped during the upload: keep the file for later
        await offline.enqueue([file]);
        await countWaiting(waiting);
      });
  }, list);
  input.addEventListener("change", () => picked(input));
  camera.addEventListener("change", () => picked(camera));
  folder.addEventListener("change", () => picked(folder));
  // an item without invoice is an allowance (per-diem, mileage): its amount is computed, never typed
  const allowance = h("button", { type: "button", id: "add-allowance", class: "link",
    onclick: () => {
      const card = allowanceCard(items, claimForm);
      list.append(card);
      card.querySelector("select").focus(); // in the DOM now: focus lands at once
    } }, t("allow.add"));
  const pick = (target, id, text) => h("label", { for: target.id, id, class: "pick", role: "button", tabindex: "0",
    onkeydown: (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); target.click(); } } }, text);
  const unfinished = h("div", { id: "unfinished" });
  page(editing ? `${t("edit.title")} · ${editing.number}` : t("capture.title"),
    editing ? h("p", { class: "muted" }, t(editing.status === "returned" ? "edit.returnedhelp" : "edit.drafthelp")) : null,
    editing ? null : unfinished,
    h("div", { class: "pickers" },
      pick(camera, "pick-camera", t("capture.photo")), pick(input, "pick-files", t("capture.choose"))),
    h("div", { class: "row" }, allowance,
      "webkitdirectory" in folder && !matchMedia("(pointer: coarse)").matches
        ? h("button", { type: "button", id: "pick-folder", class: "link", onclick: () => folder.click() }, t("capture.folder")) : null),
    camera, input, folder, batch, waiting, list, claimForm);
  current = { show, list, waiting };
  countWaiting(waiting).catch(() => {});
  if (editing) loadItems(editing, list, items, claimForm);
  else guard(() => showUnfinished(unfinished, (doc) => list.append(documentCard(doc, items, claimForm))), unfinished);
}

// The claim's items as cards to change: each invoice beside its stored document, the items
// without invoice as allowance cards (one stored with a typed amount, before allowances were
// computed, asks for its basis: saved again, it is computed), in the claim's order.
function loadItems(c, list, items, claimForm) {
  for (const item of c.items) {
    if (item.document_id) {
      list.append(documentCard({ id: item.document_id, filename: "" }, items, claimForm, item));
    } else {
      list.append(allowanceCard(items, claimForm, item));
    }
  }
  claimForm.hidden = false;
}

// After a reload: the drafts to reopen or delete, and uploads that are in no claim yet.
async function showUnfinished(box, add) {
  const [drafts, docs] = await Promise.all([
    api("/claims?mine=true&status=draft&limit=10"),
    api("/documents?unattached=true&limit=20"),
  ]);
  const week = Date.now() - 7 * 86_400_000;
  const recent = docs.items.filter((d) => Date.parse(d.created_at) >= week && d.status !== "failed");
  const parts = [];
  if (drafts.items.length) {
    parts.push(h("section", { id: "drafts", class: "card" }, h("h2", {}, t("drafts.title")),
      h("ul", { class: "list plain" }, ...drafts.items.map((c) => draftRow(c)))));
  }
  if (recent.length) {
    const rows = recent.map((d) => h("li", { "data-document": d.id },
      `${d.filename} · ${when(d.created_at)} `,
      h("button", { type: "button", class: "link resume-doc", onclick: (e) => {
        e.target.closest("li").remove();
        if (!box.querySelector("#uploads li")) box.querySelector("#uploads")?.remove();
        add(d);
      } }, t("drafts.resume"))));
    parts.push(h("section", { id: "uploads", class: "card" }, h("h2", {}, t("drafts.uploads")),
      h("p", { class: "muted" }, t("drafts.uploadshelp")), h("ul", { class: "list plain" }, ...rows)));
  }
  box.replaceChildren(...parts);
}

function draftRow(c) {
  const row = h("li", { "data-claim": c.id },
    h("a", { href: `#/claims/${c.id}/edit` }, `${c.number} · ${c.purpose} · ${money(c.total)}`),
    h("small", { class: "muted" }, ` ${when(c.created_at)} `),
    h("button", { type: "button", class: "link danger delete-draft", onclick: () => guard(async () => {
      const ok = await confirmAction(row, { question: t("drafts.confirmdelete"), confirm: t("drafts.delete"), required: false });
      if (ok === null) return;
      await api(`/claims/${c.id}`, { method: "DELETE" });
      toast(`${t("drafts.deleted")} · ${c.number}`);
      const list = row.parentElement;
      row.remove();
      if (list && !list.children.length) list.closest("section").remove();
    }, row) }, t("drafts.delete")));
  return row;
}

// Unblock the submit button once anything changed after a blocked check.
function unblock(form) {
  if (!form.dataset.blocked) return;
  delete form.dataset.blocked;
  form.querySelector("#submit-claim").disabled = false;
}

function showBlocked(form, findings) {
  form.dataset.blocked = "1";
  form.querySelector("#blocked-area").replaceChildren(blockedBox(findings));
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

// `prefill`: the claim item this document's card shows when a claim is edited; `row`: the file's
// line in the batch list, told how the reading ended.
function documentCard(doc, items, claimForm, prefill = null, row = null) {
  const card = h("section", { class: "card doc", "data-document": doc.id, "aria-busy": "true" },
    h("p", {}, doc.filename, " — ", t("capture.reading")));
  guard(async () => {
    const read = await poll(doc.id, card, items, claimForm, prefill);
    if (row && read) row.done(read.status === "failed" ? "failed" : read.results.some((r) => r.is_invoice) ? "read" : "notinvoice");
  }, card);
  return card;
}

async function poll(id, card, items, claimForm, prefill) {
  for (let i = 0, wait = 400; i < 300; i++, wait = Math.min(wait * 1.25, 2000)) {
    const doc = await api(`/documents/${id}`);
    if (doc.status === "done" || doc.status === "failed") {
      showDocument(doc, card, items, claimForm, prefill);
      return doc;
    }
    await new Promise((r) => setTimeout(r, wait));
  }
  return null;
}

const READABLE = /\.(pdf|ofd|xml|jpe?g|png|webp|heic|heif|bmp|tiff?)$/i;
const AT_ONCE = 3; // uploads in parallel: a batch of photos goes up about three times faster

// One row per file: its name, a progress bar for the upload, then the reading, then the outcome.
function batchRow(file) {
  const bar = h("progress", { max: 1, value: 0, "aria-label": `${t("capture.uploading")}: ${file.name}` });
  const state = h("span", { class: "state" }, t("capture.uploading"));
  const row = h("li", { class: "upload", "data-file": file.name, "data-state": "uploading" },
    h("span", { class: "name" }, file.name), state, bar);
  const set = (name, text) => { row.dataset.state = name; state.textContent = text; };
  return {
    row,
    progress: (p) => { bar.value = p; row.dataset.uploaded = String(Math.round(p * 100)); state.textContent = `${t("capture.uploading")} ${Math.round(p * 100)}%`; },
    reading: () => { bar.value = 1; set("reading", t("capture.reading")); bar.removeAttribute("value"); }, // indeterminate
    done: (outcome) => { bar.max = 1; bar.value = 1; set(outcome, t(`capture.state.${outcome}`)); },
    failed: (err) => { bar.value = 0; set("failed", `${t("capture.failed")}: ${errorText(err)}`); },
    queued: () => { set("queued", t("capture.state.queued")); },
  };
}

// Each file its own upload (and so its own progress), a few at a time; each document shown as
// soon as it is in. A dropped connection queues the file for later; a refusal stays on its row.
async function uploadEach(files, batch, show, drop, queue) {
  const rows = files.map((f) => { const r = batchRow(f); batch.append(r.row); return r; });
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const i = next++;
      const row = rows[i];
      try {
        const { documents } = await upload([files[i]], row.progress);
        row.reading();
        show(i, documents, row);
      } catch (err) {
        drop(i);
        if (err.status === 0) { await queue(files[i]); row.queued(); } else row.failed(err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(AT_ONCE, files.length) }, worker));
}

// The value as read with the characters the reader was unsure of marked where they stand
// (each also named by its place, for screen readers and for anyone who cannot see the colour).
function weakChars(id, read, weak) {
  const chars = [...(read ?? "")];
  const places = [...weak].filter((i) => i < chars.length).sort((a, b) => a - b);
  if (!places.length) return null;
  return h("p", { class: "chars", id: `${id}-chars` },
    ...chars.map((c, i) => (weak.has(i) ? h("mark", { "data-at": i }, c) : c)),
    h("span", { class: "visually-hidden" }, ` ${places.map((i) => fill("capture.charat", { n: i + 1, c: chars[i] })).join(", ")}`));
}

function fieldInput(doc, index, name, read, reason, typed, weak = new Set()) {
  const id = `f-${doc.id}-${index}-${name}`;
  const value = typed === undefined ? read : typed; // a correction made before is shown as typed
  const marked = reason ? weakChars(id, read, weak) : null;
  const input = h("input", { id, name, value: value ?? "", "data-original": read ?? "",
    "aria-invalid": reason ? "true" : null, "aria-describedby": reason ? `${id}-why${marked ? ` ${id}-chars` : ""}` : null });
  const box = h("div", { class: reason ? "field flagged" : "field" },
    h("label", { for: id }, t(`field.${name}`)), input, marked,
    reason ? h("small", { class: "reason", id: `${id}-why` }, labelled(t("capture.flagged"), reason)) : null);
  if (value !== read && (value ?? "") !== (read ?? "")) {
    box.classList.add("corrected");
    if (reason) { box.classList.remove("flagged"); box.querySelector(".reason").hidden = true; input.removeAttribute("aria-invalid"); }
  }
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

function showDocument(doc, card, items, claimForm, prefill = null) {
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
      h("button", { type: "button", class: "as-foreign", onclick: () => {
        card.replaceChildren();
        foreignItem(doc, card, preview, items, claimForm, {});
      } }, t("fx.asforeign")),
      h("button", { type: "button", class: "as-allowance", onclick: () => {
        card.remove();
        document.getElementById("add-allowance").click();
      } }, t("allow.add"))));
  if (prefill?.foreign_document) { foreignItem(doc, card, preview, items, claimForm, prefill); return; }
  if (!doc.results.length || doc.results.every((r) => !r.is_invoice)) { notInvoice(); return; }
  doc.results.forEach((res, index) => {
    if (!res.is_invoice) return;
    if (prefill && index !== (prefill.result_index || 0)) return; // the invoice the item rests on
    const flagged = new Map();
    const weak = new Map(); // field -> the places of the characters read with low confidence
    for (const r of res.review_reasons) {
      for (const f of r.fields) {
        flagged.set(f, reviewText(r));
        if (r.params && r.params.chars) weak.set(f, new Set(r.params.chars.split(",").map(Number)));
      }
    }
    const typed = new Map((prefill?.corrections || []).map((c) => [c.field, c.new]));
    const fields = h("div", { class: "fields" }, ...fieldNames(res.fields).map((n) => fieldInput(doc, index, n, res.fields[n],
      flagged.get(n), typed.has(n) ? typed.get(n) : undefined, weak.get(n))));
    const general = res.review_reasons.filter((r) => !r.fields.length).map((r) => notice(reviewText(r), "warn"));
    const key = `${doc.id}-${index}`;
    const category = h("select", { id: `cat-${key}`, name: "category" },
      ...CATEGORIES.map((c) => h("option", { value: c }, t(`cat.${c}`))));
    category.value = prefill ? prefill.category : guessCategory(res);
    const amount = h("input", { id: `amt-${key}`, name: "amount", inputmode: "decimal", required: true,
      pattern: "\\d+(\\.\\d{1,2})?", value: prefill && !prefill.fresh ? prefill.amount : res.fields.total ?? "" });
    const date = h("input", { id: `date-${key}`, name: "expense_date", type: "date", required: true,
      value: prefill && !prefill.fresh ? prefill.expense_date : res.fields.issue_date ?? "" });
    const notes = h("input", { id: `notes-${key}`, name: "description", maxlength: 500, value: prefill?.description ?? "" });
    const rules = ruleFields(key, category, prefill || {});
    const more = moreFields(key, category, prefill || {}, amount);
    const item = { card, inputs: [amount, date, ...rules.inputs], extra: more.inputs,
      payload: () => ({ ...invoicePayload(doc.id, index, fields, category, amount, date, notes), ...rules.values(),
        ...more.values() }) };
    const remove = removeButton(items, item, card, claimForm);
    card.append(h("div", { class: "split" }, preview, h("div", {},
      h("p", { class: "doctype" }, tOr("doc", res.document_type)), ...general, fields,
      h("label", { for: category.id }, t("capture.category")), category, rules.box,
      h("label", { for: amount.id }, t("capture.amount")), amount,
      h("label", { for: date.id }, t("capture.date")), date,
      h("label", { for: notes.id }, t("capture.notes")), notes, more.box,
      h("div", { class: "row" }, remove, replaceButton(items, item, card, claimForm, prefill)))));
    items.push(item);
    claimForm.hidden = false;
  });
}

// Another photo or file for this item: the new document's card takes the old one's place (and
// keeps what the submitter said about the expense: category, notes, people, nights).
function replaceButton(items, item, card, claimForm, prefill) {
  const picker = h("input", { type: "file", class: "visually-hidden replace-file", "aria-label": t("capture.replace"),
    accept: "image/*,.pdf,.ofd,.xml,application/pdf,text/xml" });
  picker.addEventListener("change", () => guard(async () => {
    const files = [...picker.files];
    if (!files.length) return;
    const { documents } = await upload(files, () => {});
    const keep = { ...(prefill || {}), ...item.payload() };
    const next = documentCard(documents[0], items, claimForm,
      { category: keep.category, description: keep.description, attendees: keep.attendees, nights: keep.nights,
        city_tier: keep.city_tier, ticket: keep.ticket, splits: keep.splits, result_index: 0, fresh: true });
    card.replaceWith(next);
    items.splice(items.indexOf(item), 1);
  }, card));
  return h("span", {}, picker, h("button", { type: "button", class: "link replace-doc", onclick: () => picker.click() },
    t("capture.replace")));
}

function removeButton(items, item, card, claimForm) {
  return h("button", { type: "button", class: "link remove-item", onclick: () => {
    items.splice(items.indexOf(item), 1);
    card.remove();
    claimForm.hidden = items.length === 0 && !claimForm.dataset.claim;
    unblock(claimForm);
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

// A receipt or invoice from abroad (hotel folio, foreign tax invoice): not a fapiao, so nothing is
// read from it; the submitter types its currency, issuer, number and date, and the photo is its
// image. The server converts the amount at the rate of the day and shows the conversion.
function foreignItem(doc, card, preview, items, claimForm, prefill) {
  const key = `${doc.id}-x`;
  const category = h("select", { id: `cat-${key}`, name: "category" },
    ...CATEGORIES.map((c) => h("option", { value: c }, t(`cat.${c}`))));
  category.value = prefill.category || "lodging";
  const amountLabel = h("label", { for: `amt-${key}` });
  const amount = h("input", { id: `amt-${key}`, name: "amount", inputmode: "decimal", required: true,
    pattern: "\\d+(\\.\\d{1,2})?", value: prefill.original_amount ?? prefill.amount ?? "" });
  const foreign = foreignFields(key, prefill, amountLabel);
  const date = h("input", { id: `date-${key}`, name: "expense_date", type: "date", required: true,
    value: prefill.expense_date ?? "" });
  // the day on the receipt is the day of the spend unless the submitter says otherwise
  foreign.issued.addEventListener("change", () => { if (!date.value) date.value = foreign.issued.value; });
  const notes = h("input", { id: `notes-${key}`, name: "description", maxlength: 500, value: prefill.description ?? "" });
  const rules = ruleFields(key, category, prefill);
  const more = moreFields(key, category, prefill, amount, { foreign: () => true });
  const item = { card, inputs: [amount, date, ...foreign.inputs, ...rules.inputs], extra: more.inputs,
    payload: () => ({ category: category.value, amount: amount.value, expense_date: date.value,
      description: notes.value, document_id: doc.id, ...foreign.values(), ...rules.values(), ...more.values() }) };
  card.classList.add("foreign");
  card.append(h("div", { class: "split" }, preview, h("div", {},
    h("p", { class: "doctype" }, t("fx.foreigndoc")), foreign.box,
    h("label", { for: category.id }, t("capture.category")), category, rules.box,
    amountLabel, amount,
    h("label", { for: date.id }, t("capture.date")), date,
    h("label", { for: notes.id }, t("capture.notes")), notes, more.box,
    h("div", { class: "row" }, removeButton(items, item, card, claimForm)))));
  items.push(item);
  claimForm.hidden = false;
}

// A per-diem or mileage allowance: the submitter gives the basis (city tier and days, or km) and
// the server computes the amount from the policy's rates; it is shown after each save.
let allowanceCount = 0;
function allowanceCard(items, claimForm, prefill = null) {
  const key = `a${++allowanceCount}`;
  const basis = prefill?.allowance || {};
  const type = h("select", { id: `allow-${key}`, name: "allowance" },
    h("option", { value: "per_diem" }, t("allow.per_diem")), h("option", { value: "mileage" }, t("allow.mileage")));
  type.value = basis.type || prefill?.no_invoice_kind || "per_diem";
  const tier = h("select", { id: `atier-${key}`, name: "city_tier" },
    h("option", { value: "" }, t("item.tierpick")),
    ...[1, 2, 3].map((n) => h("option", { value: String(n) }, t(`item.tier${n}`))));
  tier.value = basis.city_tier ? String(basis.city_tier) : "";
  const days = h("input", { id: `days-${key}`, name: "days", type: "number", inputmode: "numeric", min: 1, max: 366,
    step: 1, value: basis.days ?? "" });
  const km = h("input", { id: `km-${key}`, name: "distance_km", inputmode: "decimal", pattern: "\\d+(\\.\\d)?",
    value: basis.distance_km ?? "" });
  const date = h("input", { id: `date-${key}`, name: "expense_date", type: "date", required: true,
    value: prefill?.expense_date ?? new Date().toISOString().slice(0, 10) });
  const notes = h("input", { id: `notes-${key}`, name: "description", maxlength: 500, value: prefill?.description ?? "" });
  const perDay = h("div", { class: "pair", "data-allowance": "per_diem" },
    h("div", {}, h("label", { for: tier.id }, t("item.tier")), tier),
    h("div", {}, h("label", { for: days.id }, t("allow.days")), days));
  const distance = h("div", { "data-allowance": "mileage" }, h("label", { for: km.id }, t("allow.km")), km);
  const result = h("p", { class: "allowance-amount", "aria-live": "polite" });
  const computed = { value: prefill?.allowance ? prefill.amount : "" }; // the server's amount, for the split
  const more = moreFields(key, type, prefill || {}, computed, { tickets: false, computed: true });
  const shown = (it) => {
    computed.value = it.amount;
    more.check();
    const b = it.allowance || {};
    const words = b.type === "mileage" ? fill("allow.mileagewords", { km: b.distance_km, rate: b.rate })
      : fill("allow.perdiemwords", { days: b.days, rate: b.rate, tier: b.city_tier });
    result.replaceChildren(h("strong", {}, `${t("allow.computed")} ${money(it.amount)}`), words ? ` · ${words}` : "");
  };
  const stale = () => { computed.value = ""; more.check(); result.textContent = t("allow.oncheck"); };
  const update = () => {
    const perDiem = type.value === "per_diem";
    perDay.hidden = !perDiem;
    distance.hidden = perDiem;
    tier.required = days.required = perDiem;
    km.required = !perDiem;
    stale();
  };
  type.addEventListener("change", update);
  for (const el of [tier, days, km]) el.addEventListener("input", stale);
  update();
  if (prefill?.allowance) shown(prefill);
  const card = h("section", { class: "card doc allowance" });
  const item = { card, inputs: [tier, days, km, date], extra: more.inputs, saved: shown, payload: () => {
    const perDiem = type.value === "per_diem";
    return { category: perDiem ? "travel" : "transport", allowance: type.value, expense_date: date.value,
      description: notes.value, city_tier: perDiem ? Number(tier.value) : null, days: perDiem ? Number(days.value) : null,
      distance_km: perDiem ? null : km.value, ...more.values() };
  } };
  card.append(h("h2", {}, t("allow.title")), h("p", { class: "muted hint" }, t("allow.help")),
    h("label", { for: type.id }, t("allow.kind")), type, perDay, distance,
    h("label", { for: date.id }, t("capture.date")), date,
    h("label", { for: notes.id }, t("capture.notes")), notes, result, more.box,
    h("div", { class: "row" }, removeButton(items, item, card, claimForm)));
  items.push(item);
  claimForm.hidden = false;
  return card;
}

// The claim's type (it selects the approval flow) and the approved pre-approval it takes over.
function claimTypeAndPreApproval(editing) {
  const chosen = editing?.claim_type || "expense";
  const type = h("select", { id: "claim-type", name: "claim_type" }, h("option", { value: chosen }, tOr("ctype", chosen)));
  const pre = h("select", { id: "pre-approval", name: "pre_approval_id" }, h("option", { value: "" }, t("pre.none")));
  if (editing?.pre_approval_id) {
    pre.append(h("option", { value: String(editing.pre_approval_id) }, `#${editing.pre_approval_id}`));
    pre.value = String(editing.pre_approval_id);
  }
  const box = h("div", { class: "claim-extra" },
    h("div", { class: "pair" },
      h("div", {}, h("label", { for: type.id }, t("ctype.label")), type),
      h("div", {}, h("label", { for: pre.id }, t("pre.label")), pre)),
    h("a", { href: "#/pre-approvals", id: "ask-pre-approval", class: "small-link" }, t("pre.ask")));
  guard(async () => {
    const [types, mine] = await Promise.all([api("/claim-types"),
      api("/claims?mine=true&kind=pre_approval&status=approved&limit=50")]);
    const keepType = type.value;
    type.replaceChildren(...Object.keys(types.types).map((k) => h("option", { value: k }, tOr("ctype", k))));
    type.value = keepType;
    if (!type.value) type.value = "expense";
    const keepPre = pre.value;
    const linked = pre.querySelector(`option[value="${keepPre}"]`);
    pre.replaceChildren(h("option", { value: "" }, t("pre.none")),
      ...mine.items.map((c) => h("option", { value: String(c.id) }, `${c.number} · ${c.purpose} · ${money(c.total)}`)));
    if (keepPre && !pre.querySelector(`option[value="${keepPre}"]`) && linked) pre.append(linked);
    pre.value = keepPre;
  }, box);
  return box;
}

async function submitClaim(items, form, submit) {
  // one request at a time: a second tap while the first is on its way would create a second claim
  if (form.dataset.busy) return;
  const inputs = (i) => [...i.inputs, ...(i.extra ? i.extra() : [])];
  // a problem behind a closed "more" toggle: open it, so the message shows where it is
  for (const inp of items.flatMap(inputs)) {
    const panel = inp.closest(".more-fields");
    if (panel?.hidden && !inp.checkValidity()) panel.parentElement.querySelector(".more-toggle").click();
  }
  if (!form.reportValidity() || !items.every((i) => inputs(i).every((inp) => inp.reportValidity()))) return;
  form.dataset.busy = "1";
  form.querySelectorAll("button").forEach((b) => { b.disabled = true; });
  const box = form.querySelector("#findings");
  box.replaceChildren();
  form.querySelector("#blocked-area").replaceChildren();
  try {
    await guard(() => saveAndCheck(items, form, submit, box), box);
  } finally {
    delete form.dataset.busy;
    form.querySelectorAll("button").forEach((b) => { b.disabled = false; });
    // blocked: stays disabled, with the reasons above it, until something changes
    if (form.dataset.blocked) form.querySelector("#submit-claim").disabled = true;
  }
}

// Save an edit on the version the page showed. The server may have moved the claim on meanwhile
// without anyone changing it (a tax-bureau answer adds a finding): then the edit goes onto the
// newer version; a change someone made is never overwritten.
async function patch(claimId, form, body) {
  const version = form.dataset.version ? Number(form.dataset.version) : undefined;
  return saveEdit(claimId, version, form.dataset.content, body);
}

export async function saveEdit(claimId, version, content, body) {
  try {
    return await api(`/claims/${claimId}`, { method: "PATCH", body: { ...body, version } });
  } catch (err) {
    if (err.code !== "stale_version" || !content) throw err;
    const now = await api(`/claims/${claimId}`);
    if (contentOf(now) !== content) throw err;
    return api(`/claims/${claimId}`, { method: "PATCH", body: { ...body, version: now.version } });
  }
}

// The items in the order they are shown (a replaced document keeps its item's place).
function ordered(items) {
  return [...items].sort((a, b) => (a.card === b.card ? 0
    : a.card.compareDocumentPosition(b.card) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1));
}

async function saveAndCheck(items, form, submit, box) {
  let claimId = form.dataset.claim;
  const body = { purpose: form.purpose.value, items: ordered(items).map((i) => i.payload()),
    trip_start: form.trip_start.value || null, trip_end: form.trip_end.value || null,
    cost_centre: form.dataset.costCentre || null, claim_type: form.claim_type.value || "expense",
    pre_approval_id: form.pre_approval_id.value ? Number(form.pre_approval_id.value) : null };
  let saved;
  try {
    if (claimId) {
      saved = await patch(claimId, form, body);
      form.dataset.version = saved.version;
      form.dataset.content = contentOf(saved);
    } else {
      saved = await api("/claims", { method: "POST", body });
      claimId = form.dataset.claim = saved.id;
      form.dataset.version = saved.version;
      form.dataset.content = contentOf(saved);
    }
  } catch (err) {
    // an invoice another claim already holds: nothing was saved, say which item and where
    if (err.code !== "duplicate_invoice" || !err.details) throw err;
    box.append(notice(`${t("claim.item")} ${err.details.item + 1} · ${t("finding.duplicate_invoice")} — ${err.message}`));
    return;
  }
  // what the server computed (an allowance's amount) shows on its card
  ordered(items).forEach((i, n) => { if (i.saved && saved.items[n]) i.saved(saved.items[n]); });
  if (!submit) {
    const check = await api(`/claims/${claimId}/check`, { method: "POST" });
    if (check.blocking && check.blocking.length) showBlocked(form, check.blocking);
    box.append(h("h2", {}, t("claim.findings")),
      check.findings.length ? findingsList(check.findings) : h("p", { class: "ok" }, `✓ ${t("capture.checked")}`),
      check.decision ? h("p", {}, `${t("claim.risk")} ${check.score} · `, decision(check.decision)) : null);
    return;
  }
  try {
    // the key names the content sent: a resubmission after a change is a new request
    await api(`/claims/${claimId}/submit`, { method: "POST", headers: { "Idempotency-Key": `submit-${claimId}-${form.dataset.version}` } });
  } catch (err) {
    if (err.code !== "claim_blocked") throw err;
    showBlocked(form, err.details.findings);
    return;
  }
  location.hash = `#/claims/${claimId}`;
}
