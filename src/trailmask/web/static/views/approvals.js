// Break-glass approvals: people with 'unmask:request' ask for one unmasked run with a
// justification; someone else with 'approve' approves or rejects it; the requester runs it once.
// Every step is the server's decision and is audited there.

import { seg } from "../api.js";
import { h, replace } from "../dom.js";
import { errorBox, infoBox, loading } from "../notice.js";
import { renderResult } from "../table.js";
import { renderValue } from "../values.js";

const MIN_JUSTIFICATION = 10; // the server's minimum; it re-checks

/** The "request an unmasked run" form under a runbook or SQL form; ``what()`` gives the request body. */
export function requestForm(app, what) {
  if (app.allows("unmask:request") === false) return null;
  const text = h("textarea", { id: "justification", rows: "2", "aria-describedby": "justification-help" });
  const result = h("div", { "aria-live": "polite" });
  const button = h("button", { type: "submit" }, "Request unmasked run");
  const form = h(
    "form",
    { class: "breakglass", novalidate: true },
    h("label", { for: "justification" }, "Justification"),
    text,
    h("p", { class: "help", id: "justification-help" }, `Why you need unmasked values (at least ${MIN_JUSTIFICATION} characters). Another person must approve; the run is audited.`),
    h("div", { class: "actions" }, button),
    result,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    button.disabled = true;
    try {
      const approval = await app.api.post("/api/approvals", { ...what(), justification: text.value.trim() });
      replace(result, infoBox(`Request ${approval.id} is ${approval.status}`, "An approver must approve it; then run it once from the Approvals page.", h("a", { href: "#/approvals" }, "Go to Approvals")));
      text.value = "";
    } catch (error) {
      replace(result, errorBox(error));
    } finally {
      button.disabled = false;
    }
  });
  return h("details", { class: "breakglass-box" }, h("summary", null, "Need unmasked values? Request a break-glass run"), form);
}

function subject(approval) {
  if (approval.kind === "runbook") {
    return [h("a", { href: `#/runbooks/${seg(approval.runbook)}` }, approval.runbook), " ", renderValue(approval.params)];
  }
  return h("code", null, approval.sql || "");
}

function decisionControls(app, approval, reload) {
  const comment = h("input", { type: "text", "aria-label": `Comment on request ${approval.id}`, placeholder: "comment (optional)" });
  const decide = (verb) => async () => {
    try {
      await app.api.post(`/api/approvals/${seg(approval.id)}/${verb}`, { comment: comment.value });
      await reload();
    } catch (error) {
      reload(error);
    }
  };
  return h(
    "div",
    { class: "decide" },
    comment,
    h("button", { type: "button", class: "primary", onclick: decide("approve") }, "Approve"),
    h("button", { type: "button", onclick: decide("reject") }, "Reject"),
  );
}

function runControl(app, approval, output) {
  const run = async () => {
    replace(output, loading("Running unmasked…"));
    try {
      const result = await app.api.post(`/api/approvals/${seg(approval.id)}/run`, {});
      replace(
        output,
        h("p", { class: "alert alert-warn", role: "status" }, `Unmasked result of request ${approval.id}: raw values, handle with care. This run is audited.`),
        renderResult(result, { name: `approval-${approval.id}`, caption: `Unmasked result of ${approval.id}`, ...app.downloadOptions() }),
      );
    } catch (error) {
      replace(output, errorBox(error));
    }
  };
  return h("button", { type: "button", class: "primary", onclick: run }, "Run once, unmasked");
}

function card(app, approval, reload, output) {
  const mine = app.me && approval.requester === app.me.name;
  let action = null;
  if (approval.status === "pending" && !mine && app.allows("approve") !== false) action = decisionControls(app, approval, reload);
  else if (approval.status === "approved" && mine) action = runControl(app, approval, output);
  const decided = approval.decided_by ? `${approval.status} by ${approval.decided_by}${approval.comment ? `: ${approval.comment}` : ""}` : approval.status;
  return h(
    "li",
    { class: "card approval", "data-approval": approval.id, "data-status": approval.status },
    h("p", { class: "card-title" }, h("strong", null, `${approval.kind} request ${approval.id}`), h("span", { class: `status-badge status-${approval.status}` }, approval.status)),
    h("p", null, `by ${approval.requester} (${approval.requester_role}) at ${approval.created_at}`),
    h("p", null, subject(approval)),
    h("p", { class: "justification" }, "Justification: ", renderValue(approval.justification)),
    h("p", { class: "help" }, decided),
    action,
  );
}

export async function approvalsView(app, main) {
  const list = h("ul", { class: "cards approvals" });
  const notice = h("div");
  const output = h("div", { class: "output" });
  const reload = async (error) => {
    replace(notice, error ? errorBox(error) : null);
    try {
      const data = await app.api.get("/api/approvals");
      const approvals = (data && data.approvals) || [];
      replace(list, approvals.length ? approvals.map((a) => card(app, a, reload, output)) : h("li", { class: "empty" }, "No requests."));
    } catch (failure) {
      if (failure.status === 403) replace(notice, infoBox("Approvals are not available to your role", failure.message, failure.hint));
      else replace(notice, errorBox(failure));
    }
  };
  replace(
    main,
    h("h1", { tabindex: "-1" }, "Approvals"),
    h("p", { class: "help" }, "Break-glass requests for one unmasked run. Approvers see every request; everyone else sees their own."),
    notice,
    list,
    output,
  );
  list.appendChild(h("li", { class: "muted" }, "Loading…"));
  await reload();
}
