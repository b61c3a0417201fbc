// The shell: sign-in, hash routes (one module per page), language switch, offline queue.
import { api, setUser, upload, user } from "/app/api.js";
import { adminPage } from "/app/admin.js";
import { claimTypesPage, dimensionsPage } from "/app/admindims.js";
import { glPage, ratesPage } from "/app/adminrates.js";
import { advancesPage, preApprovalsPage } from "/app/advances.js";
import { capturePage, leaveCapture, receive } from "/app/capture.js";
import { claimPage, claimsPage, editPage } from "/app/claims.js";
import { forgetPeople, h, notice, page } from "/app/dom.js";
import { dashboardPage } from "/app/dashboard.js";
import { financePage } from "/app/finance.js";
import { homePage } from "/app/home.js";
import { errorText, lang, setLang, t, translate } from "/app/i18n.js";
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
    // not guard(): here a 401 is a wrong password, not an expired session
    form.querySelectorAll(".notice").forEach((el) => el.remove());
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    (async () => {
      try {
        // the session comes back as an HttpOnly cookie; the answer names who signed in
        const data = await api("/auth/session", { method: "POST", body: { username: form.username.value, password: form.password.value } });
        setUser(data.user);
        forgetPeople();
        const home = await landing(); // before the nav shows: a signed-in page never jumps afterwards
        chrome();
        location.hash = home;
        flushQueue();
      } catch (err) {
        const message = err.status === 401 ? t("login.wrong")
          : err.status === 429 ? `${t("login.toomany")} ${err.retryAfter || 60} ${t("login.seconds")}`
            : `${t("error")}: ${errorText(err)}`;
        form.append(notice(message));
        form.password.select();
      } finally {
        button.disabled = false;
      }
    })();
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

// The work app's sign-in ends here with the session cookie set (no token in the address).
async function signedIn() {
  try {
    setUser(await api("/me"));
  } catch {
    setUser(null);
    location.replace("/#/login");
    return;
  }
  forgetPeople();
  const next = sessionStorage.getItem("next");
  sessionStorage.removeItem("next");
  const home = await landing();
  chrome();
  location.replace(`/${next && next.startsWith("#/") ? next : home}`); // #/signed-in leaves the history
  flushQueue();
}

// Where a person starts: an approver with claims waiting on the inbox (its link carries the
// count), everyone else on their home (their claims in flight, finance's exceptions).
async function landing() {
  return (await inboxBadge()) > 0 ? "#/inbox" : "#/home";
}

// The number of claims waiting for me, on the inbox link.
export async function inboxBadge() {
  const link = document.querySelector('#nav a[href="#/inbox"]');
  let total = 0;
  try {
    total = user() ? (await api("/inbox?limit=1")).total : 0;
  } catch {
    return 0; // offline: no badge rather than an error on every page
  }
  link.querySelector(".badge")?.remove();
  if (total > 0) link.append(h("span", { class: "badge", "aria-label": `${total} ${t("inbox.waiting")}` }, String(total)));
  return total;
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
    if (a.getAttribute("href") === `#/${name}`) {
      a.setAttribute("aria-current", "page");
      // the nav scrolls sideways on a phone: the current section stays in sight
      a.scrollIntoView({ block: "nearest", inline: "nearest" });
    }
    else a.removeAttribute("aria-current");
  });
}

function route() {
  clearKeys();
  leaveCapture();
  if (!location.hash && user()) {
    // the app opened with no page named (the installed app's start, a bare address): the
    // person's landing page, without a history entry for the empty one
    landing().then((home) => location.replace(home));
    return undefined;
  }
  const hash = location.hash || "#/home";
  if (hash === "#/signed-in" || hash.startsWith("#/signed-in?")) { signedIn(); return undefined; }
  if (!user() && hash !== "#/login") {
    // a link from a work-app message opens it after sign-in; no page named: the landing decides
    if (location.hash) sessionStorage.setItem("next", hash);
    else sessionStorage.removeItem("next");
    location.hash = "#/login";
    return undefined;
  }
  const [, name, id, sub] = hash.split("/");
  markCurrent(name);
  if (name !== "login") inboxBadge();
  document.getElementById("main").replaceChildren(h("p", { class: "muted", role: "status" }, t("loading")));
  const pages = {
    login: loginPage,
    home: homePage,
    capture: capturePage,
    claims: () => (id ? (sub === "edit" ? editPage(id) : claimPage(id, route)) : claimsPage()),
    inbox: () => (id ? reviewPage(id) : inboxPage(route)),
    finance: financePage,
    advances: () => advancesPage(id, route),
    "pre-approvals": () => preApprovalsPage(),
    dashboard: dashboardPage,
    admin: () => ({ rates: ratesPage, gl: glPage, dimensions: dimensionsPage, "claim-types": claimTypesPage }[id] || (() => adminPage(route)))(),
  };
  return (pages[name] || homePage)();
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
  await api("/auth/logout", { method: "POST" }).catch(() => {}); // ends the session, clears the cookie
  setUser(null);
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
