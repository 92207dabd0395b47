// Sorting and filtering of result rows in the browser (the rows the server already sent; nothing
// is asked again). A column filter "=value" keeps rows whose cell is exactly that value (what a
// click on a value sets); any other text keeps rows whose cell contains it, ignoring case.

import { plainText } from "./values.js";

/** The text a filter compares with: the value as the table shows it. */
export function cellText(value) {
  return plainText(value);
}

/** Does ``value`` pass ``filter`` ("" passes everything)? */
export function passes(value, filter) {
  if (!filter) return true;
  const text = cellText(value);
  if (filter.startsWith("=")) return text === filter.slice(1);
  return text.toLowerCase().includes(filter.toLowerCase());
}

/** The filter that keeps exactly ``value``. */
export function exactFilter(value) {
  return `=${cellText(value)}`;
}

function compare(a, b) {
  const empty = (v) => v === null || v === undefined || v === "";
  if (empty(a) || empty(b)) return empty(a) === empty(b) ? 0 : empty(a) ? 1 : -1; // empty last
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "boolean" && typeof b === "boolean") return Number(a) - Number(b);
  return cellText(a).localeCompare(cellText(b), undefined, { numeric: true });
}

/**
 * The rows to show: those passing every column filter, sorted by ``sort`` ({column, direction:
 * "ascending" | "descending"} or null: the server's order). Stable.
 * @param {Array<Record<string, any>>} rows
 * @param {Record<string, string>} filters
 * @param {{column: string, direction: string} | null} sort
 */
export function viewOf(rows, filters, sort) {
  const active = Object.entries(filters).filter(([, f]) => f);
  const kept = active.length ? rows.filter((row) => active.every(([c, f]) => passes(row[c], f))) : rows.slice();
  if (!sort) return kept;
  const sign = sort.direction === "descending" ? -1 : 1;
  const empty = (v) => v === null || v === undefined || v === "";
  /** @type {Array<{row: Record<string, any>, at: number}>} */
  const indexed = kept.map((row, at) => ({ row, at }));
  indexed.sort((x, y) => {
    const a = x.row[sort.column];
    const b = y.row[sort.column];
    if (empty(a) || empty(b)) return empty(a) === empty(b) ? x.at - y.at : empty(a) ? 1 : -1; // empty last either way
    return sign * compare(a, b) || x.at - y.at;
  });
  return indexed.map((item) => item.row);
}

/** The next sort of ``column`` after a click: ascending, descending, then the server's order. */
export function nextSort(sort, column) {
  if (!sort || sort.column !== column) return { column, direction: "ascending" };
  if (sort.direction === "ascending") return { column, direction: "descending" };
  return null;
}
