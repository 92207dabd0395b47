// The typed parameter form of a runbook. The browser does not validate values itself: the server
// has the one validation (same as CLI -p and API JSON) and its message is shown next to the field.

import { h, slug } from "../dom.js";
import { inline } from "../markdown.js";

const PLACEHOLDERS = {
  timestamp: "2024-05-01T00:00:00Z",
  duration: "24h",
  ip: "203.0.113.7",
  cidr: "203.0.113.0/24",
  account_id: "123456789012",
  access_key_id: "AKIAIOSFODNN7EXAMPLE",
  arn: "arn:aws:iam::123456789012:user/alice",
  list: "one value per line (or comma-separated)",
};

/** Allowed values of an enum parameter, whatever the key the server uses for them. */
function choicesOf(param) {
  for (const key of ["choices", "values", "enum", "options", "allowed"]) {
    if (Array.isArray(param[key])) return param[key];
  }
  return [];
}

function displayDefault(param) {
  const value = param.default;
  if (value === null || value === undefined) return "";
  if (Array.isArray(value)) return value.join("\n");
  return String(value);
}

/** "2019-02-01T00:00:00Z" -> "2019-02-01 00:00 UTC" (the server's times are UTC, marked Z). */
export function utcText(iso) {
  if (typeof iso !== "string" || !iso) return "";
  return `${iso.slice(0, 16).replace("T", " ")} UTC`;
}

/** What the data covers, for help lines: "data from 2019-02-01 00:00 UTC to ... · last ingested ...". */
export function spanText(status) {
  if (!status || !status.first_event) return "";
  const ingested = status.last_ingest ? utcText(status.last_ingest) : "never";
  return `data from ${utcText(status.first_event)} to ${utcText(status.last_event)} · last ingested ${ingested}`;
}

/**
 * A placeholder from the data itself: time fields offer the data's own first or last event time
 * (start-like names get the first, others the last), a duration says what the data spans.
 */
function dataPlaceholder(param, status) {
  if (!status || !status.first_event) return null;
  const type = param.type || "string";
  if (type === "timestamp") return /start|from|after|begin|since/i.test(param.name) ? status.first_event : status.last_event;
  if (type === "duration" || param.name === "since") return `e.g. 24h, 7d, all (data: ${status.first_event.slice(0, 10)} → ${(status.last_event || "").slice(0, 10)} UTC)`;
  return null;
}

function control(param, id, describedBy, status) {
  const common = { id, name: param.name, "aria-describedby": describedBy, "aria-required": param.required ? "true" : null };
  const type = param.type || "string";
  if (type === "bool" || type === "boolean") {
    if (typeof param.default === "boolean") return h("input", { ...common, type: "checkbox", checked: param.default });
    return h("select", common, h("option", { value: "" }, "(not set)"), h("option", { value: "true" }, "true"), h("option", { value: "false" }, "false"));
  }
  if (type === "enum") {
    const current = displayDefault(param);
    const options = choicesOf(param).map((c) => h("option", { value: String(c), selected: String(c) === current }, String(c)));
    if (!param.required && !current) options.unshift(h("option", { value: "" }, "(not set)"));
    return h("select", common, options);
  }
  if (type === "list") return h("textarea", { ...common, rows: "3", placeholder: param.example || PLACEHOLDERS.list, value: displayDefault(param) });
  /** @type {Record<string, any>} */
  const attrs = { ...common, type: "text", value: displayDefault(param), autocomplete: "off", spellcheck: "false" };
  if (type === "int" || type === "integer") Object.assign(attrs, { inputmode: "numeric" });
  // the time window's fields (param.window) offer the data's own times before a generic example
  const fromData = dataPlaceholder(param, status);
  attrs.placeholder = (param.window ? fromData || param.example : param.example || fromData) || PLACEHOLDERS[type] || null;
  return h("input", attrs);
}

function constraints(param) {
  const parts = [];
  const min = param.minimum ?? param.min;
  const max = param.maximum ?? param.max;
  if (min !== undefined && min !== null) parts.push(`min ${min}`);
  if (max !== undefined && max !== null) parts.push(`max ${max}`);
  if (param.items) parts.push(`items ${param.items}`);
  if (param.pattern) parts.push(`pattern ${param.pattern}`);
  if (param.default !== undefined && param.default !== null) parts.push(`default ${displayDefault(param).replace(/\n/g, ", ")}`);
  return parts.join(" · ");
}

/**
 * One labelled field: label (name, type, required), control, help text, error slot. ``status``
 * (GET /api/status: the data's span and last ingest) gives time fields placeholders from the data.
 */
export function paramField(param, formId, status = null) {
  const id = `${formId}-p-${slug(param.name)}`;
  const helpId = `${id}-help`;
  const errorId = `${id}-error`;
  const input = control(param, id, `${helpId} ${errorId}`, status);
  const label = h(
    "label",
    { for: id },
    h("span", { class: "param-name" }, param.name),
    h("span", { class: "param-type" }, param.type || "string"),
    param.required ? h("span", { class: "param-required" }, "required") : null,
  );
  // said once, under the window's "since" (or a duration); start and end show it as placeholders
  const spanHere = param.name === "since" || (param.type || "string") === "duration";
  const span = spanHere ? spanText(status) : "";
  const help = h(
    "p",
    { class: "help", id: helpId },
    inline(param.description || ""),
    constraints(param) ? h("span", { class: "constraints" }, constraints(param)) : null,
    span ? h("span", { class: "data-span-help" }, span) : null,
  );
  const error = h("p", { class: "field-error", id: errorId, hidden: true });
  return h("div", { class: "field", "data-param": param.name }, label, input, help, error);
}

function splitList(text) {
  return text
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** The JSON params object of a form: unset optional fields are left out so defaults apply. */
export function collectParams(form, params) {
  const values = {};
  for (const param of params) {
    const el = form.elements.namedItem(param.name);
    if (!el) continue;
    const type = param.type || "string";
    if (el.type === "checkbox") {
      values[param.name] = el.checked;
      continue;
    }
    const raw = el.value.trim();
    if (!raw) continue;
    if (type === "bool" || type === "boolean") values[param.name] = raw === "true";
    else if ((type === "int" || type === "integer") && /^-?\d+$/.test(raw)) values[param.name] = Number(raw);
    else if (type === "list") values[param.name] = splitList(el.value);
    else values[param.name] = raw;
  }
  return values;
}

/** The parameter an API error is about: an explicit field, a FastAPI loc, or a name in the message. */
export function paramOfError(error, params) {
  const names = params.map((p) => p.name);
  const body = error.body || {};
  for (const key of ["param", "parameter", "field", "name"]) {
    if (typeof body[key] === "string" && names.includes(body[key])) return body[key];
  }
  if (Array.isArray(body.loc)) {
    const hit = body.loc.find((part) => names.includes(part));
    if (hit) return hit;
  }
  const message = String(error.message || "");
  const named = /parameter\s+['"`]?([A-Za-z_][A-Za-z0-9_]*)/i.exec(message);
  if (named && names.includes(named[1])) return named[1];
  return names.find((n) => new RegExp(`['"\`]${n.replace(/[^A-Za-z0-9_]/g, "")}['"\`]`).test(message)) || null;
}

export function clearFieldErrors(form) {
  for (const field of form.querySelectorAll(".field")) {
    const error = field.querySelector(".field-error");
    error.hidden = true;
    error.textContent = "";
    field.querySelector("input, select, textarea").removeAttribute("aria-invalid");
  }
}

/** Show ``message`` under the named field and focus it; false when the field is not in the form. */
export function showFieldError(form, name, message) {
  const field = [...form.querySelectorAll(".field")].find((f) => f.dataset.param === name);
  if (!field) return false;
  const error = field.querySelector(".field-error");
  error.textContent = message;
  error.hidden = false;
  const input = field.querySelector("input, select, textarea");
  input.setAttribute("aria-invalid", "true");
  input.focus();
  return true;
}
