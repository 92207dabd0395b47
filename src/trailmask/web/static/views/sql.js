// Ad-hoc SQL through the masking layer. Roles without the permission see why (the server's 403
// message) and a disabled editor; the server enforces it either way.

import { h, replace } from "../dom.js";
import { errorBox, infoBox } from "../notice.js";
import { renderResult } from "../table.js";
import { requestForm } from "./approvals.js";

const EXAMPLE = "SELECT eventTime, eventSource, eventName, sourceIPAddress, errorCode\nFROM events\nORDER BY eventTime DESC\nLIMIT 100";

function deniedBox(app) {
  return infoBox("Ad-hoc SQL is not available to your role", app.denied.sql, "Runbooks are available from the Runbooks page.");
}

export function sqlView(app, main) {
  const editor = h("textarea", { id: "sql-text", name: "sql", rows: "8", spellcheck: "false", value: app.sqlText ?? EXAMPLE, "aria-describedby": "sql-help" });
  const button = h("button", { type: "submit", class: "primary" }, "Run query");
  const status = h("p", { class: "status", role: "status", "aria-live": "polite" });
  const notice = h("div", { class: "form-errors" });
  const output = h("div", { class: "output" });
  const form = h(
    "form",
    { class: "sql-form", novalidate: true, "aria-label": "Ad-hoc SQL" },
    h("label", { for: "sql-text" }, "SQL"),
    editor,
    h("p", { class: "help", id: "sql-help" }, "One SELECT over ", h("code", null, "events"), ", masked for your role. Ctrl+Enter runs it."),
    h("div", { class: "actions" }, button, status),
    notice,
  );
  const disable = () => {
    editor.disabled = true;
    button.disabled = true;
    replace(notice, deniedBox(app));
  };
  editor.addEventListener("input", () => (app.sqlText = editor.value));
  editor.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) form.requestSubmit();
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    replace(notice);
    button.disabled = true;
    status.textContent = "Running…";
    try {
      const result = await app.api.post("/api/sql", { sql: editor.value });
      status.textContent = `Done: ${result.row_count ?? (result.rows || []).length} rows.`;
      replace(output, renderResult(result, { name: "sql", caption: "Query result", ...app.downloadOptions() }));
    } catch (error) {
      status.textContent = "";
      replace(output);
      if (error.status === 403) {
        app.deny("sql", error.message);
        disable();
      } else replace(notice, errorBox(error));
    } finally {
      if (!app.denied.sql) button.disabled = false;
    }
  });
  const breakGlass = app.denied.sql ? null : requestForm(app, () => ({ kind: "sql", sql: editor.value }));
  replace(main, h("h1", { tabindex: "-1" }, "Ad-hoc SQL"), form, breakGlass, output);
  if (app.denied.sql) disable();
}
