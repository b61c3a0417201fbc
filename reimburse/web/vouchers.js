// Accounting vouchers on the finance workbench: make the vouchers of approved (or paid) claims,
// see each with its lines (debits = credits), export them for Kingdee, U8, CSV or JSON.
import { api } from "/app/api.js";
import { download, guard, h, money } from "/app/dom.js";
import { t } from "/app/i18n.js";

function voucherCard(v) {
  const rows = v.lines.map((l) => h("tr", { "data-kind": l.kind },
    h("td", {}, `${l.account_code} ${l.account_name}`), h("td", {}, l.summary),
    h("td", { class: "num" }, l.debit === "0.00" ? "" : money(l.debit)),
    h("td", { class: "num" }, l.credit === "0.00" ? "" : money(l.credit))));
  return h("li", { class: "card voucher", "data-claim": v.claim_id, "data-number": v.number },
    h("p", {}, h("strong", {}, v.number), ` · ${v.date} · `,
      h("a", { href: `#/inbox/${v.claim_id}` }, v.claim_number), ` · ${v.payee || ""}`),
    h("table", { class: "lines" },
      h("thead", {}, h("tr", {}, h("th", {}, t("voucher.account")), h("th", {}, t("voucher.summary")),
        h("th", {}, t("voucher.debit")), h("th", {}, t("voucher.credit")))),
      h("tbody", {}, ...rows),
      h("tfoot", {}, h("tr", {}, h("td", {}, t("voucher.total")), h("td", {}),
        h("td", { class: "num" }, money(v.debits)), h("td", { class: "num" }, money(v.credits))))),
    h("p", { class: v.balanced ? "ok balanced" : "error" }, v.balanced ? `✓ ${t("voucher.balanced")}` : t("voucher.unbalanced")));
}

async function load(list) {
  const data = await api("/vouchers");
  list.replaceChildren(...(data.items.length ? data.items.map(voucherCard) : [h("li", {}, t("voucher.none"))]));
}

function exportButton(id, label, path, name) {
  return h("button", { id, onclick: (e) => guard(() => download(path, name), e.target.parentNode) }, label);
}

export function voucherSection() {
  const list = h("ul", { class: "list plain", id: "vouchers" });
  const make = h("button", { id: "make-vouchers", onclick: () => guard(async () => {
    make.disabled = true;
    try {
      // the worker makes them too: one made by it this very moment is not an error here
      await api("/vouchers/generate", { method: "POST", body: {} })
        .catch((e) => { if (e.code !== "voucher_race") throw e; });
      await load(list);
    } finally {
      make.disabled = false;
    }
  }, list) }, t("voucher.make"));
  const exports = h("div", { class: "row" }, make,
    exportButton("vouchers-kingdee", t("voucher.kingdee"), "/api/v1/vouchers/export.xlsx?target=kingdee", "vouchers-kingdee.xlsx"),
    exportButton("vouchers-u8", t("voucher.u8"), "/api/v1/vouchers/export.xlsx?target=u8", "vouchers-u8.xlsx"),
    exportButton("vouchers-csv", "CSV", "/api/v1/vouchers/export.csv", "vouchers.csv"),
    exportButton("vouchers-json", "JSON", "/api/v1/vouchers/export.json", "vouchers.json"));
  const section = h("section", { id: "voucher-section" }, h("h2", {}, t("voucher.title")), exports, list);
  guard(() => load(list), list);
  return section;
}
