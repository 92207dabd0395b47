// The runbook catalogue with search by id, title, tag, description, when-to-use, what it
// indicates, ATT&CK techniques (id, name, tactic), the AWS services its SQL reads
// (iam.amazonaws.com: "iam") and its output columns (every word must match somewhere).

import { seg } from "../api.js";
import { h, replace } from "../dom.js";
import { errorBox, loading } from "../notice.js";

function haystack(runbook) {
  const attack = (Array.isArray(runbook.attack) ? runbook.attack : []).flatMap((t) => [t.id, t.name, t.tactic]);
  const sources = Array.isArray(runbook.event_sources) ? runbook.event_sources : []; // "iam.amazonaws.com" finds "iam"
  const output = (Array.isArray(runbook.output) ? runbook.output : []).flatMap((c) => [c.name, c.description]);
  return [runbook.id, runbook.title, ...(runbook.tags || []), runbook.description, runbook.when, runbook.indicates, ...attack, ...sources, ...output]
    .filter((part) => typeof part === "string")
    .join("\n")
    .toLowerCase();
}

export function matches(runbook, query) {
  const text = haystack(runbook);
  return query
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .every((word) => text.includes(word));
}

function paramSummary(runbook) {
  const params = runbook.parameters || [];
  if (!params.length) return "no parameters";
  return params.map((p) => `${p.name}${p.required ? "*" : ""}: ${p.type || "string"}`).join(", ");
}

function item(runbook, setQuery) {
  return h(
    "li",
    { class: "card", "data-runbook": runbook.id },
    h("h2", { class: "card-title" }, h("a", { href: `#/runbooks/${seg(runbook.id)}` }, runbook.title || runbook.id)),
    h(
      "p",
      { class: "card-id" },
      h("code", null, runbook.id),
      runbook.severity ? h("span", { class: `severity severity-${runbook.severity}` }, runbook.severity) : null,
    ),
    h(
      "p",
      { class: "tags" },
      (runbook.tags || []).map((tag) =>
        h("button", { type: "button", class: "tag", title: `Show runbooks tagged ${tag}`, onclick: () => setQuery(tag) }, tag),
      ),
    ),
    h("p", { class: "card-params" }, paramSummary(runbook)),
  );
}

export async function runbooksView(app, main) {
  replace(main, h("h1", { tabindex: "-1" }, "Runbooks"), loading());
  let runbooks;
  try {
    const data = await app.api.get("/api/runbooks");
    runbooks = Array.isArray(data) ? data : data.runbooks || [];
  } catch (error) {
    replace(main, h("h1", { tabindex: "-1" }, "Runbooks"), errorBox(error));
    return;
  }
  const search = h("input", {
    id: "runbook-search",
    type: "search",
    value: app.search || "",
    placeholder: "e.g. iam, cis-aws-1.4:4.3, root",
    autocomplete: "off",
    "aria-controls": "runbook-list",
    "aria-describedby": "runbook-search-help",
  });
  const count = h("p", { class: "muted", id: "runbook-count", role: "status", "aria-live": "polite" });
  const list = h("ul", { class: "cards", id: "runbook-list" });
  const update = () => {
    app.search = search.value;
    const shown = runbooks.filter((rb) => matches(rb, search.value));
    replace(list, shown.map((rb) => item(rb, setQuery)));
    count.textContent = `${shown.length} of ${runbooks.length} runbooks`;
  };
  const setQuery = (text) => {
    search.value = text;
    update();
    search.focus();
  };
  search.addEventListener("input", update);
  replace(
    main,
    h("h1", { tabindex: "-1" }, "Runbooks"),
    h(
      "div",
      { class: "searchbar" },
      h("label", { for: "runbook-search" }, "Search by id, title, tag or description"),
      search,
      h("p", { class: "help", id: "runbook-search-help" }, "Also matches ATT&CK techniques and tactics, the AWS services a runbook reads (iam, s3, sts…) and its output columns."),
      count,
    ),
    list,
  );
  update();
}
