// Cash advances (借款): my balance (what is still outstanding, each offset and repayment), my open
// requests and a form to ask for one; finance sees everyone's balance and opens anyone's.
import { api, user } from "/app/api.js";
import { guard, h, money, page, status, toast, when } from "/app/dom.js";
import { t } from "/app/i18n.js";

function movements(a) {
  if (!a.movements.length) return h("p", { class: "muted" }, t("adv.nomoves"));
  return h("table", { class: "moves" },
    h("caption", {}, `${t("adv.moves")} ${a.number || a.request_id}`),
    h("tr", {}, h("th", { scope: "col" }, t("adv.when")), h("th", { scope: "col" }, t("adv.what")),
      h("th", { scope: "col" }, t("adv.amount"))),
    ...a.movements.map((m) => h("tr", { "data-kind": m.kind },
      h("td", {}, when(m.at)),
      h("td", {}, m.kind === "offset" ? `${t("adv.offset")} ${m.claim_number || m.claim_id}` : `${t("adv.repayment")}${m.reference ? ` ${m.reference}` : ""}`),
      h("td", {}, money(m.amount)))));
}

function balanceCard(b) {
  return h("section", { class: "card", id: "advance-balance" },
    h("h2", {}, `${t("adv.outstanding")}`),
    h("p", { id: "advance-outstanding" }, money(b.outstanding)),
    ...b.advances.map((a) => h("div", { class: "advance", "data-request": String(a.request_id) },
      h("h3", {}, `${a.number || a.request_id} · ${t("adv.advanced")} ${money(a.amount)} · ${t("adv.left")} ${money(a.outstanding)}`),
      movements(a))),
    b.advances.length ? "" : h("p", { class: "muted" }, t("adv.none")),
    b.requests.length ? h("h3", {}, t("adv.requests")) : "",
    ...b.requests.map((r) => h("p", { class: "request" },
      h("a", { href: `#/claims/${r.id}` }, r.number || String(r.id)), " ", money(r.amount), " ", status(r.status), " ", r.purpose)));
}

function requestForm(after) {
  const form = h("form", { class: "card", id: "advance-form", "aria-label": t("adv.ask") },
    h("h2", {}, t("adv.ask")),
    h("label", { for: "adv-purpose" }, t("adv.purpose")),
    h("input", { id: "adv-purpose", name: "purpose", required: true, maxlength: 500 }),
    h("label", { for: "adv-amount" }, t("adv.amount")),
    h("input", { id: "adv-amount", name: "amount", required: true, inputmode: "decimal", pattern: "[0-9]+(\\.[0-9]{1,2})?" }),
    h("div", { class: "row" }, h("button", { type: "submit" }, t("adv.send"))));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    guard(async () => {
      const made = await api("/advances", { method: "POST", body: { purpose: form.purpose.value, amount: form.amount.value } });
      toast(`${t("adv.sent")} ${made.number}`);
      after();
    }, form);
  });
  return form;
}

async function everyone() {
  const list = (await api("/advances/balances")).items;
  return h("section", { class: "card", id: "advance-everyone" },
    h("h2", {}, t("adv.everyone")),
    list.length ? h("table", {},
      h("tr", {}, h("th", { scope: "col" }, t("adv.person")), h("th", { scope: "col" }, t("adv.advanced")),
        h("th", { scope: "col" }, t("adv.outstanding"))),
      ...list.map((r) => h("tr", {},
        h("td", {}, h("a", { href: `#/advances/${r.person_id}` }, r.display_name || String(r.person_id))),
        h("td", {}, money(r.advanced)), h("td", {}, money(r.outstanding)))))
      : h("p", { class: "muted" }, t("adv.none")));
}

// Asking for a pre-approval (事前申请): a trip or client entertainment with its estimate, before
// the money is spent. Once approved, a claim links it (the capture page lists the approved ones).
const PRE_KINDS = { travel: "travel", entertainment: "client_entertainment" };

function preApprovalForm() {
  const today = new Date().toISOString().slice(0, 10);
  const kind = h("select", { id: "pre-kind", name: "kind" },
    ...Object.keys(PRE_KINDS).map((k) => h("option", { value: k }, t(`pre.kind.${k}`))));
  const form = h("form", { class: "card", id: "pre-approval-form", "aria-label": t("pre.ask") },
    h("h2", {}, t("pre.ask")), h("p", { class: "muted" }, t("pre.help")),
    h("label", { for: kind.id }, t("pre.kind")), kind,
    h("label", { for: "pre-purpose" }, t("pre.purpose")),
    h("input", { id: "pre-purpose", name: "purpose", required: true, maxlength: 500 }),
    h("div", { class: "pair" },
      h("div", {}, h("label", { for: "pre-start" }, t("capture.tripstart")),
        h("input", { id: "pre-start", name: "trip_start", type: "date", required: true, value: today })),
      h("div", {}, h("label", { for: "pre-end" }, t("capture.tripend")),
        h("input", { id: "pre-end", name: "trip_end", type: "date", required: true, value: today }))),
    h("label", { for: "pre-amount" }, t("pre.estimate")),
    h("input", { id: "pre-amount", name: "amount", required: true, inputmode: "decimal", pattern: "[0-9]+(\\.[0-9]{1,2})?" }),
    h("div", { class: "row" }, h("button", { type: "submit" }, t("pre.send"))));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    form.querySelectorAll(".notice").forEach((n) => n.remove());
    guard(async () => {
      const made = await api("/pre-approvals", { method: "POST", body: { purpose: form.purpose.value,
        trip_start: form.trip_start.value, trip_end: form.trip_end.value,
        lines: [{ category: PRE_KINDS[kind.value], amount: form.amount.value, expense_date: form.trip_start.value }] } });
      toast(`${t("pre.sent")} ${made.number}`);
      location.hash = `#/claims/${made.id}`;
    }, form);
  });
  return form;
}

// My pre-approvals with their state, and the form to ask for another.
export async function preApprovalsPage() {
  await guard(async () => {
    const mine = (await api("/claims?mine=true&kind=pre_approval&limit=30")).items;
    const list = mine.length
      ? h("ul", { class: "list", id: "pre-approvals" }, ...mine.map((c) => h("li", { "data-claim": c.id },
        h("a", { href: `#/claims/${c.id}` }, `${c.number} · ${c.purpose} · ${money(c.total)}`), " ", status(c.status),
        h("small", { class: "muted" }, ` ${when(c.submitted_at || c.created_at)}`))))
      : h("p", { class: "muted" }, t("pre.empty"));
    page(t("pre.title"), preApprovalForm(), h("h2", {}, t("pre.mine")), list);
  });
}

export async function advancesPage(personId, reload) {
  await guard(async () => {
    const me = user();
    const finance = me.roles.some((r) => r === "finance" || r === "admin");
    const other = personId && String(personId) !== String(me.id);
    const b = await api(other ? `/advances/balance?user_id=${encodeURIComponent(personId)}` : "/advances/balance");
    const parts = [balanceCard(b)];
    if (!other) parts.push(requestForm(reload), h("p", {}, h("a", { href: "#/pre-approvals", id: "to-pre-approvals" }, t("pre.ask"))));
    if (finance) parts.push(await everyone());
    page(other ? `${t("adv.title")} · ${b.display_name}` : t("adv.title"), ...parts);
  });
}
