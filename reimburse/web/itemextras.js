// What an item may carry beyond amount and date, kept out of sight until asked for: a receipt
// from abroad (its currency and document), a passenger ticket's facts (for input VAT) and the
// item's split across cost centres and projects. The server checks all of it again; the checks
// here only say early what it would refuse.
import { api, user } from "/app/api.js";
import { h } from "/app/dom.js";
import { fill, t, tOr } from "/app/i18n.js";

// the currencies salespeople spend most in; any other ISO 4217 code can be typed
export const CURRENCIES = ["USD", "EUR", "HKD", "JPY", "GBP", "SGD", "KRW", "AUD", "MOP", "TWD"];
const FOREIGN_KINDS = ["hotel_folio", "tax_invoice", "receipt"];
const TRANSPORTS = ["train", "air", "road", "water"];
const TICKETED = new Set(["transport", "travel"]);
const DIMENSIONS = ["project", "cost_centre"];

// Cost centres and projects, fetched once per page load (the first split asks for them).
let master = null;
function masterData() {
  if (!master) {
    master = Promise.all([api("/cost-centres"), api("/projects")])
      .then(([cc, pj]) => ({ cost_centre: cc.items, project: pj.items }))
      .catch((err) => { master = null; throw err; });
  }
  return master;
}

const upper = (input) => input.addEventListener("input", () => {
  const at = input.selectionStart;
  input.value = input.value.toUpperCase();
  if (at !== null) input.setSelectionRange(at, at);
});

// The currency and the document of a receipt from abroad. `amountLabel` is the item's amount
// label: it says the amount is as spent, in that currency.
export function foreignFields(key, prefill, amountLabel) {
  const doc = prefill.foreign_document || {};
  const currency = h("select", { id: `cur-${key}`, name: "currency" },
    ...CURRENCIES.map((c) => h("option", { value: c }, c)), h("option", { value: "" }, t("fx.othercurrency")));
  const other = h("input", { id: `curx-${key}`, name: "currency_other", maxlength: 3, pattern: "[A-Z]{3}",
    autocapitalize: "characters", title: t("fx.codehint"), "aria-describedby": `curx-${key}-hint` });
  upper(other);
  const known = prefill.currency && CURRENCIES.includes(prefill.currency);
  currency.value = known || !prefill.currency ? prefill.currency || "USD" : "";
  if (!known && prefill.currency && prefill.currency !== "CNY") other.value = prefill.currency;
  const otherRow = h("div", { class: "rule-field" }, h("label", { for: other.id }, t("fx.code")), other,
    h("small", { class: "muted hint", id: `curx-${key}-hint` }, t("fx.codehint")));
  const kind = h("select", { id: `fkind-${key}`, name: "foreign_kind" },
    ...FOREIGN_KINDS.map((k) => h("option", { value: k }, tOr("foreign", k))));
  kind.value = doc.kind || "hotel_folio";
  const issuer = h("input", { id: `issuer-${key}`, name: "issuer", required: true, maxlength: 200, value: doc.issuer ?? "" });
  const number = h("input", { id: `fno-${key}`, name: "foreign_number", maxlength: 64, value: doc.number ?? "" });
  const issued = h("input", { id: `fdate-${key}`, name: "issue_date", type: "date", required: true, value: doc.issue_date ?? "" });
  const country = h("input", { id: `country-${key}`, name: "country", maxlength: 2, pattern: "[A-Z]{2}",
    autocapitalize: "characters", title: t("fx.countryhint"), value: doc.country ?? "" });
  upper(country);
  const code = () => (currency.value || other.value.trim());
  const update = () => {
    otherRow.hidden = currency.value !== "";
    other.required = !otherRow.hidden;
    amountLabel.textContent = `${t("fx.amountspent")} (${code() || "—"})`;
  };
  currency.addEventListener("change", update);
  other.addEventListener("input", update);
  update();
  const box = h("fieldset", { class: "extra foreign-fields" }, h("legend", {}, t("fx.title")),
    h("p", { class: "muted hint" }, t("fx.help")),
    h("div", { class: "pair" },
      h("div", {}, h("label", { for: currency.id }, t("fx.currency")), currency),
      h("div", {}, h("label", { for: kind.id }, t("fx.kind")), kind)),
    otherRow,
    h("label", { for: issuer.id }, t("fx.issuer")), issuer,
    h("div", { class: "pair" },
      h("div", {}, h("label", { for: number.id }, t("fx.number")), number),
      h("div", {}, h("label", { for: country.id }, t("fx.country")), country)),
    h("label", { for: issued.id }, t("fx.issued")), issued);
  return {
    box,
    issued,
    inputs: [other, issuer, number, issued, country],
    values: () => ({
      currency: code(),
      foreign_document: { kind: kind.value, issuer: issuer.value.trim(), number: number.value.trim() || null,
        issue_date: issued.value, country: country.value.trim() || null },
    }),
  };
}

// A passenger ticket's facts: who travelled (an employee's own ticket is what deducts input VAT)
// and, for a flight, the fare and the fuel surcharge.
function ticketFields(key, category, prefill) {
  const tk = prefill.ticket || null;
  const on = h("input", { id: `tk-${key}`, name: "has_ticket", type: "checkbox", checked: Boolean(tk) });
  const transport = h("select", { id: `tkmode-${key}`, name: "transport" },
    ...TRANSPORTS.map((m) => h("option", { value: m }, t(`ticket.${m}`))));
  transport.value = tk?.transport || "train";
  const passenger = h("input", { id: `tkname-${key}`, name: "passenger_name", maxlength: 100,
    value: tk?.passenger_name ?? user()?.display_name ?? "" });
  const employee = h("input", { id: `tkemp-${key}`, name: "passenger_is_employee", type: "checkbox",
    checked: tk ? tk.passenger_is_employee !== false : true });
  const money = (id, name, value) => h("input", { id, name, inputmode: "decimal", pattern: "\\d+(\\.\\d{1,2})?", value: value ?? "" });
  const fare = money(`tkfare-${key}`, "fare", tk?.fare);
  const fuel = money(`tkfuel-${key}`, "fuel_surcharge", tk?.fuel_surcharge);
  const air = h("div", { class: "pair", "data-ticket": "air" },
    h("div", {}, h("label", { for: fare.id }, t("ticket.fare")), fare),
    h("div", {}, h("label", { for: fuel.id }, t("ticket.fuel")), fuel));
  const details = h("div", { class: "ticket-details" },
    h("label", { for: transport.id }, t("ticket.transport")), transport,
    h("label", { for: passenger.id }, t("ticket.passenger")), passenger,
    h("label", { class: "check", for: employee.id }, employee, ` ${t("ticket.employee")}`),
    air, h("small", { class: "muted hint" }, t("ticket.hint")));
  const box = h("fieldset", { class: "extra ticket-fields" }, h("legend", {}, t("ticket.title")),
    h("label", { class: "check", for: on.id }, on, ` ${t("ticket.add")}`), details);
  const shown = () => TICKETED.has(category.value);
  const update = () => {
    box.hidden = !shown();
    details.hidden = !on.checked;
    air.hidden = transport.value !== "air";
    passenger.required = shown() && on.checked;
  };
  for (const el of [on, transport]) el.addEventListener("change", update);
  category.addEventListener("change", update);
  update();
  return {
    box,
    inputs: [passenger, fare, fuel],
    values: () => {
      if (!shown() || !on.checked) return { ticket: null };
      const air = transport.value === "air";
      return { ticket: { transport: transport.value, passenger_name: passenger.value.trim(),
        passenger_is_employee: employee.checked, fare: air && fare.value ? fare.value : null,
        fuel_surcharge: air && fuel.value ? fuel.value : null } };
    },
  };
}

const cents = (text) => Math.round(Number(text) * 100);

// The item's shares on one dimension (projects or cost centres), by percent or by amount, with
// a running sum that says what is still missing. `total()` is the item's amount as typed; null
// when it is in another currency (then only percentages can be checked here). `enabled()` says
// whether the item is split at all.
function dimensionShares(key, dim, given, total, enabled, unknown) {
  const on = h("input", { id: `spon-${key}-${dim}`, name: "split_on", value: dim, type: "checkbox",
    checked: given.length > 0 });
  const mode = h("select", { id: `spmode-${key}-${dim}`, name: "split_mode" },
    h("option", { value: "percent" }, t("split.percent")), h("option", { value: "amount" }, t("split.amount")));
  if (given.length) mode.value = given[0].percent ? "percent" : "amount";
  const rows = h("ol", { class: "shares plain" });
  const sum = h("p", { class: "split-sum", "aria-live": "polite", id: `spsum-${key}-${dim}` });
  const add = h("button", { type: "button", class: "link add-share" }, t("split.add"));
  const details = h("div", { class: "split-details" },
    h("div", {}, h("label", { for: mode.id }, t("split.how")), mode), rows, h("div", { class: "row" }, add), sum);
  const box = h("div", { class: "split-dim", "data-dimension": dim },
    h("label", { class: "check", for: on.id }, on, ` ${t(`split.on_${dim}`)}`), details);
  let n = 0;
  const fillCodes = (select) => masterData().then((data) => {
    const keep = select.value || select.dataset.code || "";
    select.replaceChildren(h("option", { value: "" }, t("split.pick")),
      ...data[dim].map((e) => h("option", { value: e.code }, `${e.code} · ${e.name}`)));
    select.value = keep;
    if (select.value !== keep) select.value = "";
  }).catch(() => { sum.textContent = t("split.nomaster"); });
  const row = (code = "", share = "") => {
    const i = ++n;
    const select = h("select", { id: `spcode-${key}-${dim}-${i}`, name: "split_code", "data-code": code },
      h("option", { value: code }, code || t("split.pick")));
    const value = h("input", { id: `spval-${key}-${dim}-${i}`, name: "split_share", inputmode: "decimal",
      pattern: "\\d+(\\.\\d{1,2})?", value: share });
    const li = h("li", { class: "share" },
      h("div", {}, h("label", { for: select.id }, `${t(`split.${dim}`)} ${i}`), select),
      h("div", {}, h("label", { for: value.id, class: "share-label" }, t(`split.${mode.value}`)), value),
      h("button", { type: "button", class: "link remove-share", "aria-label": `${t("split.remove")} ${i}`,
        onclick: () => { li.remove(); check(); } }, "×"));
    select.addEventListener("change", check);
    value.addEventListener("input", check);
    fillCodes(select);
    rows.append(li);
    return li;
  };
  const shares = () => [...rows.querySelectorAll("li.share")].map((li) => ({
    select: li.querySelector("select"), input: li.querySelector("input") }));
  const active = () => enabled() && on.checked;
  // the running sum; a wrong one blocks the form (custom validity) with the same words
  function check() {
    const list = shares();
    on.setCustomValidity("");
    for (const s of list) { s.select.setCustomValidity(""); s.input.setCustomValidity(""); }
    for (const s of list) s.select.required = s.input.required = active();
    rows.querySelectorAll(".share-label").forEach((l) => { l.textContent = t(`split.${mode.value}`); });
    details.hidden = !on.checked;
    if (!active()) { sum.textContent = ""; return; }
    const codes = list.map((s) => s.select.value).filter(Boolean);
    let problem = null;
    if (!list.length) problem = t("split.none");
    if (new Set(codes).size !== codes.length) problem = t("split.twice");
    const added = list.reduce((a, s) => a + (cents(s.input.value) || 0), 0);
    let text;
    if (mode.value === "percent") {
      text = fill("split.sumpercent", { sum: (added / 100).toFixed(2).replace(/\.00$/, "") });
      if (added !== 10000) problem = problem || fill("split.percentoff", { left: String((10000 - added) / 100) });
    } else {
      const whole = total();
      text = fill("split.sumamount", { sum: (added / 100).toFixed(2) });
      if (whole === null) problem = problem || t(unknown);
      else if (added !== cents(whole)) problem = problem || fill("split.amountoff", { left: ((cents(whole) - added) / 100).toFixed(2) });
    }
    sum.textContent = problem ? `${text} · ${problem}` : `${text} ✓`;
    sum.classList.toggle("bad", Boolean(problem));
    if (problem && list.length) list[list.length - 1].input.setCustomValidity(problem);
    else if (problem) on.setCustomValidity(problem);
  }
  const turnOn = () => {
    if (on.checked && !shares().length) { row(); row(); }
    check();
  };
  on.addEventListener("change", turnOn);
  mode.addEventListener("change", check);
  add.addEventListener("click", () => { row().querySelector("select").focus(); check(); });
  for (const s of given) row(s.code, s.percent ?? s.amount);
  return {
    box,
    check,
    on,
    turnOn,
    inputs: () => [on, ...shares().flatMap((s) => [s.select, s.input])],
    values: () => (active()
      ? shares().map((s) => ({ dimension: dim, code: s.select.value, [mode.value]: s.input.value }))
      : []),
  };
}

// The item's split: on projects, on cost centres, or on both at once (each dimension adding up
// to the item on its own, as the server wants).
// `unknown` words a split by amount when `total()` is null (another currency, or an allowance
// not computed yet).
function splitFields(key, prefill, total, unknown = "split.amountforeign") {
  const given = prefill.splits || [];
  const on = h("input", { id: `sp-${key}`, name: "has_split", type: "checkbox", checked: given.length > 0 });
  const dims = DIMENSIONS.map((d) => dimensionShares(key, d, given.filter((g) => g.dimension === d), total,
    () => on.checked, unknown));
  const details = h("div", { class: "split-details" }, h("p", { class: "muted" }, t("split.both")),
    ...dims.map((d) => d.box));
  const box = h("fieldset", { class: "extra split-fields" }, h("legend", {}, t("split.title")),
    h("label", { class: "check", for: on.id }, on, ` ${t("split.add_")}`), details);
  const check = () => { for (const d of dims) d.check(); };
  const update = () => {
    details.hidden = !on.checked;
    // turned on with no dimension chosen yet: projects, the more common one
    if (on.checked && !dims.some((d) => d.on.checked)) { dims[0].on.checked = true; dims[0].turnOn(); }
    check();
  };
  on.addEventListener("change", update);
  for (const d of dims) d.on.addEventListener("change", check);
  update();
  return {
    box,
    check,
    inputs: () => dims.flatMap((d) => d.inputs()),
    values: () => ({ splits: on.checked ? dims.flatMap((d) => d.values()) : [] }),
  };
}

// The "more" toggle of one item: ticket facts (transport and travel only) and the split.
// `amount` is the item's amount input, or for an allowance (`computed`) a holder of the amount the
// server computed, empty until it did (then a split by amount cannot be summed: by percent);
// `foreign()` says whether the item is in another currency; `tickets: false` for items without a
// document (nothing to deduct).
export function moreFields(key, category, prefill, amount,
  { foreign = () => false, tickets = true, computed = false } = {}) {
  const ticket = foreign() || !tickets ? null : ticketFields(key, category, prefill);
  const split = computed
    ? splitFields(key, prefill, () => amount.value || null, "split.amountcomputed")
    : splitFields(key, prefill, () => (foreign() ? null : amount.value));
  if (!computed) amount.addEventListener("input", split.check);
  const open = Boolean(prefill.ticket || (prefill.splits && prefill.splits.length));
  const panel = h("div", { class: "more-fields", id: `more-${key}`, hidden: !open }, ticket?.box, split.box);
  const toggle = h("button", { type: "button", class: "link more-toggle", "aria-expanded": String(open),
    "aria-controls": panel.id });
  const word = ticket ? "more.more" : "more.split";
  toggle.textContent = open ? t("more.less") : t(word);
  toggle.addEventListener("click", () => {
    panel.hidden = !panel.hidden;
    toggle.setAttribute("aria-expanded", String(!panel.hidden));
    toggle.textContent = panel.hidden ? t(word) : t("more.less");
  });
  return {
    box: h("div", { class: "more" }, toggle, panel),
    check: split.check, // an allowance's computed amount came back: sum the shares again
    // the inputs to check before saving (the shares change as rows come and go)
    inputs: () => [...(ticket ? ticket.inputs : []), ...split.inputs()],
    values: () => ({ ...(ticket ? ticket.values() : {}), ...split.values() }),
  };
}
