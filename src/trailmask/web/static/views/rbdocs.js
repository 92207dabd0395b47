// The documentation of one runbook (the fields of trailmask.runbooks.model.Runbook as the API
// returns them): when and why, what the results indicate, output columns, follow-ups, notes,
// references and credits. Text fields are Markdown (see markdown.js); nothing is HTML.

import { seg } from "../api.js";
import { h } from "../dom.js";
import { markdown } from "../markdown.js";

// Sections in reading order; each lists the keys a runbook may use for it.
/** @type {Array<[string, string[]]>} */
const TEXT_SECTIONS = [
  ["Description", ["description", "summary"]],
  ["When and why to run it", ["when", "why", "when_to_run"]],
  ["How to run it", ["how", "usage"]],
  ["What the results indicate", ["indicates", "results", "results_meaning"]],
];

function text(value) {
  if (typeof value === "string") return markdown(value);
  if (value && typeof value === "object") return h("pre", null, h("code", null, JSON.stringify(value, null, 2)));
  return null;
}

export function followUpsOf(runbook) {
  const list = runbook.follow_up || runbook.follow_ups || runbook.followups || [];
  return Array.isArray(list) ? list : [];
}

/** Parameters of a follow-up: literals as given, ``{column: c}`` from ``row`` when there is one. */
export function handOff(followUp, row) {
  const params = {};
  for (const [name, spec] of Object.entries(followUp.params || {})) {
    if (spec && typeof spec === "object" && "column" in spec) {
      if (row && row[spec.column] !== undefined && row[spec.column] !== null) params[name] = row[spec.column];
    } else params[name] = spec;
  }
  return params;
}

/** Open a follow-up runbook with its parameters filled in (kept in memory, never in the URL). */
/** Open a follow-up runbook; ``window`` (since/start/end of the run it came from) is kept. */
export function openFollowUp(app, followUp, row, window = {}) {
  app.prefill = { id: followUp.runbook, params: { ...window, ...handOff(followUp, row) } };
  app.navigate(`#/runbooks/${seg(followUp.runbook)}`);
}

function followUpItem(item, app) {
  if (typeof item === "string") return h("li", null, markdown(item));
  const why = item.why || item.description || "";
  if (!item.runbook) return h("li", null, markdown(why));
  const fromColumns = Object.entries(item.params || {})
    .filter(([, spec]) => spec && typeof spec === "object" && "column" in spec)
    .map(([name, spec]) => `${name} ← column ${spec.column}`);
  const open = (event) => {
    event.preventDefault();
    openFollowUp(app, item, null);
  };
  return h(
    "li",
    null,
    h("a", { href: `#/runbooks/${seg(item.runbook)}`, onclick: open }, item.runbook),
    why ? ` — ${why}` : null,
    fromColumns.length ? h("span", { class: "help" }, ` (from a result row: ${fromColumns.join(", ")})`) : null,
  );
}

function outputColumns(runbook) {
  const output = Array.isArray(runbook.output) ? runbook.output : [];
  if (!output.length) return null;
  return h("dl", { class: "kv" }, output.map((c) => [h("dt", null, h("code", null, c.name)), h("dd", null, c.description || "")]));
}

function links(urls) {
  return h(
    "ul",
    null,
    urls.map((url) => h("li", null, /^https?:\/\//i.test(url) ? h("a", { href: url, rel: "noopener noreferrer" }, url) : url)),
  );
}

function credits(runbook) {
  const items = [
    ...(runbook.credits || []).map((c) => `${c.author} (${c.license}${c.source ? `, ${c.source}` : ""})`),
    ...(runbook.panther || []).map((p) => `Panther rule ${p.rule}${p.total ? `: agrees on ${p.agree}/${p.total} test events` : ""}${p.note ? `. ${p.note}` : ""}`),
  ];
  return items.length ? h("ul", null, items.map((item) => h("li", null, item))) : null;
}

/** Shell-quote for the generated invocations (single quotes, POSIX style). */
function shq(text) {
  return /^[A-Za-z0-9_.,:/=@%+-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`;
}

/** CLI and HTTP invocations of the runbook with its required parameters (token from the environment). */
function howToRun(runbook, app) {
  const required = (runbook.parameters || []).filter((p) => p.required);
  const sample = (p) => String(p.example ?? p.default ?? `<${p.type || "value"}>`);
  const role = (app.me && app.me.role) || "ROLE";
  const cli = ["trailmask", "runbook", "run", runbook.id, "--as", role, ...required.flatMap((p) => ["-p", `${p.name}=${sample(p)}`])];
  const body = JSON.stringify({ params: Object.fromEntries(required.map((p) => [p.name, sample(p)])) });
  const url = `${location.origin}/api/runbooks/${seg(runbook.id)}/run`;
  const curl = `curl -s -H "Authorization: Bearer $TRAILMASK_TOKEN" -H 'Content-Type: application/json' \\\n  -d ${shq(body)} ${url}`;
  return [
    h("p", null, "Local CLI (a preview by the store's owner):"),
    h("pre", null, h("code", null, cli.map(shq).join(" "))),
    h("p", null, "HTTP API, with your token in ", h("code", null, "TRAILMASK_TOKEN"), ":"),
    h("pre", null, h("code", null, curl)),
  ];
}

function section(title, body) {
  return body ? h("section", { class: "doc" }, h("h3", null, title), body) : null;
}

export function documentation(runbook, app) {
  const out = [];
  for (const [title, keys] of TEXT_SECTIONS) {
    const parts = keys.map((k) => runbook[k]).filter((v) => v !== undefined && v !== null && v !== "");
    if (parts.length) out.push(section(title, parts.map(text)));
  }
  if (!runbook.how && !runbook.usage) out.splice(Math.min(out.length, 2), 0, section("How to run it", howToRun(runbook, app)));
  out.push(section("Output columns", outputColumns(runbook)));
  const followUps = followUpsOf(runbook);
  if (followUps.length) out.push(section("Follow-up actions", h("ul", null, followUps.map((f) => followUpItem(f, app)))));
  if (runbook.notes) out.push(section("Notes", text(runbook.notes)));
  if ((runbook.references || []).length) out.push(section("References", links(runbook.references)));
  out.push(section("Credits", credits(runbook)));
  if (runbook.sql) out.push(h("details", { class: "doc" }, h("summary", null, "SQL"), h("pre", null, h("code", null, runbook.sql))));
  return out.filter(Boolean);
}
