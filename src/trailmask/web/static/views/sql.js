// Ad-hoc SQL through the masking layer, in the SQL editor (sqleditor.js: highlighting, completion
// of columns and struct fields, Ctrl+Enter runs), run as a job (jobs.js: elapsed time, Cancel),
// with the user's saved queries and a chart of the result. Roles without the permission see why (the server's 403 message) and a disabled editor;
// the server enforces it either way.

import { h, replace } from "../dom.js";
import { seg } from "../api.js";
import { chartPicker } from "../chart.js";
import { isCancelled, runJob } from "../jobs.js";
import { errorBox, infoBox } from "../notice.js";
import { renderResult } from "../table.js";
import { requestForm } from "./approvals.js";

const EXAMPLE = "SELECT eventTime, eventSource, eventName, sourceIPAddress, errorCode\nFROM events\nORDER BY eventTime DESC\nLIMIT 100";
const MAX_NAME = 80; // the server's bound (service.saved_queries); it checks it either way

function deniedBox(app) {
  return infoBox("Ad-hoc SQL is not available to your role", app.denied.sql, "Runbooks are available from the Runbooks page.");
}

/** The saved-queries panel: name + Save, and the user's own list (Open, Delete). */
function savedPanel(app, editor, refuse) {
  const name = h("input", { type: "text", id: "sql-save-name", maxlength: String(MAX_NAME), autocomplete: "off", "aria-describedby": "sql-save-help" });
  const save = h("button", { type: "submit" }, "Save query");
  const status = h("p", { class: "status", role: "status", "aria-live": "polite" });
  const notice = h("div", { class: "form-errors" });
  const list = h("ul", { class: "saved-list", "aria-label": "Your saved queries" });
  const form = h(
    "form",
    { class: "saved-form", novalidate: true, "aria-label": "Save the query" },
    h("label", { for: "sql-save-name" }, "Name"),
    name,
    save,
    h("p", { class: "help", id: "sql-save-help" }, `Up to ${MAX_NAME} characters; saving under a name you already use replaces that query. Only you see your saved queries.`),
  );
  const failed = (error) => {
    if (error.status === 403) refuse(error.message);
    else replace(notice, errorBox(error));
  };
  const draw = (queries) => {
    if (!queries.length) return replace(list, h("li", { class: "empty" }, "No saved queries yet."));
    replace(
      list,
      queries.map((q) =>
        h(
          "li",
          { class: "saved-item" },
          h("button", { type: "button", class: "link", title: q.sql, onclick: () => open(q) }, q.name),
          h("span", { class: "muted" }, ` saved ${q.updated_at}`),
          h("button", { type: "button", class: "danger small", "aria-label": `Delete ${q.name}`, onclick: () => remove(q) }, "Delete"),
        ),
      ),
    );
  };
  const load = async () => {
    try {
      draw((await app.api.get("/api/sql/saved")).queries || []);
    } catch (error) {
      failed(error);
    }
  };
  const open = (q) => {
    editor.setValue(q.sql);
    name.value = q.name;
    status.textContent = `Opened “${q.name}”.`;
    editor.focus();
  };
  const remove = async (q) => {
    replace(notice);
    try {
      await app.api.request(`/api/sql/saved/${seg(q.id)}`, { method: "DELETE" });
      status.textContent = `Deleted “${q.name}”.`;
      await load();
    } catch (error) {
      failed(error);
    }
  };
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    replace(notice);
    save.disabled = true;
    try {
      const stored = await app.api.post("/api/sql/saved", { name: name.value, sql: editor.value() });
      status.textContent = `Saved “${stored.name}”.`;
      await load();
    } catch (error) {
      failed(error);
    } finally {
      save.disabled = Boolean(app.denied.sql);
    }
  });
  const section = h("section", { class: "saved-queries", "aria-labelledby": "saved-title" }, h("h2", { id: "saved-title" }, "Saved queries"), form, status, notice, list);
  return { section, load, disable: () => ((name.disabled = true), (save.disabled = true)) };
}

function mountEditor(app, holder, { onRun, disabled }) {
  return import("../sqleditor.js").then(({ sqlEditor }) => {
    const description = document.getElementById("sql-help")?.textContent || "";
    const editor = sqlEditor({ doc: app.sqlText ?? EXAMPLE, label: "SQL", description, onRun, onChange: (text) => (app.sqlText = text) });
    replace(holder, editor.dom);
    if (disabled) editor.setDisabled(true);
    return editor;
  });
}

export function sqlView(app, main) {
  const holder = h("div", { class: "sql-editor-holder" }, h("p", { class: "muted" }, "Loading the editor…"));
  const button = h("button", { type: "submit", class: "primary", disabled: true }, "Run query");
  const status = h("p", { class: "status", role: "status", "aria-live": "polite" });
  const job = h("span", { class: "job-slot" });
  const notice = h("div", { class: "form-errors" });
  const output = h("div", { class: "output" });
  const form = h(
    "form",
    { class: "sql-form", novalidate: true, "aria-label": "Ad-hoc SQL" },
    h("p", { class: "label", id: "sql-label", "aria-hidden": "true" }, "SQL"),
    holder,
    h(
      "p",
      { class: "help", id: "sql-help" },
      "One SELECT over ",
      h("code", null, "events"),
      ", masked for your role. Ctrl+Enter runs it; Ctrl+Space completes columns and, after a dot, struct fields (",
      h("code", null, "userIdentity.arn"),
      "). Tab indents: press Escape then Tab to leave the editor.",
    ),
    h("div", { class: "actions" }, button, job, status),
    notice,
  );
  /** @type {any} */
  let editor = null;
  let saved = null;
  const disable = () => {
    if (editor) editor.setDisabled(true);
    button.disabled = true;
    if (saved) saved.disable();
    replace(notice, deniedBox(app));
  };
  const refuse = (message) => {
    app.deny("sql", message);
    disable();
  };
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!editor || app.denied.sql) return;
    replace(notice);
    button.disabled = true;
    try {
      const result = await runJob(app.api, "/api/sql", { sql: editor.value() }, { status, controls: job, returnFocus: button });
      const chart = chartPicker(result, { title: "Chart of the result", idPrefix: "sql-chart" });
      replace(output, renderResult(result, { name: "sql", caption: "Query result", before: chart, ...app.downloadOptions() }));
    } catch (error) {
      replace(output);
      if (isCancelled(error)) return; // the status line says so
      if (error.status === 403) refuse(error.message);
      else replace(notice, errorBox(error));
    } finally {
      if (!app.denied.sql) button.disabled = false;
    }
  });
  const breakGlass = app.denied.sql ? null : requestForm(app, () => ({ kind: "sql", sql: editor ? editor.value() : app.sqlText ?? EXAMPLE }));
  const layout = h("div", { class: "sql-layout" }, h("div", { class: "sql-main" }, form, breakGlass));
  replace(main, h("h1", { tabindex: "-1" }, "Ad-hoc SQL"), layout, output);
  mountEditor(app, holder, { onRun: () => form.requestSubmit(), disabled: Boolean(app.denied.sql) })
    .then((made) => {
      editor = made;
      saved = savedPanel(app, editor, refuse);
      layout.appendChild(saved.section);
      if (app.denied.sql) return disable();
      button.disabled = false;
      saved.load();
      app.api.get("/api/sql/schema").then(
        (schema) => editor.setColumns(schema.columns),
        (error) => (error.status === 403 ? refuse(error.message) : replace(notice, errorBox(error))),
      );
    })
    .catch((error) => replace(holder, errorBox({ message: `The SQL editor could not be loaded: ${error.message}` })));
  if (app.denied.sql) disable();
}
