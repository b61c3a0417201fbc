// The approver's inbox (oldest and largest first, as the API sorts it) and the review screen:
// the budget the claim draws on, one tap on a phone, a/r/t on a keyboard, batch approval of the
// low-risk claims.
import { api, user } from "/app/api.js";
import { budgetPanel } from "/app/budgetpanel.js";
import { claimDetail, decisionBasis, summaryBasis } from "/app/claimview.js";
import { confirmAction, daysSince, decision, guard, h, money, notice, page, people, toast } from "/app/dom.js";
import { stepName, t, tOr } from "/app/i18n.js";

let keys = {};
export function clearKeys() { keys = {}; }

document.addEventListener("keydown", (e) => {
  if (e.target.matches("input, textarea, select, [contenteditable]") || e.ctrlKey || e.metaKey || e.altKey) return;
  const fn = keys[e.key];
  if (fn) { e.preventDefault(); fn(); }
});

export async function inboxPage(rerender) {
  await guard(async () => {
    // a page at a time (the API pages the inbox); "more" continues after the last one shown
    const first = await api("/inbox");
    const items = [...first.items];
    let cursor = first.next_cursor;
    const render = () => {
      // who and how much on the first line (the amount at the right, as approval apps show it)
      const rows = items.map((i) => h("li", { "data-claim": i.claim.id, class: "card" },
        h("div", { class: "claim-head" },
          h("a", { href: `#/inbox/${i.claim.id}` }, `${i.claim.number} · ${i.claim.submitter.display_name}`),
          h("strong", { class: "amount" }, money(i.claim.total))),
        h("div", { class: "muted" }, `${i.claim.kind && i.claim.kind !== "expense" ? `${t(`kind.${i.claim.kind}`)} · ` : ""}${i.claim.purpose} · ${stepName(i.node_id, i.node)} · `,
          h("span", { class: "nowrap" }, `${daysSince(i.claim.submitted_at)} ${t("inbox.days")}`), " ",
          decision(i.claim.risk.decision))));
      const lowRisk = items.filter((i) => i.claim.risk.decision === "pass");
      const result = h("div", { "aria-live": "polite" });
      const batch = lowRisk.length ? h("button", { id: "batch", class: "primary", onclick: (e) => guard(async () => {
        e.target.disabled = true;
        let done = 0;
        for (const i of lowRisk) {
          // one at a time, on what the inbox showed: a claim changed meanwhile is refused
          await decide(i.claim, { action: "approve", task_id: i.task_id }, summaryBasis);
          done += 1;
        }
        await rerender();
        main().append(notice(`${t("inbox.batchdone")}: ${done}`, "info"));
      }, result) }, `${t("inbox.batch")} (${lowRisk.length})`) : null;
      const more = cursor ? h("button", { id: "more", onclick: (e) => guard(async () => {
        e.target.disabled = true;
        const next = await api(`/inbox?cursor=${encodeURIComponent(cursor)}`);
        items.push(...next.items);
        cursor = next.next_cursor;
        render();
      }, result) }, `${t("inbox.more")} (${items.length}/${first.total})`) : null;
      page(t("inbox.title"), batch, result,
        rows.length ? h("ul", { class: "list plain inbox" }, ...rows) : h("p", {}, t("inbox.empty")),
        more,
        rows.length ? h("p", { class: "muted keys" }, t("inbox.listkeys")) : null);
      // desktop: j/k walk the list, Enter opens (the focused link does that by itself)
      let at = -1;
      const move = (step) => {
        at = Math.max(0, Math.min(rows.length - 1, at + step));
        rows.forEach((r, i) => r.classList.toggle("current", i === at));
        rows[at].querySelector("a").focus();
      };
      if (rows.length && location.hash === "#/inbox") keys = { j: () => move(1), k: () => move(-1) };
    };
    render();
  });
}

function main() { return document.getElementById("main"); }

// A decision on the version the approver saw. The server moves a claim on by itself too (a
// tax-bureau answer turns "being checked" into a note); when nothing in `basis` changed, the
// decision goes onto the newer version. Otherwise the stale_version refusal stands.
async function decide(seen, body, basis) {
  const send = (version) => api(`/claims/${seen.id}/actions`, { method: "POST", body: { ...body, version } });
  try {
    return await send(seen.version);
  } catch (err) {
    if (err.code !== "stale_version") throw err;
    const now = await api(`/claims/${seen.id}`);
    if (basis(now) !== basis(seen)) throw err;
    return send(now.version);
  }
}

export async function reviewPage(id) {
  await guard(async () => {
    const [c, dir, inbox] = await Promise.all([api(`/claims/${id}`), people(), api(`/inbox?claim_id=${id}`)]);
    const task = inbox.items.find((i) => String(i.claim.id) === String(id));
    const comment = h("textarea", { id: "comment", rows: 2 });
    const others = [...dir.values()].filter((p) => p.id !== user().id && p.id !== c.submitter.id);
    const who = h("select", { id: "who" }, ...others.map((p) => h("option", { value: p.id }, p.display_name)));
    const box = h("div", { class: "card actions" });
    let busy = false;
    const act = (action, extra = {}) => guard(async () => {
      if (busy) return;
      busy = true;
      box.querySelectorAll("button").forEach((b) => { b.disabled = true; });
      try {
        await decide(c, { action, comment: extra.comment ?? comment.value, task_id: task ? task.task_id : null, ...extra },
          decisionBasis);
        toast(`${tOr("done", action)} · ${c.number}`);
        location.hash = "#/inbox";
      } catch (err) {
        if (err.code !== "stale_version") throw err;
        // what the approver weighed changed: show the claim as it is now, with what they wrote
        const wrote = comment.value;
        await reviewPage(id);
        const again = document.getElementById("comment");
        if (again) again.value = wrote;
        const note = notice(t("act.changed"), "warn");
        const head = main().querySelector("h1"); // none when the claim could not be loaded again
        if (head) head.after(note); else main().prepend(note);
        note.scrollIntoView({ block: "center" }); // the tap was further down: show why nothing happened
      } finally {
        busy = false;
        box.querySelectorAll("button").forEach((b) => { b.disabled = false; });
      }
    }, box);
    // reject and return need a reason the submitter will read; both ask before they act
    const ask = (action) => guard(async () => {
      if (busy) return;
      const reason = await confirmAction(box, { question: t(`confirm.${action}`), confirm: t(`act.${action}`),
        required: true, prefill: comment.value });
      if (reason !== null) await act(action, { comment: reason });
    }, box);
    box.append(h("label", { for: "comment" }, t("act.comment")), comment,
      h("div", { class: "row" },
        h("button", { id: "approve", class: "primary", onclick: () => act("approve"), "aria-keyshortcuts": "a" }, t("act.approve")),
        h("button", { id: "return", onclick: () => ask("return"), "aria-keyshortcuts": "t" }, t("act.return")),
        h("button", { id: "reject", class: "danger", onclick: () => ask("reject"), "aria-keyshortcuts": "r" }, t("act.reject"))),
      h("p", { class: "muted keys" }, t("inbox.keys")),
      h("label", { for: "who" }, t("act.who")), who,
      h("div", { class: "row" },
        h("button", { id: "transfer", onclick: () => act("transfer", { to_user_id: Number(who.value) }) }, t("act.transfer")),
        h("button", { id: "add-signer", onclick: () => act("add_signer", { to_user_id: Number(who.value), position: "after" }) },
          t("act.addsigner")),
        h("button", { id: "comment-only", onclick: () => act("comment") }, t("act.commentonly"))));
    page(`${c.number} · ${c.submitter.display_name} · ${money(c.total)}`, h("p", {}, c.kind && c.kind !== "expense" ? `${t(`kind.${c.kind}`)} · ` : "", c.purpose, " ", decision(c.risk.decision)),
      budgetPanel(id), task ? box : null, claimDetail(c, dir));
    if (task && (location.hash === `#/inbox/${id}` || location.hash === `#/claims/${id}`)) keys = { a: () => act("approve"), r: () => ask("reject"), t: () => ask("return") };
  });
}
