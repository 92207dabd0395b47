// Rendering of result values. Masked values (pseudonym tokens such as `user_3f9a1c`, redactions
// such as `XXXXX` or `AKIA****WXYZ`) are wrapped in a muted monospace badge so a reader never
// mistakes them for real data. Detection is by shape: the API returns values only, already masked.

import { h } from "./dom.js";

// One alternative per masking output shape; the whole pattern is applied globally to a string so
// a free-text value with masked pieces inside it gets each piece badged.
const MASK_SHAPES = [
  // keyed pseudonym tokens: class prefix + hex digest, e.g. user_3f9a1c, ip_0a1b2c3d
  String.raw`\b[a-z][a-z0-9]*(?:_[a-z0-9]+)*_[0-9a-f]{6,}\b`,
  // redactions and partial keys: a run of X, * or • with the visible part around it
  String.raw`[A-Za-z0-9.:/_-]*(?:X{3,}|\*{3,}|•{3,})[A-Za-z0-9.:/_*•X-]*`,
  // explicit redaction markers
  String.raw`\[(?:REDACTED|MASKED|HIDDEN|redacted|masked|hidden)[^\]]*\]|<(?:redacted|masked|hidden)>|\bREDACTED\b`,
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
  return h("code", { class: "json" }, jsonNodes(value));
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
