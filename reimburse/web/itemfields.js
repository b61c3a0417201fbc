// What the expense rules read besides the invoice: the number of people for meals and client
// entertainment, nights and the city tier for lodging. Each shows only for the categories that
// need it, so a finding such as "number of guests missing" can be answered where it arises.
import { h } from "/app/dom.js";
import { t } from "/app/i18n.js";

// category -> the inputs it needs (lodging without invoice is a per-diem: no nights asked)
const NEEDS = { meals: ["attendees"], client_entertainment: ["attendees"], lodging: ["nights", "city_tier"] };
const REQUIRED = { client_entertainment: ["attendees"], lodging: ["nights", "city_tier"] };

function number(id, name, max, value) {
  return h("input", { id, name, type: "number", inputmode: "numeric", min: 1, max, step: 1, value: value ?? "" });
}

// The inputs for one item. `category` is its category <select>; `values` an item to edit (or
// nothing). Returns { box, inputs, values() }.
export function ruleFields(key, category, values = {}) {
  const attendees = number(`people-${key}`, "attendees", 1000, values.attendees);
  const nights = number(`nights-${key}`, "nights", 365, values.nights);
  const tier = h("select", { id: `tier-${key}`, name: "city_tier" },
    h("option", { value: "" }, t("item.tierpick")),
    ...[1, 2, 3].map((n) => h("option", { value: String(n) }, t(`item.tier${n}`))));
  tier.value = values.city_tier ? String(values.city_tier) : "";
  const rows = {
    attendees: h("div", { class: "rule-field", "data-rule": "attendees" },
      h("label", { for: attendees.id }, t("item.attendees")), attendees,
      h("small", { class: "muted hint" }, t("item.attendeeshint"))),
    nights: h("div", { class: "rule-field", "data-rule": "nights" }, h("label", { for: nights.id }, t("item.nights")), nights),
    city_tier: h("div", { class: "rule-field", "data-rule": "city_tier" }, h("label", { for: tier.id }, t("item.tier")), tier),
  };
  const inputs = { attendees, nights, city_tier: tier };
  const tierHint = h("small", { class: "muted hint" }, t("item.tierhint"));
  const box = h("div", { class: "rule-fields" }, rows.attendees, h("div", { class: "pair" }, rows.nights, rows.city_tier), tierHint);
  const needed = () => NEEDS[category.value] || [];
  const update = () => {
    const shown = needed();
    const required = REQUIRED[category.value] || [];
    for (const [name, row] of Object.entries(rows)) {
      row.hidden = !shown.includes(name);
      // a hidden required input would stop the form without saying why
      inputs[name].required = !row.hidden && required.includes(name);
    }
    box.hidden = shown.length === 0;
    tierHint.hidden = !shown.includes("city_tier");
  };
  category.addEventListener("change", update);
  update();
  return {
    box,
    inputs: Object.values(inputs),
    // only what the category needs is sent: a meal's nights would be noise
    values: () => {
      const shown = needed();
      const int = (name) => (shown.includes(name) && inputs[name].value ? Number(inputs[name].value) : null);
      return { attendees: int("attendees"), nights: int("nights"), city_tier: int("city_tier") };
    },
  };
}
