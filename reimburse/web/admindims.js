// Admin: cost centres and projects (master data a claim must name: add, rename, deactivate,
// delete; the server deactivates instead of deleting one a claim already uses), and which
// approval flow each claim type runs.
import { api } from "/app/api.js";
import { guard, h, notice, page } from "/app/dom.js";
import { errorText, has, t, tOr } from "/app/i18n.js";
import { backLink } from "/app/adminrates.js";

const KINDS = [
  { path: "cost-centres", prefix: "cc", title: "dims.costcentres" },
  { path: "projects", prefix: "pj", title: "dims.projects" },
];

function failed(out, err) {
  out.append(notice(`${t("error")}: ${errorText(err)}`));
}

// one action at a time per control: the button is off while the server answers
async function act(button, out, fn) {
  out.replaceChildren();
  button.disabled = true;
  try {
    await fn();
  } catch (err) {
    if (err && err.status === 401) { await guard(() => { throw err; }); return; }
    failed(out, err);
  } finally {
    button.disabled = false;
  }
}

function entryRow(kind, e, deptName, redraw) {
  const out = h("div", { "aria-live": "polite" });
  const name = h("input", { id: `${kind.prefix}-name-${e.id}`, value: e.name, required: true, maxlength: 128 });
  const rename = h("form", { class: "stack", "aria-label": `${t("dims.rename")} ${e.code}` },
    h("label", { for: `${kind.prefix}-name-${e.id}` }, t("dims.name")), name,
    h("div", { class: "row" }, h("button", { type: "submit" }, t("dims.rename"))));
  rename.addEventListener("submit", (ev) => {
    ev.preventDefault();
    act(rename.querySelector("button"), out, async () => {
      await api(`/admin/${kind.path}/${e.id}`, { method: "PATCH", body: { name: name.value.trim() } });
      await redraw(`${t("dims.renamed")}: ${e.code}`);
    });
  });
  const toggle = h("button", { type: "button", class: "toggle", onclick: () => act(toggle, out, async () => {
    await api(`/admin/${kind.path}/${e.id}`, { method: "PATCH", body: { active: !e.active } });
    await redraw(`${e.active ? t("dims.deactivated") : t("dims.activated")}: ${e.code}`);
  }) }, e.active ? t("dims.deactivate") : t("dims.activate"));
  const remove = h("button", { type: "button", class: "danger remove", onclick: () => act(remove, out, async () => {
    const done = await api(`/admin/${kind.path}/${e.id}`, { method: "DELETE" });
    await redraw(`${done.deleted ? t("dims.deleted") : t("dims.keptinactive")}: ${e.code}`);
  }) }, t("dims.delete"));
  const dept = e.department_id ? ` · ${deptName.get(e.department_id) || e.department_id}` : "";
  return h("li", { class: "card", "data-code": e.code, "data-active": String(e.active) },
    h("p", {}, h("strong", {}, e.code), ` · ${e.name}${dept}`, e.active ? "" : ` · ${t("admin.inactive")}`),
    h("details", {}, h("summary", {}, t("dims.change")), rename, h("div", { class: "row" }, toggle, remove)), out);
}

function createForm(kind, depts, status, redraw) {
  const p = kind.prefix;
  const dept = kind.path === "cost-centres"
    ? [h("label", { for: `${p}-new-dept` }, t("dims.department")),
      h("select", { id: `${p}-new-dept` }, h("option", { value: "" }, t("dims.nodepartment")),
        ...depts.map((d) => h("option", { value: d.id }, d.name)))]
    : [];
  const form = h("form", { class: "stack", id: `${p}-form`, "aria-labelledby": `${p}-new-title` },
    h("h3", { id: `${p}-new-title` }, t(`${kind.title}.new`)),
    h("label", { for: `${p}-new-code` }, t("dims.code")),
    h("input", { id: `${p}-new-code`, required: true, maxlength: 32, pattern: "[A-Za-z0-9_.\\-]+", autocapitalize: "characters",
      placeholder: p === "cc" ? "CC-SALES" : "P-001" }),
    h("label", { for: `${p}-new-name` }, t("dims.name")),
    h("input", { id: `${p}-new-name`, required: true, maxlength: 128 }),
    ...dept,
    h("div", { class: "row" }, h("button", { type: "submit" }, t("admin.add"))));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const body = { code: form.querySelector(`#${p}-new-code`).value.trim(), name: form.querySelector(`#${p}-new-name`).value.trim() };
    const d = form.querySelector(`#${p}-new-dept`);
    if (d && d.value) body.department_id = Number(d.value);
    act(form.querySelector("button[type=submit]"), status, async () => {
      const made = await api(`/admin/${kind.path}`, { method: "POST", body });
      await redraw(`${t("dims.created")}: ${made.code}`);
    });
  });
  return form;
}

async function kindSection(kind, depts, deptName) {
  const list = h("ul", { class: "list plain", id: `${kind.prefix}-list` });
  const status = h("div", { "aria-live": "polite", id: `${kind.prefix}-status` });
  const redraw = async (message) => {
    const data = await api(`/${kind.path}?include_inactive=true`);
    list.replaceChildren(...(data.items.length ? data.items.map((e) => entryRow(kind, e, deptName, redraw))
      : [h("li", {}, t("admin.none"))]));
    status.replaceChildren(...(message ? [notice(message, "info")] : []));
  };
  await redraw();
  return h("section", { class: "card", id: kind.path }, h("h2", {}, t(kind.title)), list, status,
    createForm(kind, depts, status, redraw));
}

export async function dimensionsPage() {
  await guard(async () => {
    const depts = (await api("/departments")).items;
    const deptName = new Map(depts.map((d) => [d.id, d.name]));
    const sections = await Promise.all(KINDS.map((k) => kindSection(k, depts, deptName)));
    page(t("dims.title"), backLink(), h("p", { class: "muted" }, t("dims.help")), ...sections);
  });
}

// a shipped flow by its name in the reader's language, a flow an admin made by the name the admin gave it
async function flowNames(ids) {
  const names = await Promise.all(ids.map(async (id) => {
    if (has(`flow.${id}`)) return [id, t(`flow.${id}`)];
    const flow = await api(`/admin/flows/${encodeURIComponent(id)}`).catch(() => null);
    return [id, (flow && flow.diagram.name) || id];
  }));
  return new Map(names);
}

export async function claimTypesPage() {
  await guard(async () => {
    const [types, flows] = await Promise.all([api("/claim-types"), api("/admin/flows")]);
    const ids = flows.items.map((f) => f.id);
    const names = await flowNames(ids);
    // one label and its flow per type, stacked: long names stay whole on a phone
    const rows = Object.entries(types.types).map(([type, flow]) => {
      const choices = ids.includes(flow) ? ids : [flow, ...ids];
      return h("div", { "data-type": type },
        h("label", { for: `type-${type}` }, tOr("claimtype", type)),
        h("select", { id: `type-${type}`, "data-type": type },
          ...choices.map((f) => h("option", { value: f, selected: f === flow }, names.get(f) || f))));
    });
    const out = h("div", { "aria-live": "polite", id: "types-status" });
    const save = h("button", { type: "submit", id: "types-save" }, t("types.save"));
    const form = h("form", { id: "types-form", "aria-labelledby": "types-head" },
      h("p", { id: "types-head", class: "muted" }, `${t("types.type")} → ${t("types.flow")}`),
      h("div", { id: "claim-types" }, ...rows),
      h("div", { class: "row" }, save), out);
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      const mapping = Object.fromEntries([...form.querySelectorAll("select[data-type]")].map((s) => [s.dataset.type, s.value]));
      act(save, out, async () => {
        await api("/admin/claim-types", { method: "PUT", body: { types: mapping } });
        out.append(notice(t("admin.saved"), "info"));
      });
    });
    page(t("types.title"), backLink(), h("p", { class: "muted" }, t("types.help")), h("section", { class: "card" }, form));
  });
}
