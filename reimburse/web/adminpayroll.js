// Admin: a person's payroll data (employee number, payee name, bank, branch, account). The
// account number goes to the server and never comes back: the page shows it masked.
import { api } from "/app/api.js";
import { guard, h, notice } from "/app/dom.js";
import { t } from "/app/i18n.js";

const FIELDS = ["employee_number", "payee_name", "bank_name", "bank_branch"];

export function payrollSection(users) {
  const who = h("select", { id: "payroll-user", name: "user", "aria-label": t("admin.person") },
    ...users.map((u) => h("option", { value: u.id }, `${u.display_name} (${u.username})`)));
  const inputs = Object.fromEntries(FIELDS.map((f) => [f, h("input", { id: `payroll-${f}`, name: f, maxlength: 128 })]));
  const account = h("input", { id: "payroll-account", name: "bank_account", inputmode: "numeric", autocomplete: "off",
    maxlength: 48, placeholder: t("admin.accountkeep") });
  const masked = h("p", { id: "payroll-masked", "aria-live": "polite" });
  const out = h("div", { "aria-live": "polite" });
  const show = (data) => {
    for (const f of FIELDS) inputs[f].value = data[f] || "";
    account.value = "";
    masked.textContent = `${t("admin.account")}: ${data.bank_account || "-"}`;
  };
  // the fields wait for the chosen person's data: typed before it came, they were overwritten by
  // it (and saved empty); an answer for a person no longer chosen is dropped
  let asked = 0;
  const load = () => guard(async () => {
    const mine = ++asked;
    const fields = [...Object.values(inputs), account];
    fields.forEach((el) => { el.disabled = true; });
    try {
      const data = await api(`/admin/users/${who.value}/payroll`);
      if (mine === asked) show(data);
    } finally {
      if (mine === asked) fields.forEach((el) => { el.disabled = false; });
    }
  }, out);
  who.addEventListener("change", () => { out.replaceChildren(); load(); });
  const form = h("form", { class: "stack", id: "payroll-form" },
    h("label", { for: "payroll-user" }, t("admin.person")), who,
    ...FIELDS.flatMap((f) => [h("label", { for: `payroll-${f}` }, t(`admin.${f}`)), inputs[f]]),
    h("label", { for: "payroll-account" }, t("admin.account")), account, masked,
    h("button", { type: "submit" }, t("admin.savepayroll")), out);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    out.replaceChildren();
    guard(async () => {
      const body = Object.fromEntries(FIELDS.map((f) => [f, inputs[f].value.trim() || null]));
      if (account.value.trim()) body.bank_account = account.value.trim(); // empty: keep the stored one
      show(await api(`/admin/users/${who.value}/payroll`, { method: "PUT", body }));
      out.append(notice(t("admin.saved"), "info"));
    }, out);
  });
  if (users.length) load();
  return h("section", { class: "card" }, h("h2", {}, t("admin.payroll")), form);
}
