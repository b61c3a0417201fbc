// Dashboards: spend by month per category and per department, budget burn against plan,
// approval cycle time per step, top findings; filtered by days, department and category, and
// any report downloads as CSV or Excel with the same filters. Charts are plain SVG bars, each with a text
// table alternative (screen readers, and numbers one can copy).
import { api } from "/app/api.js";
import { CATEGORIES } from "/app/capture.js";
import { download, guard, h, page } from "/app/dom.js";
import { findingTitle, stepName, t, tOr } from "/app/i18n.js";

const SVG = "http://www.w3.org/2000/svg";

function svg(tag, attrs = {}, text) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  if (text !== undefined) el.textContent = text;
  return el;
}

// Horizontal bars: one row per label, value printed at the end of the bar.
function bars(title, rows, unit = "") {
  const max = Math.max(1, ...rows.map((r) => Number(r.value)));
  const rowH = 26;
  const chart = svg("svg", { viewBox: `0 0 360 ${rows.length * rowH + 4}`, role: "img", "aria-label": title, class: "chart" });
  rows.forEach((r, i) => {
    const w = Math.max(1, (Number(r.value) / max) * 170); // leaves room for the figure after the bar
    chart.append(
      svg("text", { x: 0, y: i * rowH + 17, class: "label" }, r.label.length > 14 ? `${r.label.slice(0, 13)}…` : r.label),
      svg("rect", { x: 120, y: i * rowH + 5, width: w, height: 16, rx: 3, class: "bar" }),
      svg("text", { x: 124 + w, y: i * rowH + 17, class: "value" }, `${r.value}${unit}`),
    );
  });
  const table = h("table", { class: "sr-table" },
    h("caption", {}, title),
    ...rows.map((r) => h("tr", {}, h("th", { scope: "row" }, r.label), h("td", {}, `${r.value}${unit}`))));
  return h("section", { class: "card" }, h("h2", {}, title), rows.length ? chart : h("p", {}, t("dash.empty")), table);
}

function sumBy(series, period) {
  const out = new Map();
  for (const p of series) if (!period || p.period === period) out.set(p.key, (out.get(p.key) || 0) + Number(p.value));
  return [...out.entries()].map(([label, value]) => ({ label, value: value.toFixed(2) })).sort((a, b) => b.value - a.value);
}

const REPORTS = ["spend", "budget", "cycle-time", "payment-cycle", "findings", "claims-by-state"];

// The filters every report takes (days inclusive, a department with the ones under it, a category).
function filterForm(depts, onChange) {
  const select = (id, label, options) => [h("label", { for: id }, label),
    h("select", { id }, h("option", { value: "" }, t("finance.any")), ...options.map(([v, text]) => h("option", { value: v }, text)))];
  const form = h("form", { class: "card filters", id: "dash-filters", "aria-label": t("finance.filter") },
    h("div", {}, h("label", { for: "dash-since" }, t("paid.since")), h("input", { id: "dash-since", type: "date" })),
    h("div", {}, h("label", { for: "dash-until" }, t("paid.until")), h("input", { id: "dash-until", type: "date" })),
    h("div", {}, ...select("dash-department", t("finance.department"), depts.map((d) => [String(d.id), d.name]))),
    h("div", {}, ...select("dash-category", t("finance.category"), CATEGORIES.map((c) => [c, t(`cat.${c}`)]))));
  form.addEventListener("change", onChange);
  form.addEventListener("submit", (e) => e.preventDefault());
  return form;
}

function filterQuery(form) {
  const q = new URLSearchParams();
  for (const [k, id] of [["since", "dash-since"], ["until", "dash-until"], ["department_id", "dash-department"], ["category", "dash-category"]]) {
    const v = form.querySelector(`#${id}`).value;
    if (v) q.set(k, v);
  }
  return q;
}

// Any report as CSV or Excel, with the filters shown above.
function exportBox(form) {
  const which = h("select", { id: "dash-report" }, ...REPORTS.map((r) => h("option", { value: r }, t(`report.${r.replaceAll("-", "_")}`))));
  const get = (ext) => (e) => guard(() => {
    const q = filterQuery(form);
    q.set("report", which.value);
    return download(`/api/v1/reports/export.${ext}?${q}`, `${which.value}.${ext}`);
  }, e.target.closest("section"));
  return h("section", { class: "card", id: "dash-export" }, h("h2", {}, t("dash.export")),
    h("label", { for: "dash-report" }, t("dash.report")), which,
    h("div", { class: "row" },
      h("button", { type: "button", id: "dash-csv", onclick: get("csv") }, t("finance.export")),
      h("button", { type: "button", id: "dash-xlsx", onclick: get("xlsx") }, t("finance.exportxlsx"))));
}

async function charts(form) {
  const q = filterQuery(form);
  const and = q.size ? `&${q}` : "";
  const only = q.size ? `?${q}` : "";
  const [cat, dept, budget, cycle, findings, paid] = await Promise.all([
    api(`/reports/spend?by=category${and}`), api(`/reports/spend?by=department${and}`), api(`/reports/budget${only}`),
    api(`/reports/cycle-time${only}`), api(`/reports/findings${only}`), api(`/reports/payment-cycle${only}`),
  ]);
  // opens on this month (empty or not), with every month that has data one tap away
  const now = new Date();
  const thisMonth = `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, "0")}`;
  const months = [...new Set(cat.series.map((p) => p.period))].sort();
  const choices = [...new Set([thisMonth, ...months])].sort().reverse();
  const picker = h("select", { id: "dash-month" }, ...choices.map((m) => h("option", { value: m }, m)));
  picker.value = thisMonth;
  const monthly = h("div", { id: "monthly" });
  const showMonth = () => monthly.replaceChildren(
    bars(`${t("dash.spendcat")} ${picker.value}`, sumBy(cat.series, picker.value).map((r) => ({ ...r, label: t(`cat.${r.label}`) }))),
    bars(`${t("dash.spenddept")} ${picker.value}`, sumBy(dept.series, picker.value)));
  picker.addEventListener("change", showMonth);
  showMonth();
  const trend = months.map((m) => ({ label: m, value: sumBy(cat.series, m).reduce((s, r) => s + Number(r.value), 0).toFixed(2) }));
  return [
    h("div", { class: "card" }, h("label", { for: "dash-month" }, t("dash.month")), picker),
    monthly,
    bars(t("dash.trend"), trend),
    // "部门 · category": the category part in the reader's words
    bars(t("dash.budget"), budget.series.map((b) => ({ label: b.key.split(" · ").map((p, i) => (i ? tOr("cat", p) : p)).join(" · "),
      value: b.value })), "%"),
    bars(t("dash.cycle"), cycle.series.map((c) => ({ label: stepName(c.key), value: c.value })), t("dash.hours")),
    // submission to payment per department: the median, with the 90th percentile beside it
    bars(t("dash.paycycle"), paid.series.map((c) => ({ label: `${c.key} (${t("dash.p90")} ${c.p90} ${t("dash.hours")})`, value: c.value })),
      t("dash.hours")),
    bars(t("dash.findings"), findings.series.map((f) => ({ label: findingTitle(f.key), value: String(f.value) })))];
}

export async function dashboardPage() {
  await guard(async () => {
    const depts = (await api("/departments").catch(() => ({ items: [] }))).items;
    const box = h("div", { id: "dash-charts" });
    // only the answer to the latest change is drawn (two quick changes may answer out of order)
    let latest = 0;
    const redraw = () => {
      const mine = ++latest;
      box.querySelectorAll(":scope > .notice").forEach((el) => el.remove());
      return guard(async () => {
        try {
          const drawn = await charts(form);
          if (mine === latest) box.replaceChildren(...drawn);
        } catch (err) {
          if (mine === latest) throw err;
        }
      }, box);
    };
    const form = filterForm(depts, redraw);
    box.replaceChildren(...await charts(form));
    page(t("dash.title"), form, box, exportBox(form));
  });
}
