// CSV and JSON downloads of a result, built in the browser from the rows already shown (no second
// request, so nothing is fetched through a URL that would need the token).

import { plainText } from "./values.js";

// A text cell a spreadsheet would evaluate as a formula is prefixed with ' (OWASP "CSV injection"):
// one starting with = + - @ or their full-width forms, possibly after blanks, or with a tab, CR or
// LF. The same rule as trailmask.export.csvcell (export --format csv, the CLI's --format csv).
const FORMULA_START = /^(?:[\t\r\n]|[ \t\r\n]*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20])/;

function csvCell(value) {
  let text = plainText(value);
  if (typeof value === "string" && FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** RFC 4180 CSV (CRLF line ends), header row first; nested values as JSON. */
export function toCsv(columns, rows) {
  const lines = [columns.map(csvCell).join(",")];
  for (const row of rows) lines.push(columns.map((c) => csvCell(row[c])).join(","));
  return `${lines.join("\r\n")}\r\n`;
}

/** The CLI's json format: one array of row objects. */
export function toJson(rows) {
  return `${JSON.stringify(rows, null, 2)}\n`;
}

/** Save text as a file through a temporary blob: URL. */
export function saveFile(filename, text, mime) {
  const url = URL.createObjectURL(new Blob([text], { type: mime }));
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  link.hidden = true;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A file name like trailmask-root-account-activity-20240501T101500Z.csv */
export function fileName(stem, ext) {
  const stamp = new Date().toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  const safe = String(stem).replace(/[^A-Za-z0-9_.-]+/g, "-").slice(0, 80);
  return `trailmask-${safe}-${stamp}.${ext}`;
}
