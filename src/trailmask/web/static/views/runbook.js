// One runbook: its documentation (when/why, how, what results mean, follow-ups), its typed
// parameter form, and the result of running it as the signed-in user.

import { seg } from "../api.js";
import { h, replace } from "../dom.js";
import { markdown } from "../markdown.js";
import { errorBox, loading } from "../notice.js";
import { renderResult } from "../table.js";
import { clearFieldErrors, collectParams, paramField, paramOfError, showFieldError } from "./params.js";

// Documentation sections in reading order; each lists the keys a runbook may use for it.
const SECTIONS = [
  ["Description", ["description", "summary"]],
  ["When and why to run it", ["when", "why", "when_to_run", "when_and_why", "rationale"]],
  ["How to run it", ["how", "usage", "invocation"]],
  ["What the results mean", ["results", "results_meaning", "interpretation", "what_results_mean"]],
  ["Follow-up actions", ["follow_ups", "followups", "follow_up", "next_steps"]],
];

function docFields(runbook) {
  const docs = runbook.docs && typeof runbook.docs === "object" ? runbook.docs : {};
  return { ...runbook, ...docs };
}

function followUpNode(item, app) {
  if (typeof item === "string") return h("li", null, markdown(item));
  const target = item.runbook || item.id;
  const text = item.description || item.title || item.why || "";
  if (!target) return h("li", null, text || JSON.stringify(item));
  const open = (event) => {
    event.preventDefault();
    app.prefill = { id: target, params: item.params && typeof item.params === "object" ? item.params : {} };
    app.navigate(`#/runbooks/${seg(target)}`);
  };
  return h("li", null, h("a", { href: `#/runbooks/${seg(target)}`, onclick: open }, target), text ? ` ${text}` : null);
}

function sectionBody(value, app) {
  if (typeof value === "string") return markdown(value);
  if (Array.isArray(value)) return h("ul", null, value.map((item) => followUpNode(item, app)));
  if (value && typeof value === "object") {
    return h(
      "dl",
      { class: "kv" },
      Object.entries(value).map(([k, v]) => [h("dt", null, k), h("dd", null, h("pre", null, h("code", null, typeof v === "string" ? v : JSON.stringify(v, null, 2))))]),
    );
  }
  return null;
}

function documentation(runbook, app) {
  const fields = docFields(runbook);
  const out = [];
  for (const [title, keys] of SECTIONS) {
    const parts = keys.map((k) => fields[k]).filter((v) => v !== undefined && v !== null && v !== "");
    if (!parts.length) continue;
    out.push(h("section", { class: "doc" }, h("h3", null, title), parts.map((p) => sectionBody(p, app))));
  }
  if (typeof runbook.docs === "string") out.push(h("section", { class: "doc" }, markdown(runbook.docs)));
  if (runbook.sql) out.push(h("details", { class: "doc" }, h("summary", null, "SQL"), h("pre", null, h("code", null, runbook.sql))));
  return out;
}

function metaLine(runbook) {
  const items = [["id", runbook.id]];
  for (const key of ["version", "severity", "permission"]) if (runbook[key]) items.push([key, runbook[key]]);
  return h(
    "dl",
    { class: "meta" },
    items.map(([k, v]) => h("div", null, h("dt", null, k), h("dd", null, String(v)))),
    (runbook.tags || []).length ? h("div", null, h("dt", null, "tags"), h("dd", null, (runbook.tags || []).map((t) => h("span", { class: "tag" }, t)))) : null,
  );
}

function applyPrefill(form, app, runbook) {
  if (!app.prefill || app.prefill.id !== runbook.id) return;
  for (const [name, value] of Object.entries(app.prefill.params)) {
    const el = form.elements.namedItem(name);
    if (el && el.type === "checkbox") el.checked = Boolean(value);
    else if (el) el.value = Array.isArray(value) ? value.join("\n") : String(value);
  }
  app.prefill = null;
}

function runForm(runbook, app) {
  const params = Array.isArray(runbook.parameters) ? runbook.parameters : [];
  const formId = "run";
  const status = h("p", { class: "status", role: "status", "aria-live": "polite" });
  const errors = h("div", { class: "form-errors" });
  const output = h("div", { class: "output" });
  const button = h("button", { type: "submit", class: "primary" }, "Run runbook");
  const form = h(
    "form",
    { id: formId, class: "param-form", novalidate: true, "aria-label": `Parameters of ${runbook.id}` },
    params.length ? params.map((p) => paramField(p, formId)) : h("p", { class: "muted" }, "This runbook takes no parameters."),
    h("div", { class: "actions" }, button, status),
    errors,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    replace(errors);
    button.disabled = true;
    status.textContent = "Running…";
    try {
      const result = await app.api.post(`/api/runbooks/${seg(runbook.id)}/run`, { params: collectParams(form, params) });
      status.textContent = `Done: ${result.row_count ?? (result.rows || []).length} rows.`;
      replace(output, renderResult(result, { name: runbook.id, caption: `Result of ${runbook.id}` }));
    } catch (error) {
      status.textContent = "";
      const name = paramOfError(error, params);
      if (name) showFieldError(form, name, error.message);
      replace(errors, errorBox(error));
      replace(output);
    } finally {
      button.disabled = false;
    }
  });
  applyPrefill(form, app, runbook);
  const section = h("section", { class: "run", "aria-labelledby": "run-title" }, h("h3", { id: "run-title" }, "Run"), form);
  return { section, output };
}

export async function runbookView(app, main, id) {
  replace(main, loading());
  let runbook;
  try {
    runbook = await app.api.get(`/api/runbooks/${seg(id)}`);
  } catch (error) {
    replace(main, h("h1", { tabindex: "-1" }, `Runbook ${id}`), errorBox(error), h("p", null, h("a", { href: "#/runbooks" }, "Back to runbooks")));
    return;
  }
  const { section, output } = runForm(runbook, app);
  replace(
    main,
    h("p", { class: "crumbs" }, h("a", { href: "#/runbooks" }, "Runbooks"), " / ", runbook.id),
    h("h1", { tabindex: "-1" }, runbook.title || runbook.id),
    metaLine(runbook),
    h("div", { class: "runbook-layout" }, h("div", { class: "docs" }, documentation(runbook, app)), h("div", { class: "runner" }, section)),
    output,
  );
}
