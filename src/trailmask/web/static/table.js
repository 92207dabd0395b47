// The result view shared by runbooks, SQL and audit: a summary line, downloads and a table that
// sorts, filters (grid.js) and opens a row in the detail drawer (drawer.js).

import { h, replace } from "./dom.js";
import { fileName, saveFile, toCsv, toJson } from "./download.js";
import { openDrawer } from "./drawer.js";
import { exactFilter, nextSort, viewOf } from "./grid.js";
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
  parts.push("times in UTC"); // CloudTrail times are stored and answered in UTC (docs/store.md)
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

/**
 * Render ``result`` ({columns, rows, row_count, truncated, role, masking_profile, elapsed_ms,
 * audit_id, column_masking}); ``name`` names the downloaded files; ``caption`` labels the table for screen readers;
 * ``rowActions(row)`` adds a last cell of buttons; ``columnHelp`` maps a column to its description;
 * ``cellWrap(column, value, node)`` may wrap a rendered cell (pivot links); ``before`` is a node
 * (a chart) shown above the table. The table sorts by a column (click its header), filters per
 * column (the inputs under the headers; a click on a value's filter button keeps that value), and
 * opens one row in the detail drawer (drawer.js); downloads hold every row.
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
  const notices = Array.isArray(result.notices) ? result.notices.filter((n) => typeof n === "string" && n) : [];
  if (notices.length) {
    // what an indicator matched as, a grouping on redacted fields: the server's words (masked views only)
    section.appendChild(h("ul", { class: "alert alert-info notices", role: "status" }, notices.map((n) => h("li", null, n))));
  }
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
  section.append(...interactiveTable(rows, columns, { caption, masking, rowActions, columnHelp, cellWrap }));
  return section;
}

/** The table with its sort, filters, drawer and paging: [toolbar, table region, "Show more"]. */
function interactiveTable(rows, columns, { caption, masking, rowActions, columnHelp, cellWrap }) {
  const state = { sort: null, filters: /** @type {Record<string, string>} */ ({}), shown: 0, view: rows };
  const tbody = h("tbody");
  const count = h("p", { class: "grid-count", role: "status", "aria-live": "polite" });
  const clear = h("button", { type: "button", class: "link", hidden: true }, "Clear filters");
  const more = h("p", { class: "more" });
  const inputs = {};
  const headers = {};
  const setFilter = (column, value) => {
    inputs[column].value = exactFilter(value);
    state.filters[column] = inputs[column].value;
    refresh();
    inputs[column].focus();
  };
  const render = (from, to) => {
    state.view.slice(from, to).forEach((row, i) => tbody.appendChild(rowOf(row, from + i, { columns, masking, rowActions, cellWrap, setFilter, caption })));
    state.shown = Math.min(to, state.view.length);
    const left = state.view.length - state.shown;
    if (left <= 0) replace(more, state.view.length > PAGE ? `All ${state.view.length.toLocaleString()} rows shown.` : "");
    else {
      const button = h("button", { type: "button" }, `Show more (${state.shown.toLocaleString()} of ${state.view.length.toLocaleString()} rows shown)`);
      button.addEventListener("click", () => render(state.shown, state.shown + PAGE));
      replace(more, button);
    }
  };
  function refresh() {
    state.view = viewOf(rows, state.filters, state.sort);
    tbody.replaceChildren();
    render(0, PAGE);
    const filtered = Object.values(state.filters).some(Boolean);
    clear.hidden = !filtered;
    count.textContent = filtered ? `${state.view.length.toLocaleString()} of ${rows.length.toLocaleString()} rows match the filters` : "";
    for (const [c, th] of Object.entries(headers)) th.setAttribute("aria-sort", state.sort && state.sort.column === c ? state.sort.direction : "none");
  }
  clear.addEventListener("click", () => {
    for (const input of Object.values(inputs)) input.value = "";
    state.filters = {};
    refresh();
  });
  const sortHeader = (c) => {
    const button = h("button", { type: "button", class: "sort", title: columnHelp[c] ? `${columnHelp[c]} (click to sort)` : "Sort by this column" }, c);
    button.addEventListener("click", () => {
      state.sort = nextSort(state.sort, c);
      refresh();
    });
    headers[c] = h("th", { scope: "col", "aria-sort": "none" }, button);
    return headers[c];
  };
  const filterCell = (c) => {
    inputs[c] = h("input", { type: "search", class: "col-filter", "aria-label": `Filter ${c}`, placeholder: "filter", autocomplete: "off", spellcheck: "false" });
    inputs[c].addEventListener("input", () => {
      state.filters[c] = inputs[c].value;
      refresh();
    });
    return h("td", null, inputs[c]);
  };
  const table = h(
    "table",
    { class: "grid" },
    h("caption", { class: "visually-hidden" }, caption),
    h(
      "thead",
      null,
      h("tr", null, columns.map(sortHeader), rowActions ? h("th", { scope: "col" }, "Follow up") : null),
      h("tr", { class: "filters" }, columns.map(filterCell), rowActions ? h("td") : null),
    ),
    tbody,
  );
  refresh();
  const tools = h("div", { class: "grid-tools" }, count, clear);
  return [tools, h("div", { class: "grid-wrap", tabindex: "0", role: "region", "aria-label": `${caption} table` }, table), more];
}

function rowOf(row, index, { columns, masking, rowActions, cellWrap, setFilter, caption }) {
  const cells = columns.map((c, i) => {
    const node = renderCell(row[c], masking[c]);
    const filter = h("button", { type: "button", class: "cell-filter", tabindex: "-1", "aria-label": `Filter ${c} to this value`, title: `Show only rows where ${c} is this value` });
    filter.addEventListener("click", () => setFilter(c, row[c]));
    const details = i === 0 ? detailsButton(row, index, columns, caption, setFilter) : null;
    return h("td", null, details, cellWrap ? cellWrap(c, row[c], node) : node, row[c] === undefined ? null : filter);
  });
  if (rowActions) cells.push(h("td", { class: "row-actions" }, rowActions(row)));
  return h("tr", null, cells);
}

function detailsButton(row, index, columns, caption, setFilter) {
  const button = h("button", { type: "button", class: "row-details", "aria-label": `Details of row ${index + 1}`, title: "Show this row in full" });
  button.addEventListener("click", () => openDrawer(row, { columns, title: `${caption}: row ${index + 1}`, opener: button, onFilter: setFilter }));
  return button;
}
