// The audit log as the server shows it to this reader (values other people typed are masked unless
// the role holds audit:raw). Pages go back in time with the server's ``next_before`` cursor.

import { h, replace } from "../dom.js";
import { errorBox, infoBox, loading } from "../notice.js";
import { renderResult } from "../table.js";

const TITLE = "The audit log is not available to your role";

function entriesOf(data) {
  if (Array.isArray(data)) return data;
  for (const key of ["entries", "records", "rows", "items"]) if (Array.isArray(data && data[key])) return data[key];
  return [];
}

export async function auditView(app, main) {
  const title = h("h1", { tabindex: "-1" }, "Audit log");
  if (app.denied.audit) {
    replace(main, title, infoBox(TITLE, app.denied.audit));
    return;
  }
  const output = h("div", { class: "output" });
  const pager = h("div", { class: "actions" });
  const load = async (before) => {
    replace(output, loading());
    replace(pager);
    try {
      const data = await app.api.get(before === null ? "/api/audit" : `/api/audit?before=${encodeURIComponent(before)}`);
      const result = { columns: data && data.columns, rows: entriesOf(data) };
      replace(output, renderResult(result, { name: "audit", caption: "Audit entries", ...app.downloadOptions() }));
      pager.append(
        h("button", { type: "button", onclick: () => load(null), disabled: before === null }, "Newest"),
        h("button", { type: "button", disabled: !(data && data.next_before), onclick: () => load(data.next_before) }, "Older entries"),
      );
    } catch (error) {
      if (error.status === 403) {
        app.deny("audit", error.message);
        replace(output, infoBox(TITLE, error.message, error.hint));
      } else replace(output, errorBox(error));
    }
  };
  replace(
    main,
    title,
    h(
      "p",
      { class: "help" },
      "Every request that touched data (allowed, denied or failed), newest first, hash-chained. Check the chain with ",
      h("code", null, "trailmask audit verify"),
      ".",
    ),
    output,
    pager,
  );
  await load(null);
}
