// Error and status messages: one rendering for every API error so users always see what failed,
// why, and what to do (the server's message and hint, never a stack trace).

import { h } from "./dom.js";

const TITLES = {
  unauthenticated: "Not signed in",
  forbidden: "Not allowed",
  usage: "Invalid input",
  config: "Configuration problem",
  not_found: "Not found",
  query_rejected: "Query rejected",
  query_failed: "Query failed",
  query_timeout: "Query timed out",
  audit_unavailable: "Audit log unavailable: request refused",
  conflict: "Conflict",
  integrity: "Integrity check failed",
  store: "Store unavailable",
  network: "Server unreachable",
  rate_limited: "Slow down",
};

export function errorTitle(error) {
  return TITLES[error.kind] || (error.status ? `Error (HTTP ${error.status})` : "Error");
}

/**
 * An alert box for an ApiError (or any Error).
 * @param {any} error
 * @param {{title?: string}} [options]
 */
export function errorBox(error, { title } = {}) {
  const message = error && error.message ? error.message : String(error);
  return h(
    "div",
    { class: "alert alert-error", role: "alert", "data-kind": error.kind || "error" },
    h("p", { class: "alert-title" }, title || errorTitle(error)),
    h("p", { class: "alert-message" }, message),
    error.hint ? h("p", { class: "alert-hint" }, `Hint: ${error.hint}`) : null,
  );
}

/** A neutral information box, e.g. why a page is unavailable for this role. */
export function infoBox(title, ...lines) {
  return h(
    "div",
    { class: "alert alert-info", role: "status" },
    h("p", { class: "alert-title" }, title),
    lines.filter(Boolean).map((line) => h("p", { class: "alert-message" }, line)),
  );
}

export function loading(text = "Loading…") {
  return h("p", { class: "muted", role: "status" }, text);
}
