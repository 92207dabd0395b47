// The result view shared by runbooks, SQL and audit: a summary line, downloads and a table.

import { h, replace } from "./dom.js";
import { fileName, saveFile, toCsv, toJson } from "./download.js";
import { renderCell } from "./values.js";

const PAGE = 500; // rows rendered at a time; the downloads always hold every row

/** Columns of a result: the server's list, else the union of the rows' keys in order. */
export function columnsOf(result) {
  if (Array.isArray(result.columns) && result.columns.length) return result.columns;
  const seen = new Set();
  for (const row of result.rows || []) for (const key of Object.keys(row)) seen.add(key);
  return [...seen];
}

function summary(result, rows) {
  const parts = [`${rows.length.toLocaleString()} ${rows.length === 1 ? "row" : "rows"}`];
  if (typeof result.elapsed_ms === "number") parts.push(`${result.elapsed_ms.toLocaleString()} ms`);
  if (result.role) parts.push(`role ${result.role}`);
  if (result.masking_profile) parts.push(`masking ${result.masking_profile}`);
  if (result.audit_id) parts.push(`audit ${result.audit_id}`);
  return parts.join(" · ");
}

function downloads(name, columns, rows) {
  return h(
    "div",
    { class: "downloads", role: "group", "aria-label": "Download result" },
    h("button", { type: "button", onclick: () => saveFile(fileName(name, "csv"), toCsv(columns, rows), "text/csv") }, "Download CSV"),
    h(
      "button",
      { type: "button", onclick: () => saveFile(fileName(name, "json"), toJson(rows), "application/json") },
      "Download JSON",
    ),
  );
}

function tableRows(tbody, columns, rows, from, to, rowActions, masking, cellWrap) {
  for (const row of rows.slice(from, to)) {
    const cells = columns.map((c) => {
      const node = renderCell(row[c], masking[c]);
      return h("td", null, cellWrap ? cellWrap(c, row[c], node) : node);
    });
    if (rowActions) cells.push(h("td", { class: "row-actions" }, rowActions(row)));
    tbody.appendChild(h("tr", null, cells));
  }
}

/**
 * Render ``result`` ({columns, rows, row_count, truncated, role, masking_profile, elapsed_ms,
 * audit_id, column_masking}); ``name`` names the downloaded files; ``caption`` labels the table for screen readers;
 * ``rowActions(row)`` adds a last cell of buttons; ``columnHelp`` maps a column to its description;
 * ``cellWrap(column, value, node)`` may wrap a rendered cell (pivot links); ``before`` is a node
 * (a chart) shown above the table.
 */
export function renderResult(result, options = {}) {
  const { name = "result", caption = "Result", download = true, downloadNote = null, rowActions = null, columnHelp = {}, cellWrap = null, before = null } = options;
  const rows = Array.isArray(result.rows) ? result.rows : [];
  const columns = columnsOf(result);
  const masking = result.column_masking && typeof result.column_masking === "object" ? result.column_masking : {};
  const section = h("section", { class: "result", "aria-label": caption });
  const head = h("div", { class: "result-head" }, h("p", { class: "result-summary" }, summary(result, rows)));
  if (download && rows.length) head.appendChild(downloads(name, columns, rows));
  else if (downloadNote && rows.length) head.appendChild(h("p", { class: "help" }, downloadNote));
  section.appendChild(head);
  if (result.truncated) {
    section.appendChild(
      h("p", { class: "alert alert-warn", role: "status" }, "Truncated: the server's row limit was reached. Narrow the query or the time window."),
    );
  }
  if (!rows.length) {
    section.appendChild(h("p", { class: "empty" }, "No rows."));
    return section;
  }
  if (before) section.appendChild(before);
  const tbody = h("tbody");
  const table = h(
    "table",
    { class: "grid" },
    h("caption", { class: "visually-hidden" }, caption),
    h(
      "thead",
      null,
      h("tr", null, columns.map((c) => h("th", { scope: "col", title: columnHelp[c] || null }, c)), rowActions ? h("th", { scope: "col" }, "Follow up") : null),
    ),
    tbody,
  );
  tableRows(tbody, columns, rows, 0, PAGE, rowActions, masking, cellWrap);
  section.appendChild(h("div", { class: "grid-wrap", tabindex: "0", role: "region", "aria-label": `${caption} table` }, table));
  if (rows.length > PAGE) section.appendChild(moreButton(tbody, columns, rows, rowActions, masking, cellWrap));
  return section;
}

function moreButton(tbody, columns, rows, rowActions, masking, cellWrap) {
  const holder = h("p", { class: "more" });
  let shown = PAGE;
  const button = h("button", { type: "button" });
  const label = () => `Show more (${shown.toLocaleString()} of ${rows.length.toLocaleString()} rows shown)`;
  button.textContent = label();
  button.addEventListener("click", () => {
    tableRows(tbody, columns, rows, shown, shown + PAGE, rowActions, masking, cellWrap);
    shown = Math.min(shown + PAGE, rows.length);
    if (shown >= rows.length) replace(holder, `All ${rows.length.toLocaleString()} rows shown.`);
    else button.textContent = label();
  });
  holder.appendChild(button);
  return holder;
}
