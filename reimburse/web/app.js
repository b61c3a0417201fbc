// The shell: sign-in, hash routes (one module per page), language switch, offline queue.
import { api, setSession, upload, user } from "/app/api.js";
import { adminPage } from "/app/admin.js";
import { capturePage, leaveCapture, receive } from "/app/capture.js";
import { claimPage, claimsPage } from "/app/claims.js";
import { forgetPeople, guard, h, page } from "/app/dom.js";
import { dashboardPage } from "/app/dashboard.js";
import { financePage } from "/app/finance.js";
import { lang, setLang, t, translate } from "/app/i18n.js";
import { clearKeys, inboxPage, reviewPage } from "/app/inbox.js";
import * as offline from "/app/offline.js";

function loginPage() {
  const form = h("form", { class: "card", "aria-label": t("login.title") },
    h("label", { for: "username" }, t("login.user")),
    h("input", { id: "username", name: "username", autocomplete: "username", autocapitalize: "none", required: true }),
    h("label", { for: "password" }, t("login.password")),
    h("input", { id: "password", name: "password", type: "password", autocomplete: "current-password", required: true }),
    h("div", { class: "row" }, h("button", { type: "submit" }, t("login.submit"))));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    guard(async () => {
      const data = await api("/auth/login", { method: "POST", body: { username: form.username.value, password: form.password.value } });
      setSession(data);
      forgetPeople();
      chrome();
      location.hash = "#/capture";
      flushQueue();
    }, form);
  });
  page(t("login.title"), form);
  form.username.focus();
  workAppButtons(form);
}

// Sign-in through the company's work app (WeCom, DingTalk, Feishu), where the server has one.
async function workAppButtons(form) {
  let platforms = [];
  try {
    platforms = (await api("/auth/workapps")).platforms;
  } catch {
    return; // an old server, or offline: the password form still works
  }
  if (!platforms.length) return;
  const row = h("div", { class: "row workapps", role: "group", "aria-label": t("login.workapps") },
    ...platforms.map((p) => h("a", { class: "button", href: `/api/v1/auth/${p.id}/login`, "data-workapp": p.id },
      lang === "zh" ? `${p.label}登录` : `Sign in with ${p.label}`)));
  form.after(row);
}

// The server's sign-in callback sends the session in the fragment (never sent to any server).
function signedIn(hash) {
  try {
    setSession(JSON.parse(decodeURIComponent(hash.slice("#/signed-in?".length))));
  } catch {
    location.replace("/#/login");
    return;
  }
  forgetPeople();
  chrome();
  const next = sessionStorage.getItem("next");
  sessionStorage.removeItem("next");
  location.replace(`/${next && next.startsWith("#/") ? next : "#/capture"}`); // drops the token from history
  flushQueue();
}

function hasRole(me, ...roles) { return Boolean(me && me.roles.some((r) => roles.includes(r))); }

function chrome() {
  const me = user();
  document.getElementById("nav").hidden = !me;
  document.getElementById("logout").hidden = !me;
  document.querySelectorAll("[data-role]").forEach((el) => {
    el.hidden = !hasRole(me, ...el.dataset.role.split(" "));
  });
  const switcher = document.getElementById("lang");
  switcher.textContent = lang === "zh" ? "EN" : "中文";
  switcher.lang = lang === "zh" ? "en" : "zh-CN";
  translate(document);
}

function markCurrent(name) {
  document.querySelectorAll("#nav a").forEach((a) => {
    if (a.getAttribute("href") === `#/${name}`) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  });
}

function route() {
  clearKeys();
  leaveCapture();
  const hash = location.hash || "#/capture";
  if (hash.startsWith("#/signed-in?")) { signedIn(hash); return undefined; }
  if (!user() && hash !== "#/login") {
    sessionStorage.setItem("next", hash); // a link from a work-app message opens it after sign-in
    location.hash = "#/login";
    return undefined;
  }
  const [, name, id] = hash.split("/");
  markCurrent(name);
  document.getElementById("main").replaceChildren(h("p", { class: "muted", role: "status" }, t("loading")));
  const pages = {
    login: loginPage,
    capture: capturePage,
    claims: () => (id ? claimPage(id, route) : claimsPage()),
    inbox: () => (id ? reviewPage(id) : inboxPage(route)),
    finance: financePage,
    dashboard: dashboardPage,
    admin: () => adminPage(route),
  };
  return (pages[name] || capturePage)();
}

// Photos saved without signal go up when the browser says it is online again.
let flushing = false;
async function flushQueue() {
  if (flushing || !navigator.onLine || !user()) return;
  flushing = true;
  try {
    receive(await offline.flush((files) => upload(files, () => {})));
  } catch {
    // still offline, or the server refused: the photos stay queued for the next attempt
  } finally {
    flushing = false;
  }
}

function connectivity() {
  const banner = document.getElementById("offline");
  banner.textContent = t("offline");
  banner.hidden = navigator.onLine;
  flushQueue();
}

// the skip link must not change the hash: the hash is the route
document.querySelector(".skip").addEventListener("click", (e) => { e.preventDefault(); document.getElementById("main").focus(); });
document.getElementById("lang").addEventListener("click", () => { setLang(lang === "zh" ? "en" : "zh"); chrome(); route(); });
document.getElementById("logout").addEventListener("click", async () => {
  await api("/auth/logout", { method: "POST" }).catch(() => {});
  setSession(null);
  forgetPeople();
  chrome();
  location.hash = "#/login";
});
window.addEventListener("hashchange", route);
window.addEventListener("online", connectivity);
window.addEventListener("offline", connectivity);
if ("serviceWorker" in navigator) navigator.serviceWorker.register("/sw.js").catch(() => {});
// a plain path (/claims/12, served by the fallback route) becomes the hash route it names
if (location.pathname !== "/" && !location.hash) history.replaceState(null, "", `/#${location.pathname}`);
setLang(lang);
chrome();
connectivity();
route();
