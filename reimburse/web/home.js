// Home: where each person starts. What waits for me (count, sum, the oldest's age) for those
// who decide; finance's exceptions to clear (claims held by a bad tax-bureau answer or a
// disputed value); my claims in flight, each with the step it waits at and who holds it.
import { api, user } from "/app/api.js";
import { daysSince, guard, h, money, page, status } from "/app/dom.js";
import { findingTitle, stepName, t } from "/app/i18n.js";

const DECIDERS = ["approver", "finance", "admin"];
const FINANCE = ["finance", "admin"];
const SHOWN_EXCEPTIONS = 5; // the rest are one tap away, on the finance page

function hasRole(me, roles) { return Boolean(me && me.roles.some((r) => roles.includes(r))); }

// One figure with its caption, large enough to read at a glance.
function figure(id, value, caption) {
  return h("div", { class: "figure" }, h("strong", { id }, value), h("span", {}, caption));
}

function waitingCard(w) {
  return h("section", { id: "home-waiting", class: "card home-card", "aria-labelledby": "home-waiting-h" },
    h("h2", { id: "home-waiting-h" }, t("home.waiting")),
    h("div", { class: "figures" },
      figure("waiting-count", String(w.count), t("home.claims")),
      figure("waiting-amount", money(w.amount), t("home.sum")),
      w.oldest ? figure("waiting-oldest", String(daysSince(w.oldest)), t("home.oldest")) : null),
    h("div", { class: "row" }, w.count
      ? h("a", { class: "button primary", href: "#/inbox", id: "go-inbox" }, t("home.toinbox"))
      : h("p", { class: "muted" }, t("inbox.empty"))));
}

function exceptionsCard(items) {
  const sum = items.reduce((s, c) => s + Math.round(Number(c.total) * 100), 0);
  const rows = items.slice(0, SHOWN_EXCEPTIONS).map((c) => h("li", { "data-claim": c.id },
    h("a", { href: `#/inbox/${c.id}` }, `${c.number} · ${c.submitter.display_name} · ${money(c.total)}`),
    h("div", { class: "muted" }, `${c.hold.reasons.map((r) => findingTitle(r.code)).join("、")} · `
      + `${daysSince(c.hold.since)} ${t("inbox.days")}`)));
  return h("section", { id: "home-exceptions", class: "card home-card", "aria-labelledby": "home-exceptions-h" },
    h("h2", { id: "home-exceptions-h" }, t("home.exceptions")),
    h("div", { class: "figures" },
      figure("exceptions-count", String(items.length), t("home.claims")),
      figure("exceptions-amount", money((sum / 100).toFixed(2)), t("home.sum"))),
    items.length ? h("ul", { class: "list plain", id: "exceptions-today" }, ...rows) : h("p", { class: "muted" }, t("finance.noexceptions")),
    h("div", { class: "row" }, h("a", { class: "button", href: "#/finance", id: "go-finance" }, t("home.tofinance"))));
}

// Where a claim waits: each open step by name, with the people who hold it; a returned claim
// waits for its submitter.
function whereItWaits(entry) {
  if (entry.claim.status === "returned") {
    return h("p", { class: "waits mine" }, t("home.waitsforyou"), " ",
      h("a", { href: `#/claims/${entry.claim.id}/edit` }, t("home.change")));
  }
  if (!entry.steps.length) return h("p", { class: "waits muted" }, t("home.processing"));
  return entry.steps.map((s) => h("p", { class: "waits" },
    `${t("home.waitsat")} `, h("strong", { class: "step" }, stepName(s.node_id, s.node)),
    s.people.length ? ` · ${s.people.map((p) => p.display_name).join("、")}` : ""));
}

function inFlightCard(items) {
  return h("section", { id: "home-flight", class: "card home-card", "aria-labelledby": "home-flight-h" },
    h("h2", { id: "home-flight-h" }, t("home.inflight")),
    items.length
      ? h("ul", { class: "list plain flight" }, ...items.map((e) => h("li", { "data-claim": e.claim.id },
        h("div", {}, h("a", { href: `#/claims/${e.claim.id}` }, `${e.claim.number} · ${e.claim.purpose}`), " ", status(e.claim.status)),
        h("div", { class: "amount" }, money(e.claim.total)),
        whereItWaits(e))))
      : h("p", { class: "muted", id: "flight-empty" }, t("home.noflight")),
    h("div", { class: "row" }, h("a", { class: "button", href: "#/claims" }, t("home.allclaims"))));
}

export async function homePage() {
  await guard(async () => {
    const me = user();
    const finance = hasRole(me, FINANCE);
    const [home, exceptions] = await Promise.all([
      api("/home"),
      finance ? api("/finance/exceptions").then((d) => d.items) : Promise.resolve(null),
    ]);
    const decides = hasRole(me, DECIDERS) || home.waiting.count > 0; // a stand-in may decide too
    page(t("home.title"),
      h("div", { class: "row" }, h("a", { class: "button primary", href: "#/capture", id: "go-capture" }, t("home.capture"))),
      finance ? exceptionsCard(exceptions) : null,
      decides ? waitingCard(home.waiting) : null,
      inFlightCard(home.in_flight));
  });
}
