// Dashboards: spend by month per category and per department, the monthly trend split by
// category, budget burn against plan, approval cycle time per step, submission to payment, top
// findings; filtered by days, department and category, and any report downloads as CSV or Excel
// with the same filters. Each chart is a plain SVG drawn for a phone (the label on its own line
// above the bar, text at about 13 px on a 390 px screen) with its figures as a table beside it
// (below it on a phone): screen readers read the table, and anyone can read or copy the numbers.
import { api } from "/app/api.js";
import { CATEGORIES } from "/app/capture.js";
import { download, guard, h, page } from "/app/dom.js";
import { findingTitle, stepName, t, tOr } from "/app/i18n.js";

const SVG = "http://www.w3.org/2000/svg";
const WIDTH = 340; // viewBox units; the chart is drawn at the card's width (about 326 px on a phone)
const ROW = 42; // a label line and a bar
const BAR = 260; // the longest bar, leaving room for its figure
// categories stacked in one bar: told apart by colour, by pattern and by the legend's order
const CATEGORY_FILLS = ["#1f4e79", "#6b8fb3", "#7a4a00", "#0b6b2b", "#a30000", "#5b3f8c", "#4a4a4a"];

function svg(tag, attrs = {}, text) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  if (text !== undefined) el.textContent = text;
  return el;
}

// A figure as people read it: thousands grouped, the unit after it.
function figure(value, unit = "") {
  const n = Number(value);
  const text = Number.isFinite(n) ? n.toLocaleString(document.documentElement.lang, { maximumFractionDigits: 2 }) : String(value);
  return `${text}${unit}`;
}

// The table beside a chart: a caption, a header row, one row per label.
function table(id, title, head, rows) {
  return h("div", { class: "scroll" }, h("table", { class: "chart-table", id: `${id}-table` },
    h("caption", {}, title),
    h("thead", {}, h("tr", {}, ...head.map((c, i) => h("th", { scope: "col", class: i ? "num" : null }, c)))),
    h("tbody", {}, ...(rows.length ? rows.map((r) => h("tr", {}, h("th", { scope: "row" }, r[0]),
      ...r.slice(1).map((c) => h("td", { class: "num" }, c))))
      : [h("tr", { class: "empty" }, h("td", { colspan: head.length }, t("dash.empty")))]))));
}

function card(id, title, chart, figures) {
  return h("section", { class: "card chart-card", id },
    h("h2", {}, title),
    h("div", { class: "chart-pair" }, chart, figures)); // no data: the table says so
}

// Horizontal bars, one per row: `parts` are the bar's stacked segments (value, class or fill),
// `mark` an optional reference line (the plan, at 100 %).
function barChart(title, rows, { unit = "", mark = null } = {}) {
  if (!rows.length) return null;
  const total = (r) => r.parts.reduce((s, p) => s + Number(p.value), 0);
  const max = Math.max(1e-9, mark ?? 0, ...rows.map(total));
  const chart = svg("svg", { viewBox: `0 0 ${WIDTH} ${rows.length * ROW + 4}`, role: "img", "aria-label": title, class: "chart" });
  rows.forEach((r, i) => {
    const y = i * ROW;
    chart.append(svg("text", { x: 0, y: y + 15, class: "label" }, r.label));
    let x = 0;
    for (const p of r.parts) {
      const w = (Number(p.value) / max) * BAR;
      if (w <= 0) continue;
      const rect = svg("rect", { x, y: y + 21, width: Math.max(w, 1.5), height: 15, class: p.class || "bar" });
      if (p.fill) rect.style.fill = p.fill; // over the stylesheet's bar colour (an attribute would lose)
      chart.append(rect);
      x += w;
    }
    chart.append(svg("text", { x: Math.max(x, 1.5) + 5, y: y + 33, class: "value" }, r.text ?? figure(total(r), unit)));
    if (mark !== null) {
      const mx = (mark / max) * BAR;
      chart.append(svg("line", { x1: mx, x2: mx, y1: y + 18, y2: y + 39, class: "mark" }));
    }
  });
  return chart;
}

function simple(id, title, rows, unit = "", head = null) {
  const chart = barChart(title, rows.map((r) => ({ label: r.label, parts: [{ value: r.value }] })), { unit });
  return card(id, title, chart,
    table(id, title, head || [t("dash.item"), t("dash.value")], rows.map((r) => [r.label, figure(r.value, unit)])));
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

// Spend per month, each bar split by category (legend above, in the bars' order).
function trendCard(series, months) {
  const cats = [...new Set(series.map((p) => p.key))].sort();
  const colour = (c) => CATEGORY_FILLS[cats.indexOf(c) % CATEGORY_FILLS.length];
  const by = (m, c) => series.filter((p) => p.period === m && p.key === c).reduce((s, p) => s + Number(p.value), 0);
  const title = t("dash.trend");
  const rows = months.map((m) => ({ label: m, parts: cats.map((c) => ({ value: by(m, c), fill: colour(c) })) }));
  const legend = h("ul", { class: "legend", "aria-hidden": "true" },
    ...cats.map((c) => h("li", {}, h("span", { class: "swatch", style: `background: ${colour(c)}` }), tOr("cat", c))));
  const chart = barChart(title, rows);
  const head = [t("dash.month"), ...cats.map((c) => tOr("cat", c)), t("dash.total")];
  const body = months.map((m) => [m, ...cats.map((c) => figure(by(m, c).toFixed(2))),
    figure(cats.reduce((s, c) => s + by(m, c), 0).toFixed(2))]);
  return card("dash-trend", title, chart ? h("div", {}, legend, chart) : null, table("dash-trend", title, head, body));
}

// Budget burn: spent (solid) and committed (striped) against the plan (the line at 100 %).
function budgetCard(all) {
  const title = t("dash.budget");
  const series = [...all].sort((a, b) => Number(b.value) - Number(a.value)); // the lines burning fastest first
  const label = (b) => b.key.split(" · ").map((p, i) => (i ? tOr("cat", p) : p)).join(" · ");
  const pct = (v, b) => (Number(b.plan) ? (Number(v) / Number(b.plan)) * 100 : 0);
  const rows = series.map((b) => ({ label: `${label(b)} · ${b.period}`, text: `${figure(b.value)}%`,
    parts: [{ value: pct(b.spent, b), class: "bar" }, { value: pct(b.committed, b), class: "bar committed" }] }));
  const legend = h("ul", { class: "legend", "aria-hidden": "true" },
    h("li", {}, h("span", { class: "swatch spent" }), t("dash.spent")),
    h("li", {}, h("span", { class: "swatch committed" }), t("dash.committed")),
    h("li", {}, h("span", { class: "swatch plan" }), t("dash.plan")));
  const chart = barChart(title, rows, { mark: 100 });
  // the share used first: on a phone the table scrolls sideways, and that figure stays in sight
  const head = [t("dash.line"), t("dash.used"), t("dash.plan"), t("dash.spent"), t("dash.committed")];
  const body = series.map((b) => [`${label(b)} · ${b.period}`, `${figure(b.value)}%`, figure(b.plan), figure(b.spent), figure(b.committed)]);
  return card("dash-budget", title, chart ? h("div", {}, legend, chart) : null, table("dash-budget", title, head, body));
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
  const amount = [t("dash.item"), t("dash.amount")];
  const showMonth = () => monthly.replaceChildren(
    simple("dash-cat", `${t("dash.spendcat")} ${picker.value}`,
      sumBy(cat.series, picker.value).map((r) => ({ ...r, label: tOr("cat", r.label) })), "", amount),
    simple("dash-dept", `${t("dash.spenddept")} ${picker.value}`, sumBy(dept.series, picker.value), "", amount));
  picker.addEventListener("change", showMonth);
  showMonth();
  const hours = t("dash.hours");
  // what counts as spend, so that a month of claims still in approval does not look like a fault
  return [h("div", { class: "card" }, h("label", { for: "dash-month" }, t("dash.month")), picker,
    h("p", { class: "muted", id: "dash-spend-note" }, t("dash.spendnote"))),
      monthly,
      trendCard(cat.series, months),
      budgetCard(budget.series),
      simple("dash-cycle", t("dash.cycle"), cycle.series.map((c) => ({ label: stepName(c.key), value: c.value })), ` ${hours}`,
        [t("dash.step"), t("dash.average")]),
      // submission to payment per department: the median, with the 90th percentile beside it
      card("dash-paycycle", t("dash.paycycle"),
        barChart(t("dash.paycycle"), paid.series.map((c) => ({ label: c.key, parts: [{ value: c.value }] })), { unit: ` ${hours}` }),
        table("dash-paycycle", t("dash.paycycle"), [t("finance.department"), t("dash.median"), t("dash.p90"), t("dash.count")],
          paid.series.map((c) => [c.key, figure(c.value, ` ${hours}`), figure(c.p90, ` ${hours}`), figure(c.count)]))),
      simple("dash-findings", t("dash.findings"), findings.series.map((f) => ({ label: findingTitle(f.key), value: String(f.value) })), "",
        [t("dash.finding"), t("dash.count")])];
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
