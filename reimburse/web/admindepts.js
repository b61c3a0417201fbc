// Admin: the departments as a tree (by parent), with a form per department to rename it, move it
// under another one or set its head, and a form to add one. The server refuses a move that
// would put a department inside itself; its answer is shown where the admin made the change.
import { api } from "/app/api.js";
import { h, notice, problemList } from "/app/dom.js";
import { errorText, t } from "/app/i18n.js";

function options(items, selected, none) {
  return [h("option", { value: "" }, none),
    ...items.map(([value, text]) => h("option", { value, selected: String(value) === String(selected ?? "") }, text))];
}

function failure(err) {
  const message = err.code === "department_cycle" ? t("dept.cycle") : `${t("error")}: ${errorText(err)}`;
  return [notice(message), problemList(err)];
}

function body(form, prefix) {
  const value = (name) => form.querySelector(`#${prefix}-${name}`).value;
  return { name: value("name").trim(), parent_id: value("parent") ? Number(value("parent")) : null,
    head_user_id: value("head") ? Number(value("head")) : null };
}

// name, parent and head controls, each with its label; prefix keeps the ids unique
function fields(prefix, dept, depts, people) {
  const others = depts.filter((d) => !dept || d.id !== dept.id).map((d) => [d.id, d.name]);
  return [
    h("label", { for: `${prefix}-name` }, t("dept.name")),
    h("input", { id: `${prefix}-name`, required: true, maxlength: 128, value: dept ? dept.name : "", placeholder: t("dept.example") }),
    h("label", { for: `${prefix}-parent` }, t("dept.parent")),
    h("select", { id: `${prefix}-parent` }, ...options(others, dept && dept.parent_id, t("dept.top"))),
    h("label", { for: `${prefix}-head` }, t("dept.head")),
    h("select", { id: `${prefix}-head` }, ...options(people.map((u) => [u.id, u.display_name]), dept && dept.head_user_id, t("dept.nohead"))),
  ];
}

function submitting(form, out, send) {
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    out.replaceChildren();
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      await send();
    } catch (err) {
      out.append(...failure(err));
    } finally {
      button.disabled = false;
    }
  });
}

// depts: the department directory; people: the admin's user list; rerender(message) redraws the
// admin page and shows the message in this section.
export function departmentsSection(depts, people, rerender) {
  const names = new Map(people.map((u) => [u.id, u.display_name]));
  const byId = new Map(depts.map((d) => [d.id, d]));
  const children = new Map();
  for (const d of depts) {
    const parent = byId.has(d.parent_id) ? d.parent_id : null;
    children.set(parent, [...(children.get(parent) || []), d]);
  }
  const seen = new Set(); // a loop in stored data must not hang the page
  const branch = (parent) => {
    const kids = (children.get(parent) || []).filter((d) => !seen.has(d.id));
    kids.forEach((d) => seen.add(d.id));
    return kids.length ? h("ul", { class: "tree" }, ...kids.map(node)) : null;
  };
  const node = (d) => {
    const prefix = `dept-${d.id}`;
    const out = h("div", { "aria-live": "polite" });
    const form = h("form", { class: "stack", "aria-label": `${t("dept.edit")} ${d.name}` },
      ...fields(prefix, d, depts, people), h("div", { class: "row" }, h("button", { type: "submit" }, t("dept.save"))), out);
    submitting(form, out, async () => {
      await api(`/admin/departments/${d.id}`, { method: "PATCH", body: body(form, prefix) });
      await rerender(`${t("dept.saved")}: ${body(form, prefix).name}`);
    });
    const head = d.head_user_id ? ` · ${t("dept.head")}: ${names.get(d.head_user_id) || d.head_user_id}` : "";
    return h("li", { "data-dept": d.id },
      h("details", {}, h("summary", {}, h("span", { class: "dept-name" }, d.name), head), form), branch(d.id));
  };
  const roots = branch(null);
  const stray = depts.filter((d) => !seen.has(d.id)).map((d) => { seen.add(d.id); return node(d); });
  const tree = roots || stray.length ? [roots, stray.length ? h("ul", { class: "tree" }, ...stray) : null] : h("p", {}, t("admin.none"));
  const out = h("div", { "aria-live": "polite", id: "dept-status" });
  const create = h("form", { class: "stack", id: "dept-form", "aria-labelledby": "dept-new-title" },
    h("h3", { id: "dept-new-title" }, t("dept.new")), ...fields("dept-new", null, depts, people),
    h("div", { class: "row" }, h("button", { type: "submit" }, t("dept.add"))));
  submitting(create, out, async () => {
    const made = await api("/admin/departments", { method: "POST", body: body(create, "dept-new") });
    await rerender(`${t("dept.created")}: ${made.name}`);
  });
  return h("section", { class: "card", id: "departments" }, h("h2", {}, t("dept.title")),
    h("div", { id: "dept-tree" }, tree), create, out);
}
