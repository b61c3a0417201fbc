// My claims: the list with status, one claim with its timeline; withdraw while in approval;
// a draft or returned claim: change its items (the capture page, opened with them), its purpose,
// submit it (not while the rules block it, with the reasons shown), delete a draft.
import { api, user } from "/app/api.js";
import { capturePage, saveEdit } from "/app/capture.js";
import { blockedBox, claimDetail, contentOf } from "/app/claimview.js";
import { confirmAction, guard, h, money, nameOf, page, people, status, toast, when } from "/app/dom.js";
import { labelled, t } from "/app/i18n.js";
import { reviewPage } from "/app/inbox.js";

export async function claimsPage() {
  await guard(async () => {
    const list = h("ul", { class: "list", id: "claims" });
    const more = h("button", { id: "more", hidden: true }, t("more"));
    const load = async (cursor) => {
      const data = await api(`/claims?mine=true&limit=30${cursor ? `&cursor=${cursor}` : ""}`);
      list.append(...data.items.map((c) => h("li", { "data-claim": c.id },
        h("a", { href: `#/claims/${c.id}` }, `${c.number} · ${c.kind && c.kind !== "expense" ? `${t(`kind.${c.kind}`)} · ` : ""}${c.purpose} · ${money(c.total)}`), " ", status(c.status),
        h("small", { class: "muted" }, ` ${when(c.submitted_at || c.created_at)}`))));
      more.hidden = !data.next_cursor;
      more.onclick = () => guard(() => load(data.next_cursor), list);
      return data.items.length;
    };
    const first = await load(null);
    page(t("claims.title"), first ? list : h("p", {}, t("claims.empty")), more);
  });
}

// The items as the API takes them back: corrections are sent again as the corrected fields, or
// the server would read the invoice afresh and lose them.
export function itemsForEdit(items) {
  return items.map((i) => ({
    category: i.category, amount: i.amount, expense_date: i.expense_date, description: i.description,
    document_id: i.document_id, result_index: i.result_index,
    fields: i.corrections && i.corrections.length ? Object.fromEntries(i.corrections.map((c) => [c.field, c.new])) : null,
    no_invoice_kind: i.no_invoice_kind, no_invoice_reason: i.no_invoice_reason,
    attendees: i.attendees, nights: i.nights, city_tier: i.city_tier,
    // spent abroad: the amount as spent, in its currency (the server converts it again)
    currency: i.currency, ...(i.original_amount ? { amount: i.original_amount } : {}),
    foreign_document: i.foreign_document, ticket: i.ticket && i.ticket.transport ? i.ticket : null,
    splits: (i.splits || []).map((s) => ({ dimension: s.dimension, code: s.code,
      ...(s.percent ? { percent: s.percent } : { amount: s.amount }) })),
    // an allowance sends its basis, not an amount: the server computes it (and words it again:
    // the words of the old figures would outlive a change of the rates). An item stored with a
    // typed amount before allowances were computed has no basis to send: the server asks for it.
    ...(i.allowance ? { allowance: i.allowance.type, amount: null, days: i.allowance.days ?? null,
      distance_km: i.allowance.distance_km ?? null, no_invoice_kind: null, no_invoice_reason: null } : {}),
    attachment_ids: i.attachments || [],
  }));
}

// The decision and its reason at the top of the claim: the submitter should not have to find
// them at the bottom of the timeline.
const DECIDED = { rejected: "reject", returned: "return", approved: "approve", paid: "approve", withdrawn: "withdraw" };
export function decisionBanner(c, dir) {
  const action = DECIDED[c.status];
  if (!action) return null;
  const entry = [...c.timeline].reverse().find((e) => e.action === action);
  return h("section", { id: "decision", class: `card decision-banner ${c.status}`, role: "status" },
    h("p", {}, h("strong", {}, t(`decided.${c.status}`)),
      entry ? ` · ${nameOf(dir, entry.actor)} · ${when(entry.at)}` : ""),
    // an approval's words are a comment; a rejection's or a return's the reason for it
    entry && entry.comment ? h("blockquote", { class: "decision-reason" },
      labelled(t(action === "approve" ? "decided.comment" : "decided.reason"), entry.comment)) : null);
}

// The capture page with a draft's or a returned claim's items, to change them.
export async function editPage(id) {
  await guard(async () => {
    const c = await api(`/claims/${id}`);
    if (c.submitter.id !== user().id || !["draft", "returned"].includes(c.status)) {
      location.replace(`#/claims/${id}`);
      return;
    }
    const dir = await people();
    capturePage(c);
    // why it came back, at the top of the page where it is changed
    const banner = decisionBanner(c, dir);
    if (banner) document.querySelector("#main h1").after(banner);
  });
}

export async function claimPage(id, rerender) {
  // whoever holds a task on this claim gets the approver's screen (with its buttons) here too
  const held = await api(`/inbox?claim_id=${encodeURIComponent(id)}`).catch(() => null);
  if (held && held.items.some((i) => String(i.claim.id) === String(id))) { await reviewPage(id); return; }
  await guard(async () => {
    const [c, dir] = await Promise.all([api(`/claims/${id}`), people()]);
    const mine = c.submitter.id === user().id;
    const actions = h("div", { class: "card actions" });
    const busy = (fn) => guard(async () => {
      actions.querySelectorAll("button").forEach((b) => { b.disabled = true; });
      try { await fn(); } finally { actions.querySelectorAll("button").forEach((b) => { b.disabled = Boolean(b.dataset.blocked); }); }
    }, actions);
    if (mine && c.status === "submitted") {
      actions.append(h("button", { id: "withdraw", class: "danger", onclick: () => guard(async () => {
        const reason = await confirmAction(actions, { question: t("confirm.withdraw"), confirm: t("claim.withdraw"),
          required: false });
        if (reason === null) return;
        await busy(async () => {
          await api(`/claims/${id}/withdraw`, { method: "POST", body: reason ? { comment: reason } : {} });
          toast(`${t("done.withdraw")} · ${c.number}`);
          rerender();
        });
      }, actions) }, t("claim.withdraw")));
    }
    if (mine && (c.status === "returned" || c.status === "draft")) {
      const purpose = h("input", { id: "purpose", value: c.purpose, required: true, maxlength: 500 });
      const blocked = h("div", { id: "blocked-box", "aria-live": "polite" });
      const submit = h("button", { id: "resubmit", class: "primary", onclick: () => busy(async () => {
        await saveEdit(id, c.version, contentOf(c), { purpose: purpose.value, items: itemsForEdit(c.items),
          trip_start: c.trip_start, trip_end: c.trip_end, cost_centre: c.cost_centre,
          claim_type: c.claim_type, pre_approval_id: c.pre_approval_id });
        try {
          await api(`/claims/${id}/submit`, { method: "POST" });
        } catch (err) {
          if (err.code !== "claim_blocked") throw err;
          blocked.replaceChildren(blockedBox(err.details.findings));
          submit.dataset.blocked = "1";
          return;
        }
        rerender();
      }) }, c.status === "draft" ? t("capture.submit") : t("claim.resubmit"));
      actions.append(blocked, h("label", { for: "purpose" }, t("capture.purpose")), purpose,
        h("div", { class: "row" }, submit,
          h("a", { id: "edit-items", class: "button", href: `#/claims/${id}/edit` }, t("claim.edititems")),
          c.status === "draft" ? h("button", { id: "delete-draft", class: "danger", onclick: () => guard(async () => {
            const reason = await confirmAction(actions, { question: t("drafts.confirmdelete"), confirm: t("drafts.delete"),
              required: false });
            if (reason === null) return;
            await busy(async () => {
              await api(`/claims/${id}`, { method: "DELETE" });
              toast(`${t("drafts.deleted")} · ${c.number}`);
              location.hash = "#/claims";
            });
          }, actions) }, t("drafts.delete")) : null));
      // asked beforehand: while the rules block it, the button stays off and says why
      api(`/claims/${id}/check`, { method: "POST" }).then((check) => {
        if (!check.blocking || !check.blocking.length) return;
        blocked.replaceChildren(blockedBox(check.blocking));
        submit.dataset.blocked = "1";
        submit.disabled = true;
      }).catch(() => {});
    }
    page(`${c.number} · ${money(c.total)}`, decisionBanner(c, dir), h("p", {}, c.purpose, " ", status(c.status)),
      actions.childElementCount ? actions : null, claimDetail(c, dir));
  });
}
