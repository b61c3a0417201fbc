// The policy's category caps as a form. The policy stays one document (YAML, or JSON): the form
// changes only the values on the cap lines of the text and saves the whole text through the same
// PUT as the text editor, so the server validates it and stores a new version, and the comments
// and everything the form does not show are kept as they were written.
import { api } from "/app/api.js";
import { h, notice, problemList, problems } from "/app/dom.js";
import { errorText, t, tOr } from "/app/i18n.js";

const SEVERITIES = ["info", "warning", "error", "block"];
const KEY = /^\s*(["']?)([\w.-]+)\1\s*:(.*)$/;

// "value   # comment" -> ["value", "   # comment"]; a YAML comment needs a space before "#".
function splitComment(rest) {
  const m = rest.match(/^(.*?)(\s+#.*)?$/);
  return [m[1].trim(), m[2] || ""];
}

function unquote(v) { return /^(["']).*\1$/.test(v) ? v.slice(1, -1) : v; }

// The caps block of a block-style YAML policy: one field per cap line, the nested per-city-tier
// map included. null when the caps are written some other way (flow style, anchors ...): the
// text editor is then the way to change them.
function yamlCaps(lines) {
  const start = lines.findIndex((l) => /^caps:\s*(#.*)?$/.test(l.replace(/\r$/, "")));
  if (start < 0) return null;
  const fields = [];
  let base = null;
  let parent = null; // [key, indent] of the nested map being read
  for (let i = start + 1; i < lines.length; i += 1) {
    const line = lines[i].replace(/\r$/, "");
    if (!line.trim() || /^\s*#/.test(line)) continue;
    const indent = line.length - line.trimStart().length;
    if (indent === 0) break;
    const m = line.match(KEY);
    if (!m) return null;
    const [, , key, after] = m;
    const rest = after.trimStart();
    const [value, comment] = /^#/.test(rest) ? ["", rest] : splitComment(rest);
    if (/^[[{&*|>!]/.test(value)) return null;
    base ??= indent;
    if (indent === base) parent = null;
    else if (!parent || indent <= parent[1]) return null;
    const path = indent === base ? [key] : [parent[0], key];
    if (value === "") {
      if (indent !== base) return null;
      parent = [key, indent];
      continue;
    }
    fields.push({ path, value: unquote(value), line: i, head: line.slice(0, line.length - rest.length), comment,
      width: rest.length - comment.length });
  }
  return fields;
}

function jsonCaps(text) {
  let doc;
  try { doc = JSON.parse(text); } catch { return null; }
  if (!doc || typeof doc.caps !== "object" || doc.caps === null) return null;
  const fields = [];
  for (const [key, value] of Object.entries(doc.caps)) {
    if (value && typeof value === "object") {
      for (const [sub, v] of Object.entries(value)) fields.push({ path: [key, sub], value: String(v) });
    } else fields.push({ path: [key], value: String(value) });
  }
  return fields;
}

export function readCaps(text) {
  return text.trimStart().startsWith("{") ? jsonCaps(text) : yamlCaps(text.split("\n"));
}

const NUMBER = /^-?\d+(\.\d+)?$/;

// A typed value as a YAML scalar: numbers as they are, anything else quoted, so that a stray
// "#" or ":" cannot change the document's shape (the server then says what is wrong with it).
function scalar(value) {
  const v = value.trim();
  if (!v) return "null";
  return NUMBER.test(v) || SEVERITIES.includes(v) ? v : JSON.stringify(v);
}

export function writeCaps(text, values) {
  if (text.trimStart().startsWith("{")) {
    const doc = JSON.parse(text);
    for (const [path, value] of values) {
      const v = value.trim();
      const typed = NUMBER.test(v) ? Number(v) : v || null;
      if (path.length === 1) doc.caps[path[0]] = typed;
      else doc.caps[path[0]][path[1]] = typed;
    }
    return JSON.stringify(doc, null, 2);
  }
  const lines = text.split("\n");
  const fields = yamlCaps(lines);
  for (const [path, value] of values) {
    const f = fields.find((x) => x.path.join(".") === path.join("."));
    const cr = lines[f.line].endsWith("\r") ? "\r" : "";
    const written = scalar(value);
    // the comment stays in its column when the new value fits, else one space after it
    const gap = f.comment.length - f.comment.trimStart().length;
    const comment = f.comment ? " ".repeat(Math.max(1, f.width + gap - written.length)) + f.comment.trimStart() : "";
    lines[f.line] = `${f.head}${written}${comment}${cr}`;
  }
  return lines.join("\n");
}

function label(path) {
  return path.length === 1 ? tOr("caps", path[0]) : `${t("caps.tier")} ${path[1]}`;
}

function input(f) {
  const id = `cap-${f.path.join("-")}`;
  const control = f.path[0] === "severity"
    ? h("select", { id, name: f.path.join(".") }, ...SEVERITIES.map((s) => h("option", { value: s, selected: s === f.value }, tOr("severity", s))))
    : h("input", { id, name: f.path.join("."), value: f.value, inputmode: "decimal", autocomplete: "off" });
  return h("div", { class: "field" }, h("label", { for: id }, label(f.path)), control);
}

// state: { text, version } of the policy as last saved (shared with the text editor);
// isDirty(): the text editor holds changes not saved yet; onSaved(text, version) after a save.
export function capsForm(state, isDirty, onSaved) {
  const out = h("div", { "aria-live": "polite", id: "caps-status" });
  const form = h("form", { class: "stack", id: "caps-form", "aria-labelledby": "caps-title", novalidate: true });
  const render = () => {
    const fields = readCaps(state.text);
    if (!fields) {
      form.replaceChildren(h("p", { class: "muted" }, t("caps.unsupported")));
      return;
    }
    const groups = new Map();
    for (const f of fields) {
      if (f.path.length === 1) groups.set(f.path[0], [f]);
      else groups.set(f.path[0], [...(groups.get(f.path[0]) || []), f]);
    }
    form.replaceChildren(...[...groups].map(([key, fs]) => (fs[0].path.length === 1 ? input(fs[0])
      : h("fieldset", { class: "tiers" }, h("legend", {}, tOr("caps", key)), ...fs.map(input)))),
    h("div", { class: "row" }, h("button", { type: "submit", id: "caps-save" }, t("admin.save"))));
  };
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    out.replaceChildren();
    form.querySelectorAll("[aria-invalid]").forEach((el) => el.removeAttribute("aria-invalid"));
    if (isDirty()) {
      out.append(notice(t("caps.unsaved")));
      return;
    }
    const values = [...form.querySelectorAll("input, select")].map((el) => [el.name.split("."), el.value]);
    const text = writeCaps(state.text, values);
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const saved = await api("/admin/policy", { method: "PUT", body: { text } });
      onSaved(text, saved.version);
      render();
      out.append(notice(`${t("admin.saved")} v${saved.version}`, "info"));
    } catch (err) {
      out.append(notice(errorText(err)), problemList(err));
      for (const p of problems(err)) {
        const path = p.path.match(/^caps\.([\w.]+)$/);
        const el = path && form.querySelector(`[name="${path[1]}"]`);
        if (el) el.setAttribute("aria-invalid", "true");
      }
    } finally {
      button.disabled = false;
    }
  });
  render();
  return { element: h("section", { class: "card", id: "caps" }, h("h2", { id: "caps-title" }, t("caps.title")),
    h("p", { class: "muted" }, t("caps.hint")), form, out), refresh: render };
}
