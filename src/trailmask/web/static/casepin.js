// Pin a result, or one of its rows, to one of your open cases. The server checks that the audit id
// is your own run and takes what was run (runbook, parameters, masking view) from the audit log.

import { seg } from "./api.js";
import { h, replace } from "./dom.js";
import { errorBox } from "./notice.js";
import { columnsOf } from "./table.js";

const MAX_PIN_BYTES = 800_000; // under the server's 1 MiB request limit; the case says how many rows the run returned

/** Your open cases, newest first (cached on ``app`` until a case is created or changed). */
async function openCases(app) {
  if (!app.openCases) {
    const data = await app.api.get("/api/cases");
    app.openCases = (data.cases || []).filter((c) => c.owner === app.me.name && c.status === "open");
  }
  return app.openCases;
}

/** As many leading rows as fit the request limit. */
function fitting(rows) {
  let size = 0;
  const kept = [];
  for (const row of rows) {
    size += JSON.stringify(row).length + 1;
    if (size > MAX_PIN_BYTES) break;
    kept.push(row);
  }
  return kept;
}

async function pinTo(app, caseId, result, rows, kind, sql) {
  const body = { audit_id: result.audit_id, kind, columns: columnsOf(result), rows };
  if (sql) body.sql = sql;
  return app.api.post(`/api/cases/${seg(caseId)}/pins`, body);
}

/**
 * The "Pin to case" bar above a result: choose one of your open cases (or name a new one) and pin
 * the whole result. Returns ``{bar, rowAction}``: ``rowAction(row)`` is a per-row "Pin row" button
 * for renderResult's ``rowActions`` that pins to the case chosen in the bar. ``sql`` is the query
 * text of a SQL result (kept in the case for you and audit:raw readers).
 */
export function casePinning(app, result, { sql = null } = {}) {
  if (!result || !result.audit_id || !(result.rows || []).length) return { bar: null, rowAction: null };
  const select = h("select", { id: "pin-case", "aria-label": "Case to pin to" });
  const title = h("input", { id: "pin-new-title", type: "text", maxlength: "200", placeholder: "New case title", "aria-label": "New case title", hidden: true });
  const status = h("p", { class: "status", role: "status", "aria-live": "polite" });
  const problem = h("div");
  const pinButton = h("button", { type: "button" }, "Pin result to case");
  const fill = async () => {
    const cases = await openCases(app).catch(() => []);
    const options = cases.map((c) => h("option", { value: c.id }, `${c.title} (${c.id})`));
    options.push(h("option", { value: "" }, "New case…"));
    replace(select, ...options);
    const chosen = app.pinCase && cases.some((c) => c.id === app.pinCase) ? app.pinCase : cases.length ? cases[0].id : "";
    select.value = chosen;
    title.hidden = chosen !== "";
  };
  select.addEventListener("change", () => {
    title.hidden = select.value !== "";
    if (select.value) app.pinCase = select.value;
  });
  const target = async () => {
    if (select.value) return { id: select.value, title: select.selectedOptions[0].textContent };
    const name = title.value.trim();
    if (!name) throw Object.assign(new Error("Name the new case first."), { status: 400 });
    const created = await app.api.post("/api/cases", { title: name });
    app.openCases = null;
    app.pinCase = created.id;
    await fill();
    return { id: created.id, title: created.title };
  };
  const pin = async (rows, kind) => {
    replace(problem);
    status.textContent = "Pinning…";
    try {
      const chosen = await target();
      const kept = kind === "row" ? rows : fitting(rows);
      await pinTo(app, chosen.id, result, kept, kind, sql);
      const note = kind === "row" ? "1 row" : `${kept.length.toLocaleString()} of ${(result.rows || []).length.toLocaleString()} rows`;
      replace(status, `Pinned ${note} to `, h("a", { href: `#/cases/${seg(chosen.id)}` }, chosen.title), ".");
    } catch (error) {
      status.textContent = "";
      replace(problem, errorBox(error, { title: "Could not pin" }));
    }
  };
  pinButton.addEventListener("click", () => pin(result.rows, "result"));
  fill();
  const bar = h("div", { class: "pin-bar", role: "group", "aria-label": "Pin to a case" }, select, title, pinButton, status, problem);
  const rowAction = (row) => h("button", { type: "button", class: "link pin-row", onclick: () => pin([row], "row"), "aria-label": "Pin this row to the case" }, "Pin row");
  return { bar, rowAction };
}
