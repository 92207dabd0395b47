// One runbook: its documentation, its typed parameter form, and the result of running it as the
// signed-in user, with follow-up runbooks one click away from each result row.

import { seg } from "../api.js";
import { h, replace } from "../dom.js";
import { errorBox, loading } from "../notice.js";
import { casePinning } from "../casepin.js";
import { isCancelled, runJob } from "../jobs.js";
import { chartPicker } from "../chart.js";
import { pinnedWindow, pivotCell, runWindow, windowParams, windowRange } from "../pivot.js";
import { renderResult } from "../table.js";
import { clearFieldErrors, collectParams, paramField, paramOfError, showFieldError } from "./params.js";
import { requestForm } from "./approvals.js";
import { documentation, followUpsOf, openFollowUp } from "./rbdocs.js";

function windowText(window) {
  if (!window || typeof window !== "object") return null;
  return `default ${window.default}${window.maximum ? `, at most ${window.maximum}` : ""}`;
}

function metaLine(runbook) {
  const items = [["id", runbook.id]];
  for (const key of ["version", "severity", "permission"]) if (runbook[key] !== undefined && runbook[key] !== null) items.push([key, runbook[key]]);
  if (windowText(runbook.window)) items.push(["time window", windowText(runbook.window)]);
  const tags = runbook.tags || [];
  return h(
    "dl",
    { class: "meta" },
    items.map(([k, v]) => h("div", null, h("dt", null, k), h("dd", null, String(v)))),
    tags.length ? h("div", null, h("dt", null, "tags"), h("dd", null, tags.map((t) => h("span", { class: "tag" }, t)))) : null,
  );
}

const WINDOW_FIELDS = ["since", "start", "end"];

function applyPrefill(form, app, runbook) {
  if (!app.prefill || app.prefill.id !== runbook.id) return;
  // a handed-on window replaces the form's own (its default since would clash with a start)
  if (WINDOW_FIELDS.some((name) => name in app.prefill.params)) {
    for (const name of WINDOW_FIELDS) {
      const el = form.elements.namedItem(name);
      if (el && !(name in app.prefill.params)) el.value = "";
    }
  }
  for (const [name, value] of Object.entries(app.prefill.params)) {
    const el = form.elements.namedItem(name);
    if (el && el.type === "checkbox") el.checked = Boolean(value);
    else if (el) el.value = Array.isArray(value) ? value.join("\n") : String(value);
  }
  app.prefill = null;
}

/** Buttons that open each follow-up runbook with parameters taken from one result row. */
function rowActions(runbook, app, window) {
  const targets = followUpsOf(runbook).filter((f) => f && typeof f === "object" && f.runbook);
  if (!targets.length) return null;
  return (row) =>
    targets.map((f) =>
      h(
        "button",
        { type: "button", class: "follow", title: f.why || null, "aria-label": `Follow up with ${f.runbook} for this row`, onclick: () => openFollowUp(app, f, row, windowParams(window)) },
        `→ ${f.runbook}`,
      ),
    );
}

function columnHelp(runbook) {
  return Object.fromEntries((Array.isArray(runbook.output) ? runbook.output : []).map((c) => [c.name, c.description]));
}

async function submit(form, runbook, app, parts) {
  const params = runbook.parameters || [];
  clearFieldErrors(form);
  replace(parts.errors);
  parts.button.disabled = true;
  try {
    const values = collectParams(form, params);
    const ranAt = Date.now();
    const result = await runJob(app.api, `/api/runbooks/${seg(runbook.id)}/run`, { params: values }, { status: parts.status, controls: parts.job, returnFocus: parts.button });
    const window = pinnedWindow(runWindow(values, runbook.window ? runbook.window.default : undefined), ranAt);
    const follow = rowActions(runbook, app, window);
    const pin = casePinning(app, result);
    const options = {
      name: runbook.id,
      caption: `Result of ${runbook.id}`,
      rowActions: follow || pin.rowAction ? (row) => [...(follow ? follow(row) : []), pin.rowAction ? pin.rowAction(row) : null] : null,
      columnHelp: columnHelp(runbook),
      cellWrap: pivotCell(app, window),
      before: h("div", null, pin.bar, chartPicker(result, { title: `${runbook.title || runbook.id} over time`, window: windowRange(window), idPrefix: "run-chart" })),
      ...app.downloadOptions(),
    };
    replace(parts.output, renderResult(result, options));
    parts.output.scrollIntoView({ block: "start" });
  } catch (error) {
    replace(parts.output);
    if (isCancelled(error)) return; // the status line says so
    const name = paramOfError(error, params);
    if (name) showFieldError(form, name, error.message);
    replace(parts.errors, errorBox(error));
  } finally {
    parts.button.disabled = false;
  }
}

function runForm(runbook, app) {
  const params = Array.isArray(runbook.parameters) ? runbook.parameters : [];
  const parts = {
    status: h("p", { class: "status", role: "status", "aria-live": "polite" }),
    errors: h("div", { class: "form-errors" }),
    output: h("div", { class: "output" }),
    button: h("button", { type: "submit", class: "primary" }, "Run runbook"),
    job: h("span", { class: "job-slot" }),
  };
  const form = h(
    "form",
    { id: "run", class: "param-form", novalidate: true, "aria-label": `Parameters of ${runbook.id}` },
    params.length ? params.map((p) => paramField(p, "run", app.status)) : h("p", { class: "muted" }, "This runbook takes no parameters."),
    h("div", { class: "actions" }, parts.button, parts.job, parts.status),
    parts.errors,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit(form, runbook, app, parts);
  });
  applyPrefill(form, app, runbook);
  const breakGlass = requestForm(app, () => ({ kind: "runbook", runbook: runbook.id, params: collectParams(form, params) }));
  const section = h("section", { class: "run", "aria-labelledby": "run-title" }, h("h2", { id: "run-title" }, "Run"), form, breakGlass);
  return { section, output: parts.output };
}

export async function runbookView(app, main, id) {
  replace(main, loading());
  let runbook;
  try {
    // the data's span for the form's placeholders, read again: an ingest may have run meanwhile
    [runbook] = await Promise.all([app.api.get(`/api/runbooks/${seg(id)}`), app.refreshStatus ? app.refreshStatus() : null]);
  } catch (error) {
    replace(main, h("h1", { tabindex: "-1" }, `Runbook ${id}`), errorBox(error), h("p", null, h("a", { href: "#/runbooks" }, "Back to runbooks")));
    return;
  }
  const { section, output } = runForm(runbook, app);
  // A workbench: the form, then the result (it fills the viewport), then the documentation.
  replace(
    main,
    h("p", { class: "crumbs" }, h("a", { href: "#/runbooks" }, "Runbooks"), " / ", runbook.id),
    h("h1", { tabindex: "-1" }, runbook.title || runbook.id),
    metaLine(runbook),
    h("div", { class: "runner runner-wide" }, section),
    output,
    h("section", { class: "docs", "aria-label": "Documentation" }, documentation(runbook, app)),
  );
}
