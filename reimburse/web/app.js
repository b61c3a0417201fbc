// The single-page app: hash routes, one render function per page, DOM built with `h`
// (text is always set as text, never as HTML, so names from invoices cannot inject markup).
import { api, ApiError, fileUrl, setSession, upload, user } from "/app/api.js";
import { lang, setLang, t, translate } from "/app/i18n.js";
import * as offline from "/app/offline.js";

const main = document.getElementById("main");
const CATEGORIES = ["travel", "lodging", "meals", "transport", "office", "client_entertainment", "other"];
const FIELDS = ["invoice_code", "invoice_number", "issue_date", "amount_excl_tax", "tax", "total", "check_code",
  "buyer_name", "buyer_tax_id", "seller_name", "seller_tax_id"];
const FIELD_LABELS = {
  invoice_code: "发票代码 code", invoice_number: "发票号码 number", issue_date: "开票日期 date",
  amount_excl_tax: "金额 amount", tax: "税额 tax", total: "价税合计 total", check_code: "校验码 check code",
  buyer_name: "购买方 buyer", buyer_tax_id: "购买方税号 buyer tax ID", seller_name: "销售方 seller",
  seller_tax_id: "销售方税号 seller tax ID",
};

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "class") el.className = v;
    else el.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

function page(title, ...content) {
  main.replaceChildren(h("h1", {}, title), ...content);
  main.focus();
}

function notice(message, kind = "error") {
  return h("p", { class: `notice ${kind}`, role: kind === "error" ? "alert" : "status" }, message);
}

function status(s) { return h("span", { class: `status ${s}` }, t(`status.${s}`)); }

async function guard(fn, where = main) {
  try {
    await fn();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) { setSession(null); location.hash = "#/login"; return; }
    where.append(notice(`${t("error")}: ${err.message}`));
  }
}

// ---- sign in ---------------------------------------------------------------------------

function loginPage() {
  const form = h("form", { class: "card", "aria-label": t("login.title") },
    h("label", { for: "username" }, t("login.user")),
    h("input", { id: "username", name: "username", autocomplete: "username", required: true }),
    h("label", { for: "password" }, t("login.password")),
    h("input", { id: "password", name: "password", type: "password", autocomplete: "current-password", required: true }),
    h("button", { type: "submit" }, t("login.submit")));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    guard(async () => {
      const data = await api("/auth/login", { method: "POST", body: { username: form.username.value, password: form.password.value } });
      setSession(data);
      chrome();
      location.hash = "#/capture";
    }, form);
  });
  page(t("login.title"), form);
}

// ---- capture: photo -> fields -> claim ---------------------------------------------------

function capturePage() {
  const input = h("input", { id: "files", type: "file", accept: "image/*,.pdf,.ofd,.xml", capture: "environment", multiple: true });
  const progress = h("progress", { max: 1, value: 0, hidden: true, "aria-label": t("capture.uploading") });
  const list = h("div", { id: "documents" });
  const items = [];
  const claimForm = h("form", { id: "claim-form", class: "card", hidden: true },
    h("label", { for: "purpose" }, t("capture.purpose")),
    h("input", { id: "purpose", name: "purpose", required: true, maxlength: 500 }),
    h("div", { id: "findings" }),
    h("div", { class: "row" },
      h("button", { type: "button", id: "check", onclick: () => submitClaim(items, claimForm, false) }, t("capture.check")),
      h("button", { type: "submit", id: "submit-claim" }, t("capture.submit"))));
  claimForm.addEventListener("submit", (e) => { e.preventDefault(); submitClaim(items, claimForm, true); });
  input.addEventListener("change", () => guard(async () => {
    const files = [...input.files];
    if (!files.length) return;
    if (!navigator.onLine) {
      await offline.enqueue(files);
      list.append(notice(t("capture.queued"), "info"));
      return;
    }
    progress.hidden = false;
    const result = await upload(files, (p) => { progress.value = p; });
    progress.hidden = true;
    for (const doc of result.documents) list.append(documentCard(doc, items, claimForm));
  }, list));
  page(t("capture.title"), h("label", { for: "files", class: "pick" }, t("capture.pick")), input, progress, list, claimForm);
}

function documentCard(doc, items, claimForm) {
  const card = h("section", { class: "card doc", "data-document": doc.id }, h("p", {}, doc.filename, " — ", t("capture.reading")));
  poll(doc.id, card, items, claimForm);
  return card;
}

async function poll(id, card, items, claimForm) {
  for (let i = 0; i < 240; i++) {
    const doc = await api(`/documents/${id}`);
    if (doc.status === "done" || doc.status === "failed") return showDocument(doc, card, items, claimForm);
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function showDocument(doc, card, items, claimForm) {
  card.replaceChildren();
  if (doc.status === "failed") { card.append(notice(`${t("capture.failed")}: ${doc.error.message}`)); return; }
  const preview = h("div", { class: "preview" });
  if (doc.kind === "image") {
    fileUrl(doc.id).then((url) => preview.append(h("img", { src: url, alt: doc.filename }))).catch(() => {});
  } else {
    preview.append(h("p", {}, doc.filename));
  }
  doc.results.forEach((res, index) => {
    if (!res.is_invoice) { card.append(preview, notice(t("capture.notinvoice"), "info")); return; }
    const flagged = new Map();
    for (const r of res.review_reasons) for (const f of r.fields) flagged.set(f, r.message);
    const fields = h("div", { class: "fields" });
    for (const name of FIELDS) {
      const id = `f-${doc.id}-${index}-${name}`;
      fields.append(h("div", { class: flagged.has(name) ? "field flagged" : "field" },
        h("label", { for: id }, FIELD_LABELS[name]),
        h("input", { id, name, value: res.fields[name] ?? "", "data-original": res.fields[name] ?? "",
          "aria-invalid": flagged.has(name) ? "true" : null }),
        flagged.has(name) ? h("small", { class: "reason" }, `${t("capture.flagged")}: ${flagged.get(name)}`) : null));
    }
    const general = res.review_reasons.filter((r) => !r.fields.length).map((r) => notice(r.message, "warn"));
    const category = h("select", { id: `cat-${doc.id}-${index}`, name: "category" },
      ...CATEGORIES.map((c) => h("option", { value: c }, t(`cat.${c}`))));
    const amount = h("input", { id: `amt-${doc.id}-${index}`, name: "amount", inputmode: "decimal", value: res.fields.total ?? "" });
    const date = h("input", { id: `date-${doc.id}-${index}`, name: "expense_date", type: "date", value: res.fields.issue_date ?? "" });
    card.append(h("div", { class: "split" }, preview, h("div", {},
      h("p", {}, res.document_type), fields, ...general,
      h("label", { for: category.id }, t("capture.category")), category,
      h("label", { for: amount.id }, t("capture.amount")), amount,
      h("label", { for: date.id }, t("capture.date")), date)));
    items.push({ documentId: doc.id, index, fields, category, amount, date });
    claimForm.hidden = false;
  });
}

function itemPayload(item) {
  const corrected = {};
  item.fields.querySelectorAll("input").forEach((inp) => {
    if (inp.value !== inp.dataset.original) corrected[inp.name] = inp.value || null;
  });
  return { category: item.category.value, amount: item.amount.value, expense_date: item.date.value,
    document_id: item.documentId, result_index: item.index, fields: Object.keys(corrected).length ? corrected : null };
}

async function submitClaim(items, form, submit) {
  // one request at a time: a second tap while the first is on its way would create a second claim
  if (form.dataset.busy) return;
  form.dataset.busy = "1";
  form.querySelectorAll("button").forEach((b) => { b.disabled = true; });
  const box = form.querySelector("#findings");
  box.replaceChildren();
  try {
    await submitClaimNow(items, form, submit, box);
  } finally {
    delete form.dataset.busy;
    form.querySelectorAll("button").forEach((b) => { b.disabled = false; });
  }
}

async function submitClaimNow(items, form, submit, box) {
  await guard(async () => {
    let claimId = form.dataset.claim;
    const body = { purpose: form.purpose.value || "报销", items: items.map(itemPayload) };
    if (claimId) await api(`/claims/${claimId}`, { method: "PATCH", body });
    else claimId = form.dataset.claim = (await api("/claims", { method: "POST", body })).id;
    if (!submit) {
      const check = await api(`/claims/${claimId}/check`, { method: "POST" });
      box.append(h("h2", {}, t("claim.findings")), findingsList(check.findings));
      return;
    }
    await api(`/claims/${claimId}/submit`, { method: "POST", headers: { "Idempotency-Key": `submit-${claimId}` } });
    location.hash = `#/claims/${claimId}`;
  }, box);
}

function findingsList(findings) {
  if (!findings || !findings.length) return h("p", { class: "ok" }, "✓");
  return h("ul", { class: "findings" }, ...findings.map((f) => h("li", { class: f.severity }, `[${f.code}] ${f.message}`)));
}

// ---- my claims ----------------------------------------------------------------------------

async function claimsPage() {
  await guard(async () => {
    const data = await api("/claims?mine=true");
    const rows = data.items.map((c) => h("li", {}, h("a", { href: `#/claims/${c.id}` }, c.number, " · ", c.purpose, " · ¥", c.total), " ", status(c.status)));
    page(t("claims.title"), rows.length ? h("ul", { class: "list" }, ...rows) : h("p", {}, t("claims.empty")));
  });
}

async function claimPage(id) {
  await guard(async () => {
    const c = await api(`/claims/${id}`);
    const me = user();
    const actions = h("div", { class: "row" });
    if (c.submitter.id === me.id && c.status === "submitted") {
      actions.append(h("button", { id: "withdraw", onclick: () => guard(async () => {
        await api(`/claims/${id}/withdraw`, { method: "POST", body: {} }); route();
      }) }, t("claim.withdraw")));
    }
    if (c.submitter.id === me.id && c.status === "returned") {
      const purpose = h("input", { id: "purpose", value: c.purpose, "aria-label": t("capture.purpose") });
      actions.append(purpose, h("button", { id: "resubmit", onclick: () => guard(async () => {
        const items = c.items.map((i) => ({ category: i.category, amount: i.amount, expense_date: i.expense_date,
          description: i.description, document_id: i.document_id, result_index: i.result_index,
          no_invoice_kind: i.no_invoice_kind, no_invoice_reason: i.no_invoice_reason }));
        await api(`/claims/${id}`, { method: "PATCH", body: { purpose: purpose.value, items, version: c.version } });
        await api(`/claims/${id}/submit`, { method: "POST" });
        route();
      }) }, t("claim.resubmit")));
    }
    page(`${c.number} · ¥${c.total}`, h("p", {}, c.purpose, " ", status(c.status)), claimDetail(c), actions);
  });
}

function claimDetail(c) {
  const docs = h("div", { class: "docs" });
  for (const item of c.items) {
    if (item.document_id) fileUrl(item.document_id).then((url) => docs.append(h("img", { src: url, alt: `invoice ${item.position + 1}` }))).catch(() => {});
  }
  const items = h("ul", { class: "list" }, ...c.items.map((i) => h("li", {}, t(`cat.${i.category}`), " ¥", i.amount, " ", i.expense_date,
    i.invoice ? ` · ${i.invoice.fields.seller_name || ""} ${i.invoice.fields.invoice_number || ""}` : ` · ${i.no_invoice_reason || ""}`)));
  const routeBox = c.route ? h("ol", { class: "route" }, ...c.route.nodes.map((n) => h("li", { class: n.status }, `${n.name} — ${n.status}`))) : null;
  const timeline = h("ol", { class: "timeline" }, ...c.timeline.map((e) => h("li", {}, `${e.at.slice(0, 16).replace("T", " ")} · ${e.actor} · ${e.action}${e.comment ? ` · ${e.comment}` : ""}`)));
  return h("div", {}, docs, items,
    h("h2", {}, t("claim.findings")), findingsList(c.risk.findings),
    c.risk.score !== null ? h("p", {}, `risk ${c.risk.score} · ${c.risk.decision}`) : null,
    routeBox ? h("h2", {}, t("claim.route")) : null, routeBox,
    h("h2", {}, t("claim.timeline")), timeline);
}

// ---- approver inbox --------------------------------------------------------------------------

async function inboxPage() {
  await guard(async () => {
    const data = await api("/inbox");
    const rows = data.items.map((i) => h("li", { "data-claim": i.claim.id },
      h("a", { href: `#/inbox/${i.claim.id}` }, `${i.claim.number} · ${i.claim.submitter.display_name} · ¥${i.claim.total} · ${i.node}`),
      i.claim.risk.decision ? ` · ${i.claim.risk.decision}` : ""));
    const lowRisk = data.items.filter((i) => i.claim.risk.decision === "pass");
    const batch = lowRisk.length ? h("button", { id: "batch", onclick: () => guard(async () => {
      for (const i of lowRisk) await api(`/claims/${i.claim.id}/actions`, { method: "POST", body: { action: "approve", task_id: i.task_id } });
      route();
    }) }, `${t("inbox.batch")} (${lowRisk.length})`) : null;
    page(t("inbox.title"), rows.length ? h("ul", { class: "list" }, ...rows) : h("p", {}, t("inbox.empty")), batch);
  });
}

async function reviewPage(id) {
  await guard(async () => {
    const c = await api(`/claims/${id}`);
    const comment = h("textarea", { id: "comment", rows: 2, "aria-label": t("act.comment") });
    const people = (await api("/people")).items.filter((p) => p.id !== user().id);
    const who = h("select", { id: "who", "aria-label": t("act.who") }, ...people.map((p) => h("option", { value: p.id }, p.display_name)));
    const act = (action, extra = {}) => guard(async () => {
      await api(`/claims/${id}/actions`, { method: "POST", body: { action, comment: comment.value, version: c.version, ...extra } });
      location.hash = "#/inbox";
    });
    const buttons = h("div", { class: "row actions" },
      h("button", { id: "approve", class: "primary", onclick: () => act("approve"), title: "a" }, t("act.approve")),
      h("button", { id: "return", onclick: () => act("return"), title: "t" }, t("act.return")),
      h("button", { id: "reject", class: "danger", onclick: () => act("reject"), title: "r" }, t("act.reject")));
    const delegate = h("div", { class: "row" }, who,
      h("button", { id: "transfer", onclick: () => act("transfer", { to_user_id: Number(who.value) }) }, t("act.transfer")),
      h("button", { id: "add-signer", onclick: () => act("add_signer", { to_user_id: Number(who.value), position: "after" }) }, t("act.addsigner")),
      h("button", { id: "comment-only", onclick: () => act("comment") }, t("act.commentonly")));
    page(`${c.number} · ${c.submitter.display_name} · ¥${c.total}`, h("p", {}, c.purpose), claimDetail(c),
      h("label", { for: "comment" }, t("act.comment")), comment, buttons, delegate);
    keys = { a: () => act("approve"), r: () => act("reject"), t: () => act("return") };
  });
}

let keys = {};
document.addEventListener("keydown", (e) => {
  if (e.target.matches("input, textarea, select") || e.ctrlKey || e.metaKey || e.altKey) return;
  const fn = keys[e.key];
  if (fn) { e.preventDefault(); fn(); }
});

// ---- finance --------------------------------------------------------------------------------

async function financePage() {
  await guard(async () => {
    const payouts = await api("/payouts");
    const rows = payouts.items.map((p) => h("li", { "data-claim": p.claim_id }, `${p.number} · ${p.payee} · ¥${p.total} · ${p.purpose}`));
    const exportLink = h("button", { id: "export", onclick: () => guard(async () => {
      const res = await fetch("/api/v1/payouts/export.csv", { headers: { Authorization: `Bearer ${localStorage.getItem("token")}` } });
      const url = URL.createObjectURL(await res.blob());
      h("a", { href: url, download: "payouts.csv" }).click();
    }) }, t("finance.export"));
    const all = await api("/claims?mine=false");
    const exceptions = all.items.filter((c) => c.status === "submitted" && c.risk.decision && c.risk.decision !== "pass");
    page(t("finance.title"),
      h("h2", {}, t("finance.payouts")), h("ul", { class: "list", id: "payouts" }, ...rows), exportLink,
      h("h2", {}, t("finance.exceptions")),
      h("ul", { class: "list" }, ...exceptions.map((c) => h("li", {}, h("a", { href: `#/inbox/${c.id}` }, `${c.number} · ¥${c.total} · ${c.risk.decision}`)))));
  });
}

// ---- shell ---------------------------------------------------------------------------------

function chrome() {
  const me = user();
  document.getElementById("nav").hidden = !me;
  document.getElementById("logout").hidden = !me;
  document.querySelectorAll("[data-role=finance]").forEach((el) => {
    el.hidden = !(me && me.roles.some((r) => r === "finance" || r === "admin"));
  });
  document.getElementById("lang").textContent = lang === "zh" ? "EN" : "中文";
  translate(document);
}

function route() {
  keys = {};
  const hash = location.hash || "#/capture";
  if (!user() && hash !== "#/login") { location.hash = "#/login"; return; }
  const [, name, id] = hash.split("/");
  ({ login: loginPage, capture: capturePage, claims: () => (id ? claimPage(id) : claimsPage()),
     inbox: () => (id ? reviewPage(id) : inboxPage()), finance: financePage }[name] || capturePage)();
}

function connectivity() {
  const banner = document.getElementById("offline");
  banner.textContent = t("offline");
  banner.hidden = navigator.onLine;
  if (navigator.onLine && user()) offline.flush((files) => upload(files, () => {})).catch(() => {});
}

document.getElementById("lang").addEventListener("click", () => { setLang(lang === "zh" ? "en" : "zh"); chrome(); route(); });
document.getElementById("logout").addEventListener("click", async () => {
  await api("/auth/logout", { method: "POST" }).catch(() => {});
  setSession(null);
  chrome();
  location.hash = "#/login";
});
window.addEventListener("hashchange", route);
window.addEventListener("online", connectivity);
window.addEventListener("offline", connectivity);
if ("serviceWorker" in navigator) navigator.serviceWorker.register("/sw.js").catch(() => {});
setLang(lang);
chrome();
connectivity();
route();
