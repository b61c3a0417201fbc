// Admin: webhook endpoints (the signing secret is shown once, at creation), the delivery log, replay;
// policy, flows, budgets and people come from adminorg.js; the finance settings (rates, GL
// mapping, cost centres and projects, claim types) have their own screens, linked at the top.
import { api } from "/app/api.js";
import { guard, h, notice, page, when } from "/app/dom.js";
import { t, tOr } from "/app/i18n.js";
import { orgSections } from "/app/adminorg.js";

export async function adminPage(rerender) {
  await guard(async () => {
    const [endpoints, deliveries] = await Promise.all([api("/admin/webhooks"), api("/admin/webhooks/deliveries?limit=50")]);
    const form = h("form", { class: "card", id: "webhook-form" },
      h("label", { for: "wh-url" }, t("admin.url")),
      h("input", { id: "wh-url", name: "url", type: "url", required: true, placeholder: "https://" }),
      h("label", { for: "wh-events" }, t("admin.events")),
      h("input", { id: "wh-events", name: "events", required: true, value: "claim.approved, claim.paid" }),
      h("div", { class: "row" }, h("button", { type: "submit" }, t("admin.add"))));
    const secret = h("div", { "aria-live": "polite" });
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      guard(async () => {
        const events = form.events.value.split(",").map((s) => s.trim()).filter(Boolean);
        const made = await api("/admin/webhooks", { method: "POST", body: { url: form.url.value, events } });
        await rerender();
        document.getElementById("main").append(notice(`${t("admin.secret")}: ${made.secret}`, "info"));
      }, form);
    });
    const endpointList = h("ul", { class: "list", id: "endpoints" }, ...(endpoints.items.length
      ? endpoints.items.map((w) => h("li", { "data-endpoint": w.id }, `${w.url} · ${w.events.join(", ")}${w.active ? "" : ` · ${t("admin.inactive")}`}`))
      : [h("li", {}, t("admin.none"))]));
    const rows = deliveries.items.map((d) => h("li", { "data-delivery": d.id },
      `${d.event} · ${tOr("delivery", d.status)} · ${d.attempts}× · ${d.last_status_code ?? d.last_error ?? ""} · ${when(d.delivered_at || d.next_attempt_at)} `,
      h("button", { class: "link", onclick: (e) => guard(async () => {
        await api(`/admin/webhooks/deliveries/${d.id}/replay`, { method: "POST" });
        await rerender();
      }, e.target.parentNode) }, t("admin.replay"))));
    const org = await orgSections(rerender);
    const settings = h("nav", { class: "card subnav", id: "finance-settings", "aria-labelledby": "finance-settings-title" },
      h("h2", { id: "finance-settings-title" }, t("admin.financesettings")),
      h("ul", { class: "list" }, ...[["rates", "rates.title"], ["gl", "gl.title"], ["dimensions", "dims.title"], ["claim-types", "types.title"]]
        .map(([path, key]) => h("li", {}, h("a", { href: `#/admin/${path}` }, t(key))))));
    page(t("admin.title"), settings, h("h2", {}, t("admin.webhooks")), endpointList, form, secret,
      h("h2", {}, t("admin.deliveries")), h("ul", { class: "list", id: "deliveries" }, ...(rows.length ? rows : [h("li", {}, t("admin.none"))])), ...org);
  });
}
