// The audit log as the server shows it to this reader (entries are masked per the reader's role).

import { h, replace } from "../dom.js";
import { errorBox, infoBox, loading } from "../notice.js";
import { renderResult } from "../table.js";

function entriesOf(data) {
  if (Array.isArray(data)) return data;
  for (const key of ["entries", "records", "rows", "items"]) if (Array.isArray(data && data[key])) return data[key];
  return [];
}

export async function auditView(app, main) {
  const title = h("h1", { tabindex: "-1" }, "Audit log");
  if (app.denied.audit) {
    replace(main, title, infoBox("The audit log is not available to your role", app.denied.audit));
    return;
  }
  const refresh = h("button", { type: "button" }, "Refresh");
  const output = h("div", { class: "output" }, loading());
  const load = async () => {
    replace(output, loading());
    try {
      const data = await app.api.get("/api/audit");
      const rows = entriesOf(data);
      replace(output, renderResult({ columns: data && data.columns, rows }, { name: "audit", caption: "Audit entries" }));
    } catch (error) {
      if (error.status === 403) {
        app.deny("audit", error.message);
        replace(output, infoBox("The audit log is not available to your role", error.message));
      } else replace(output, errorBox(error));
    }
  };
  refresh.addEventListener("click", load);
  replace(
    main,
    title,
    h("p", { class: "help" }, "Every request that touched data (allowed, denied or failed), newest first, hash-chained. Verify the chain with ", h("code", null, "trailmask audit verify"), "."),
    h("div", { class: "actions" }, refresh),
    output,
  );
  await load();
}
