// Rendering of result values. Masked values (pseudonym tokens such as `user_3f9a1c`, redactions
// such as `XXXXX` or `AKIA****WXYZ`) are wrapped in a muted monospace badge so a reader never
// mistakes them for real data. Detection is by shape: the API returns values only, already masked.

import { h } from "./dom.js";

// One alternative per output shape of trailmask.masking's operators; the whole pattern is applied
// globally so a free-text value with masked pieces inside it gets each piece badged.
const MASK_SHAPES = [
  // pseudonym: prefix_ + hex digest, optionally keeping a few characters (tok_AKIA_3f9a1c2b)
  String.raw`\b[a-z][a-z0-9]*(?:_[A-Za-z0-9]{1,8})?_[0-9a-f]{6,}\b`,
  // redact / partial: a run of X, * or • with the visible part around it (XXXXX, AKIA***WXYZ)
  String.raw`[A-Za-z0-9.:/_-]*(?:X{3,}|\*{3,}|•{3,})[A-Za-z0-9.:/_*•X-]*`,
  // ip_truncate: 203.0.113.xxx, 10.xxx.xxx.xxx, 2001:db8:85a3:: (the network prefix kept)
  String.raw`\b(?:\d{1,3}\.){0,3}xxx(?:\.xxx){0,3}\b|\b[0-9a-f]{1,4}(?::[0-9a-f]{1,4}){0,3}::(?![0-9A-Fa-f:])`,
  // email: masked@example.com, masked@***.com
  String.raw`\bmasked@[A-Za-z0-9*.-]+`,
  // redaction markers in free text and in audit entries
  String.raw`\[(?:REDACTED|MASKED|HIDDEN|redacted|masked|hidden)[^\]]*\]|<(?:redacted|masked|hidden)>`,
];
const MASK_RE = new RegExp(MASK_SHAPES.join("|"), "g");

/** Split a string into [{text, masked}] segments. */
export function maskedSegments(text) {
  const segments = [];
  let last = 0;
  for (const match of text.matchAll(MASK_RE)) {
    if (!match[0]) continue;
    if (match.index > last) segments.push({ text: text.slice(last, match.index), masked: false });
    segments.push({ text: match[0], masked: true });
    last = match.index + match[0].length;
  }
  if (last < text.length) segments.push({ text: text.slice(last), masked: false });
  return segments;
}

export function isMasked(text) {
  const segments = maskedSegments(text);
  return segments.length === 1 && segments[0].masked;
}

function maskedBadge(text) {
  return h("span", { class: "masked", title: "masked by policy" }, text);
}

function stringNodes(text) {
  return maskedSegments(text).map((s) => (s.masked ? maskedBadge(s.text) : s.text));
}

/** A DOM node for any JSON value (objects render as compact JSON with masked pieces badged). */
export function renderValue(value) {
  if (value === undefined) return h("span", { class: "absent" });
  if (value === null) return h("span", { class: "null" }, "null");
  if (typeof value === "string") return h("span", { class: value.length > 40 ? "str" : "str short" }, stringNodes(value));
  if (typeof value === "number" || typeof value === "boolean") return h("span", { class: "num" }, String(value));
  const code = h("code", { class: "json" }, jsonNodes(value));
  if (JSON.stringify(value).length <= LONG_JSON) return code;
  // long structs fold behind their key names (never their values, which may be unbadged there)
  return h("details", { class: "json-fold" }, h("summary", null, outline(value)), code);
}

const LONG_JSON = 160;

function outline(value) {
  if (Array.isArray(value)) return `[${value.length} items]`;
  const keys = Object.keys(value);
  return `{${keys.slice(0, 4).join(", ")}${keys.length > 4 ? `, … ${keys.length} keys` : ""}}`;
}

function jsonNodes(value) {
  if (value === null || value === undefined) return [h("span", { class: "null" }, "null")];
  if (typeof value === "string") return ['"', ...stringNodes(value), '"'];
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
