// DOM helpers shared by the pages. Text is always set as text, never as HTML, so names read
// from invoices cannot inject markup.
import { api, ApiError, setUser } from "/app/api.js";
import { errorText, lang, problemText, t } from "/app/i18n.js";

export const main = document.getElementById("main");

// Children that are null, undefined or false are skipped (a page passes `cond ? x : null`); so
// the DOM never shows the word "null".
function kids(children) {
  return children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false)
    .map((c) => (c instanceof Node ? c : document.createTextNode(String(c))));
}

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "class") el.className = v;
    else if (k === "style") el.style.cssText = v; // a style *attribute* is inline style: CSP refuses it
    else el.setAttribute(k, v === true ? "" : v);
  }
  el.append(...kids(children));
  return el;
}

export function page(title, ...content) {
  main.replaceChildren(h("h1", {}, title), ...kids(content));
  main.focus();
}

export function notice(message, kind = "error") {
  return h("p", { class: `notice ${kind}`, role: kind === "error" ? "alert" : "status" }, message);
}

export function status(s) { return h("span", { class: `status ${s}` }, t(`status.${s}`)); }

export function decision(d) {
  return d ? h("span", { class: `risk ${d}` }, t(`risk.${d}`)) : null;
}

// A short message that outlives a page change (approve, then back to the inbox).
export function toast(message) {
  const box = document.getElementById("toast");
  box.textContent = message;
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { box.hidden = true; }, 6000);
}

// Asks for a reason (required for reject and return) and a second tap before an action that
// cannot be undone. Resolves with the reason, or null when the user cancels.
export function confirmAction(where, { question, confirm, required, prefill = "" }) {
  return new Promise((resolve) => {
    where.querySelectorAll(".confirm").forEach((el) => el.remove());
    const reason = h("textarea", { id: "reason", rows: 2, required, maxlength: 1000 });
    reason.value = prefill;
    const error = h("p", { class: "notice error", role: "alert", hidden: true }, t("confirm.needreason"));
    const box = h("div", { class: "confirm card", role: "group", "aria-labelledby": "confirm-q" },
      h("p", { id: "confirm-q" }, h("strong", {}, question)),
      h("label", { for: "reason" }, required ? t("confirm.reason") : t("confirm.reasonoptional")), reason, error,
      h("div", { class: "row" },
        h("button", { type: "button", id: "confirm-yes", class: "danger", onclick: () => {
          if (required && !reason.value.trim()) { error.hidden = false; reason.focus(); return; }
          box.remove();
          resolve(reason.value.trim());
        } }, confirm),
        h("button", { type: "button", id: "confirm-no", onclick: () => { box.remove(); resolve(null); } }, t("confirm.cancel"))));
    where.append(box);
    reason.focus();
  });
}

export function money(value) { return `¥${value}`; }

// Times come in UTC; people read them in their own time zone, as YYYY-MM-DD HH:mm.
export function when(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  const p = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

export function daysSince(iso, now = Date.now()) {
  return iso ? Math.floor((now - Date.parse(iso)) / 86_400_000) : 0;
}

// Runs an action; a 401 sends the user to sign in, any other error is shown where it happened.
export async function guard(fn, where = main) {
  try {
    await fn();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) { setUser(null); location.hash = "#/login"; return; }
    // a page that failed to load is no longer loading: the error replaces "loading"
    if (where === main) main.querySelectorAll(":scope > [role=status].muted").forEach((el) => el.remove());
    where.append(notice(`${t("error")}: ${errorText(err)}`));
    // a refused request names each field and what is wrong with it, not just "not valid"
    if (err && err.code === "invalid_request" && problems(err).length) where.append(problemList(err));
  }
}

// Every problem an API error carries (a policy's or a flow's, or a request's field errors), each
// as { path, code, text } in the reader's words, so a refused save can list all of them.
export function problems(err) {
  const details = err && err.details ? [].concat(err.details.problems || err.details) : [];
  return details.filter((d) => d !== null && d !== undefined).map(problemText);
}

export function problemLine(p) {
  return h("li", { class: "error", "data-code": p.code || null, "data-path": p.path || null },
    p.path ? h("code", {}, p.path) : null, p.path ? (lang === "zh" ? "：" : ": ") : null, p.text);
}

export function problemList(err) {
  return h("ul", { class: "findings problems" }, ...problems(err).map(problemLine));
}

// The colleague directory, once per page load: timelines and routes carry user ids.
let directory = null;
export async function people() {
  if (!directory) directory = api("/people").then((d) => new Map(d.items.map((p) => [String(p.id), p])));
  try {
    return await directory;
  } catch (err) {
    directory = null;
    throw err;
  }
}
export function forgetPeople() { directory = null; }

export function nameOf(dir, id) {
  const p = dir.get(String(id));
  return p ? p.display_name : String(id);
}

// Downloads an authenticated file (with the session cookie) under its name.
export async function download(path, filename) {
  const res = await fetch(path, { credentials: "same-origin" });
  if (!res.ok) throw new ApiError(res.status, await res.json().catch(() => null));
  const url = URL.createObjectURL(await res.blob());
  const a = h("a", { href: url, download: filename });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
