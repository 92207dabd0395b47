// Rendering of result values. Whether a value is masked is never guessed from its shape: the server
// sends, with every result, each column's masking for the signed-in role (column_masking: mode
// none | value | parts | unknown, and the operators that apply; docs/api.md). A column in mode
// "value" holds one masking operator's output per cell (a token, a redaction, a truncated IP): each
// such cell is badged. "parts" (a struct with masked fields, free text scanned by detectors, an
// expression over masked data) and "unknown" cells get a lighter badge saying so. A "none" column
// is shown as stored, whatever its values look like.

import { h } from "./dom.js";

const BADGE = {
  value: { class: "masked", title: (ops) => `masked by policy (${ops})` },
  parts: { class: "masked partial", title: (ops) => `reads masked data (${ops}): parts of this value may be masked` },
  unknown: { class: "masked partial", title: () => "may be masked (the server could not trace this column)" },
};

/** A DOM node for any JSON value (objects render as compact JSON). */
export function renderValue(value) {
  if (value === undefined) return h("span", { class: "absent" });
  if (value === null) return h("span", { class: "null" }, "null");
  if (typeof value === "string") return h("span", { class: value.length > 40 ? "str" : "str short" }, value);
  if (typeof value === "number" || typeof value === "boolean") return h("span", { class: "num" }, String(value));
  const code = h("code", { class: "json" }, jsonNodes(value));
  if (JSON.stringify(value).length <= LONG_JSON) return code;
  // long structs fold behind their key names
  return h("details", { class: "json-fold" }, h("summary", null, outline(value)), code);
}

/**
 * A cell: the value, badged as the server says its column is masked (``masking`` is one entry of
 * a result's column_masking, or undefined when the server sent none: shown as stored).
 */
export function renderCell(value, masking) {
  const node = renderValue(value);
  const badge = masking && BADGE[masking.mode];
  if (!badge || value === null || value === undefined) return node;
  const ops = (masking.operators || []).join(", ") || "policy";
  return h("span", { class: badge.class, title: badge.title(ops), "data-mask": masking.mode }, node);
}

const LONG_JSON = 160;

function outline(value) {
  if (Array.isArray(value)) return `[${value.length} items]`;
  const keys = Object.keys(value);
  return `{${keys.slice(0, 4).join(", ")}${keys.length > 4 ? `, … ${keys.length} keys` : ""}}`;
}

function jsonNodes(value) {
  if (value === null || value === undefined) return [h("span", { class: "null" }, "null")];
  if (typeof value === "string") return [JSON.stringify(value)];
  if (typeof value !== "object") return [String(value)];
  if (Array.isArray(value)) {
    const parts = ["["];
    value.forEach((item, i) => parts.push(...(i ? [", "] : []), ...jsonNodes(item)));
    parts.push("]");
    return parts;
  }
  const parts = ["{"];
  Object.entries(value).forEach(([key, item], i) => {
    parts.push(...(i ? [", "] : []), h("span", { class: "key" }, JSON.stringify(key)), ": ", ...jsonNodes(item));
  });
  parts.push("}");
  return parts;
}

/** Plain text of a value, for CSV cells and titles. */
export function plainText(value) {
  if (value === null || value === undefined) return "";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}
