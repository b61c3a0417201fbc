// Admin without code: the expense policy (its caps as a form, the rest as text) and approval
// flows (saved as new versions, validated by the server, every problem shown), budgets,
// departments and people.
import { api } from "/app/api.js";
import { departmentsSection } from "/app/admindepts.js";
import { payrollSection } from "/app/adminpayroll.js";
import { guard, h, notice, problemList } from "/app/dom.js";
import { errorText, has, lang, stepName, t, tOr, zh } from "/app/i18n.js";
import { capsForm } from "/app/policycaps.js";

// A text document (policy, flow, GL mapping) with a save button; a refused save lists every problem.
export function editor(id, label, text, save) {
  const area = h("textarea", { id, rows: 14, spellcheck: "false", class: "code" }, text);
  const out = h("div", { "aria-live": "polite" });
  const button = h("button", { type: "button", id: `${id}-save`, onclick: async () => {
    out.replaceChildren();
    try {
      out.append(notice(await save(area.value), "info"));
    } catch (err) {
      out.append(notice(errorText(err)), problemList(err));
    }
  } }, t("admin.save"));
  return h("section", { class: "card" }, h("h2", {}, label), h("label", { for: id }, label), area, h("div", { class: "row" }, button), out);
}

const LIST = () => (lang === "zh" ? "、" : ", ");
const CLAUSE_WORDS = { risk: "risk", categories: "cat" };

// A node's condition in the reader's words: "金额 ≤ 1000", "(金额 > 1000 或 风险：需财务复核)".
function condition(c) {
  const clause = (k) => t(`cond.${k.name}`).replace("{values}",
    k.values.map((v) => (CLAUSE_WORDS[k.name] ? tOr(CLAUSE_WORDS[k.name], v) : v)).join(LIST()));
  const parts = c.all.map(clause);
  if (c.any.length) parts.push(`(${c.any.map(condition).join(` ${t("cond.or")} `)})`);
  return parts.join(` ${t("cond.and")} `);
}

function approver(a) {
  return a.type === "role" ? tOr("role", a.role) : tOr("role", a.type);
}

function diagram(d) {
  return h("ol", { class: "route", id: "flow-diagram" }, ...d.nodes.map((n) => h("li", { "data-node": n.id },
    `${stepName(n.id, n.name)} · ${tOr("kind", n.kind)}`,
    n.conditions ? ` · ${t("admin.when")} ${condition(n.conditions)}` : "",
    ` · ${n.approvers.map(approver).join(LIST())}`,
    n.sla ? ` · SLA ${[n.sla.remind_after_hours, n.sla.escalate_after_hours].map((x) => x ?? "-").join("/")} ${t("dash.hours")}`
      + (n.sla.action !== "none" ? ` · ${tOr("sla", n.sla.action)}` : "") : "")));
}

// the shipped flow in the reader's language; a flow an admin named by that name
function flowName(d) { return has(`flow.${d.id}`) && d.name === zh(`flow.${d.id}`) ? t(`flow.${d.id}`) : d.name; }

export async function orgSections(rerender) {
  const [policy, flow, budgets, users, depts] = await Promise.all([
    api("/admin/policy"), api("/admin/flows/default"), api("/admin/budgets"), api("/admin/users"), api("/departments"),
  ]);
  const deptName = new Map(depts.items.map((d) => [d.id, d.name]));
  // the policy as last saved, shared by the caps form and the text editor: a save in one shows in the other
  const saved = { text: policy.text, version: policy.version };
  const policyTitle = () => `${t("admin.policy")} (v${saved.version})`;
  const policyBox = editor("policy-text", policyTitle(), policy.text, async (text) => {
    const done = await api("/admin/policy", { method: "PUT", body: { text } });
    Object.assign(saved, { text, version: done.version });
    retitle();
    caps.refresh();
    return `${t("admin.saved")} v${done.version}`;
  });
  const area = policyBox.querySelector("textarea");
  const retitle = () => policyBox.querySelectorAll("h2, label").forEach((el) => { el.textContent = policyTitle(); });
  const caps = capsForm(saved, () => area.value !== saved.text, (text, version) => {
    Object.assign(saved, { text, version });
    area.value = text;
    retitle();
  });
  const flowView = h("div", {}, diagram(flow.diagram));
  const flowBox = editor("flow-text", `${t("admin.flow")} ${flowName(flow.diagram)} (v${flow.diagram.version})`, flow.text, async (text) => {
    const saved = await api("/admin/flows", { method: "PUT", body: { text } });
    flowView.replaceChildren(diagram(saved.diagram));
    return `${t("admin.saved")} v${saved.version}`;
  });
  flowBox.insertBefore(flowView, flowBox.querySelector("label"));
  const budgetRows = budgets.items.map((b) => h("tr", {},
    h("td", {}, deptName.get(b.department_id) || b.department_id), h("td", {}, b.category === "*" ? t("budget.allcategories") : tOr("cat", b.category)), h("td", {}, `${b.start} – ${b.end}`),
    h("td", {}, b.amount), h("td", {}, b.available)));
  const budgetForm = h("form", { class: "stack", id: "budget-form" },
    h("select", { name: "department_id", "aria-label": t("admin.department") }, ...depts.items.map((d) => h("option", { value: d.id }, d.name))),
    h("input", { name: "category", value: "*", "aria-label": t("capture.category") }),
    h("select", { name: "period", "aria-label": t("admin.period") }, ...["month", "quarter", "year"].map((p) => h("option", { value: p }, t(`period.${p}`)))),
    h("input", { name: "start", type: "date", required: true, "aria-label": t("admin.start") }),
    h("input", { name: "amount", inputmode: "decimal", required: true, "aria-label": t("capture.amount") }),
    h("button", { type: "submit" }, t("admin.add")));
  budgetForm.addEventListener("submit", (e) => {
    e.preventDefault();
    guard(async () => {
      const f = budgetForm;
      await api("/admin/budgets", { method: "POST", body: { department_id: Number(f.department_id.value), category: f.category.value,
        period: f.period.value, start: f.start.value, amount: f.amount.value } });
      await rerender();
    }, budgetForm);
  });
  const budgetBox = h("section", { class: "card" }, h("h2", {}, t("admin.budgets")),
    h("div", { class: "scroll" }, h("table", { id: "budgets" }, h("tr", {}, ...["admin.department", "capture.category", "admin.period", "capture.amount", "admin.available"]
      .map((k) => h("th", { scope: "col" }, t(k)))), ...budgetRows)), budgetForm);
  const peopleForm = h("form", { class: "stack", id: "user-form" },
    h("input", { name: "username", required: true, "aria-label": t("login.user") }),
    h("input", { name: "display_name", required: true, "aria-label": t("admin.name") }),
    h("input", { name: "password", type: "password", required: true, minlength: 8, "aria-label": t("login.password") }),
    h("select", { name: "department_id", "aria-label": t("admin.department") }, ...depts.items.map((d) => h("option", { value: d.id }, d.name))),
    h("button", { type: "submit" }, t("admin.add")));
  peopleForm.addEventListener("submit", (e) => {
    e.preventDefault();
    guard(async () => {
      const f = peopleForm;
      await api("/admin/users", { method: "POST", body: { username: f.username.value, display_name: f.display_name.value,
        password: f.password.value, department_id: Number(f.department_id.value) } });
      await rerender();
    }, peopleForm);
  });
  const peopleBox = h("section", { class: "card" }, h("h2", {}, t("admin.people")),
    h("ul", { class: "list", id: "people" }, ...users.items.map((u) => h("li", {},
      `${u.display_name} (${u.username}) · ${deptName.get(u.department_id) || "-"} · ${u.roles.map((r) => tOr("role", r)).join(LIST())}${u.active ? "" : ` · ${t("admin.inactive")}`}`))),
    peopleForm);
  const deptBox = departmentsSection(depts.items, users.items, async (message) => {
    await rerender();
    const status = document.getElementById("dept-status");
    if (status) status.append(notice(message, "info"));
  });
  return [caps.element, policyBox, flowBox, budgetBox, deptBox, peopleBox, payrollSection(users.items)];
}
