// Cases: your own (and, with 'cases:read', everyone's). A case collects notes and pinned results or
// rows with the audit ids of the runs they came from; items pinned under another masking view than
// yours come with their rows withheld. Export (Markdown, JSON) and send are rendered by the server
// for your role and audited there.

import { seg } from "../api.js";
import { h, replace } from "../dom.js";
import { fileName, saveFile } from "../download.js";
import { errorBox, infoBox, loading } from "../notice.js";
import { renderResult } from "../table.js";

function when(iso) {
  return iso ? `${iso.replace("T", " ").replace("Z", "")} UTC` : "–";
}

export async function casesView(app, main) {
  const title = h("h1", { tabindex: "-1" }, "Cases");
  const list = h("div", { class: "output" });
  const name = h("input", { id: "case-title", type: "text", maxlength: "200", required: true, "aria-describedby": "case-title-help" });
  const problem = h("div");
  const form = h(
    "form",
    { class: "case-new", novalidate: true, "aria-label": "Open a case" },
    h("label", { for: "case-title" }, "New case"),
    name,
    h("p", { class: "help", id: "case-title-help" }, "A title such as a ticket id. Pin results to it from any runbook or SQL result."),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Open case")),
    problem,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    replace(problem);
    try {
      const created = await app.api.post("/api/cases", { title: name.value.trim() });
      app.openCases = null;
      app.pinCase = created.id;
      app.navigate(`#/cases/${seg(created.id)}`);
    } catch (error) {
      replace(problem, errorBox(error));
    }
  });
  replace(main, title, form, list);
  replace(list, loading());
  try {
    const data = await app.api.get("/api/cases");
    const cases = data.cases || [];
    if (!cases.length) {
      replace(list, h("p", { class: "empty" }, "No cases yet."));
      return;
    }
    const rows = cases.map((c) =>
      h(
        "tr",
        null,
        h("td", null, h("a", { href: `#/cases/${seg(c.id)}` }, c.title)),
        h("td", null, c.owner),
        h("td", null, c.status),
        h("td", null, String(c.items)),
        h("td", null, h("time", { datetime: c.updated_at }, when(c.updated_at))),
      ),
    );
    replace(
      list,
      h(
        "table",
        { class: "cases" },
        h("caption", { class: "visually-hidden" }, "Cases"),
        h("thead", null, h("tr", null, ["Title", "Owner", "Status", "Items", "Updated"].map((t) => h("th", { scope: "col" }, t)))),
        h("tbody", null, rows),
      ),
    );
  } catch (error) {
    replace(list, errorBox(error));
  }
}

function source(item) {
  const parts = [item.runbook ? h("a", { href: `#/runbooks/${seg(item.runbook)}` }, item.runbook) : item.action];
  parts.push(" · audit ", h("code", null, item.audit_id), " · run ", h("time", { datetime: item.run_at }, when(item.run_at)));
  if (item.params && Object.keys(item.params).length) {
    parts.push(" · ", Object.entries(item.params).map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`).join(", "));
  }
  if (item.row_count > (item.rows || []).length && !item.withheld) parts.push(` · ${(item.rows || []).length} of ${item.row_count} rows kept`);
  return h("p", { class: "case-source" }, ...parts);
}

function itemCard(app, view, item, number, reload) {
  const owner = view.owner === app.me.name;
  const heading = item.kind === "note" ? "Note" : item.kind === "row" ? "Pinned row" : "Pinned result";
  const body = [];
  if (item.kind !== "note") body.push(source(item));
  if (item.note) body.push(h("blockquote", { class: "case-note" }, item.note));
  if (item.sql) body.push(h("pre", { class: "case-sql" }, item.sql));
  if (item.withheld) body.push(infoBox("Rows withheld", item.withheld));
  else if (item.kind !== "note") {
    body.push(renderResult({ columns: item.columns, rows: item.rows }, { name: `${view.id}-${number}`, caption: `${heading} ${number}`, ...app.downloadOptions() }));
  }
  const remove = owner && view.status === "open"
    ? h("button", { type: "button", class: "link", onclick: async () => { await app.api.request(`/api/cases/${seg(view.id)}/items/${seg(item.id)}`, { method: "DELETE" }); reload(); } }, "Remove")
    : null;
  return h(
    "li",
    { class: "case-item", "data-kind": item.kind },
    h("h3", null, `${number}. ${heading} `, h("time", { datetime: item.created_at, class: "muted" }, when(item.created_at)), " ", remove),
    ...body,
  );
}

async function exportCase(app, view, format, problem) {
  replace(problem);
  try {
    const text = await app.api.text(`/api/cases/${seg(view.id)}/export?format=${format}`);
    const ext = format === "markdown" ? "md" : "json";
    saveFile(fileName(view.id, ext), text, format === "markdown" ? "text/markdown" : "application/json");
  } catch (error) {
    replace(problem, errorBox(error, { title: "Export failed" }));
  }
}

function ownerTools(app, view, reload, problem) {
  const note = h("textarea", { id: "case-note", rows: "3", maxlength: "10000" });
  const noteForm = h(
    "form",
    { class: "case-note-form", novalidate: true, "aria-label": "Add a note" },
    h("label", { for: "case-note" }, "Add a note"),
    note,
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Add note")),
  );
  noteForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    replace(problem);
    try {
      await app.api.post(`/api/cases/${seg(view.id)}/notes`, { text: note.value });
      reload();
    } catch (error) {
      replace(problem, errorBox(error));
    }
  });
  const next = view.status === "open" ? "closed" : "open";
  const toggle = h("button", { type: "button" }, view.status === "open" ? "Close case" : "Reopen case");
  toggle.addEventListener("click", async () => {
    await app.api.post(`/api/cases/${seg(view.id)}/status`, { status: next }).catch((error) => replace(problem, errorBox(error)));
    app.openCases = null;
    reload();
  });
  const destinations = view.destinations || [];
  const target = h("select", { id: "case-destination", "aria-label": "Destination" }, destinations.map((d) => h("option", { value: d }, d)));
  const sent = h("p", { class: "status", role: "status", "aria-live": "polite" });
  const send = h("button", { type: "button", disabled: !destinations.length, title: destinations.length ? null : "No monitoring destination is configured" }, "Send");
  send.addEventListener("click", async () => {
    replace(problem);
    sent.textContent = "Sending…";
    try {
      const answer = await app.api.post(`/api/cases/${seg(view.id)}/send`, { destination: target.value });
      sent.textContent = `Sent to ${answer.destination} (delivery ${answer.delivery_id}).`;
    } catch (error) {
      sent.textContent = "";
      replace(problem, errorBox(error, { title: "Not sent" }));
    }
  });
  const sendGroup = h("div", { class: "actions", role: "group", "aria-label": "Send the case" }, h("label", { for: "case-destination" }, "Send to"), target, send, sent);
  return [view.status === "open" ? noteForm : null, h("div", { class: "actions" }, toggle), sendGroup];
}

export async function caseView(app, main, caseId) {
  const output = h("div", { class: "output" }, loading());
  replace(main, h("h1", { tabindex: "-1" }, "Case"), output);
  const reload = () => caseView(app, main, caseId);
  let view;
  try {
    view = await app.api.get(`/api/cases/${seg(caseId)}`);
  } catch (error) {
    replace(output, errorBox(error));
    return;
  }
  const problem = h("div");
  const exports = h(
    "div",
    { class: "downloads", role: "group", "aria-label": "Export the case" },
    h("button", { type: "button", onclick: () => exportCase(app, view, "markdown", problem) }, "Export Markdown"),
    h("button", { type: "button", onclick: () => exportCase(app, view, "json", problem) }, "Export JSON"),
  );
  const runs = view.runs.length
    ? renderResult({ columns: ["audit_id", "run_at", "action", "runbook", "rows"], rows: view.runs }, { name: `${view.id}-runs`, caption: "What was run", download: false })
    : h("p", { class: "empty" }, "Nothing pinned yet: use “Pin result to case” under a runbook or SQL result.");
  const items = view.items.length
    ? h("ol", { class: "case-items" }, view.items.map((item, i) => itemCard(app, view, item, i + 1, reload)))
    : h("p", { class: "empty" }, "No items yet.");
  replace(
    main,
    h("h1", { tabindex: "-1" }, view.title),
    h("p", { class: "case-meta" }, `${view.id} · owner ${view.owner} · ${view.status} · opened ${when(view.created_at)} · you see it as ${view.reader_profile}`),
    exports,
    problem,
    ...(view.owner === app.me.name ? ownerTools(app, view, reload, problem) : [infoBox("Read only", `This case belongs to ${view.owner}; only its owner changes it.`)]),
    h("h2", null, "What was run"),
    runs,
    h("h2", null, "Items"),
    items,
  );
}
