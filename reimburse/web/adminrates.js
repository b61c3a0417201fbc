// Admin: the exchange-rate table (add a rate, import a CSV: the whole file is refused when one
// line is wrong, every bad line named) and the GL mapping document (a versioned text like the
// policy). Finance and auditors read both; only admins change them.
import { api, user } from "/app/api.js";
import { guard, h, notice, page, problems } from "/app/dom.js";
import { errorText, lang, t, tOr } from "/app/i18n.js";
import { editor } from "/app/adminorg.js";

const SHOWN = 200; // rows listed; the table keeps every day of every currency

export function isAdmin() { return Boolean(user() && user().roles.includes("admin")); }

// back to where the reader came from: admin for admins, the finance workbench for finance
export function backLink() {
  return isAdmin() ? h("p", {}, h("a", { href: "#/admin", id: "back" }, `← ${t("admin.title")}`))
    : h("p", {}, h("a", { href: "#/finance", id: "back" }, `← ${t("finance.title")}`));
}

// Every problem of a refused rate or rate file, in the reader's words: a file's problems name
// their line ("3"), a typed rate's its currency and day ("USD 2026-11-30"), a field's its path.
export function rateProblem(p) {
  const where = /^\d+$/.test(p.path) ? t("rates.line").replace("{line}", p.path) : p.path;
  return where ? `${where}${lang === "zh" ? "：" : ": "}${p.text}` : p.text;
}

function failure(err) {
  return [notice(`${t("error")}: ${errorText(err)}`),
    h("ul", { class: "findings", id: "rate-problems" },
      ...problems(err).map((p) => h("li", { class: "error", "data-code": p.code || null }, rateProblem(p))))];
}

function rateTable(items) {
  if (!items.length) return h("p", { id: "rates" }, t("rates.none"));
  return h("div", { class: "scroll" }, h("table", { id: "rates" },
    h("thead", {}, h("tr", {}, ...["rates.currency", "rates.date", "rates.rate", "rates.source"]
      .map((k) => h("th", { scope: "col" }, t(k))))),
    h("tbody", {}, ...items.slice(0, SHOWN).map((r) => h("tr", { "data-currency": r.currency, "data-date": r.rate_date },
      h("td", { class: "nowrap" }, r.currency), h("td", { class: "nowrap" }, r.rate_date), h("td", { class: "num" }, r.rate),
      h("td", {}, tOr("ratesource", r.source)))))));
}

function addForm(out, reload) {
  const today = new Date().toISOString().slice(0, 10);
  const form = h("form", { class: "stack", id: "rate-form", "aria-labelledby": "rate-add-title" },
    h("h3", { id: "rate-add-title" }, t("rates.add")),
    h("label", { for: "rate-currency" }, t("rates.currency")),
    h("input", { id: "rate-currency", required: true, maxlength: 3, pattern: "[A-Za-z]{3}", autocapitalize: "characters", placeholder: "USD" }),
    h("label", { for: "rate-date" }, t("rates.date")),
    h("input", { id: "rate-date", type: "date", required: true, value: today }),
    h("label", { for: "rate-value" }, t("rates.rate")),
    h("input", { id: "rate-value", required: true, inputmode: "decimal", placeholder: "7.1234" }),
    h("label", { for: "rate-source" }, t("rates.sourceoptional")),
    h("input", { id: "rate-source", maxlength: 64, placeholder: "pboc" }),
    h("div", { class: "row" }, h("button", { type: "submit" }, t("rates.save"))));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    out.replaceChildren();
    const rate = { currency: form.querySelector("#rate-currency").value.trim().toUpperCase(),
      rate_date: form.querySelector("#rate-date").value, rate: form.querySelector("#rate-value").value.trim() };
    const source = form.querySelector("#rate-source").value.trim();
    if (source) rate.source = source;
    submit(form, out, async () => {
      await api("/admin/fx-rates", { method: "PUT", body: { rates: [rate] } });
      await reload();
      return `${t("rates.saved")}: ${rate.currency} ${rate.rate_date} ${rate.rate}`;
    });
  });
  return form;
}

function importForm(out, reload) {
  const area = h("textarea", { id: "rate-csv", rows: 6, spellcheck: "false", class: "code",
    placeholder: "currency,rate_date,rate,source\nUSD,2026-11-30,7.1234,pboc" });
  // the browser's own file button speaks the browser's language: a label in ours stands for it
  const file = h("input", { id: "rate-file", type: "file", accept: ".csv,text/csv,text/plain", class: "visually-hidden" });
  const chosen = h("span", { class: "muted", id: "rate-file-name" });
  file.addEventListener("change", async () => {
    if (!file.files.length) return;
    chosen.textContent = file.files[0].name;
    area.value = await file.files[0].text();
  });
  const pick = h("label", { for: "rate-file", class: "button", role: "button", tabindex: "0",
    onkeydown: (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); file.click(); } } }, t("rates.file"));
  const form = h("form", { class: "stack", id: "rate-import", "aria-labelledby": "rate-import-title" },
    h("h3", { id: "rate-import-title" }, t("rates.import")),
    h("p", { class: "muted" }, t("rates.importhelp")),
    h("div", { class: "row" }, pick, chosen), file,
    h("label", { for: "rate-csv" }, t("rates.paste")), area,
    h("div", { class: "row" }, h("button", { type: "submit" }, t("rates.importbutton"))));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    out.replaceChildren();
    if (!area.value.trim()) { out.append(notice(t("rates.emptyfile"))); return; }
    submit(form, out, async () => {
      const done = await api("/admin/fx-rates/import", { method: "POST", body: { text: area.value } });
      await reload();
      area.value = "";
      file.value = "";
      chosen.textContent = "";
      return `${t("rates.imported")}: ${done.saved}`;
    });
  });
  return form;
}

async function submit(form, out, send) {
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  try {
    out.append(notice(await send(), "info"));
  } catch (err) {
    if (err && err.status === 401) { await guard(() => { throw err; }); return; }
    out.append(...failure(err));
  } finally {
    button.disabled = false;
  }
}

export async function ratesPage() {
  await guard(async () => {
    const box = h("div", { id: "rate-list" });
    const reload = async () => box.replaceChildren(rateTable((await api("/admin/fx-rates")).items));
    await reload();
    const out = h("div", { "aria-live": "polite", id: "rate-status" });
    const forms = isAdmin() ? [addForm(out, reload), importForm(out, reload), out] : [];
    page(t("rates.title"), backLink(),
      h("section", { class: "card" }, h("p", { class: "muted" }, t("rates.help")), box),
      forms.length ? h("section", { class: "card" }, ...forms) : null);
  });
}

export async function glPage() {
  await guard(async () => {
    const mapping = await api("/admin/gl-mapping");
    const title = (v) => `${t("gl.title")} (v${v})`;
    const box = editor("gl-text", title(mapping.version), mapping.text, async (text) => {
      const done = await api("/admin/gl-mapping", { method: "PUT", body: { text } });
      box.querySelectorAll("h2, label").forEach((el) => { el.textContent = title(done.version); });
      return `${t("admin.saved")} v${done.version}`;
    });
    if (!isAdmin()) {
      box.querySelector("textarea").readOnly = true;
      box.querySelector(".row").remove();
    }
    page(t("gl.title"), backLink(), h("p", { class: "muted" }, t("gl.help")), box);
  });
}
