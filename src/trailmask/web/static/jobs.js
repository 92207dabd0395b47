// Long runs as jobs: a query request named by a request id, with its elapsed time and a Cancel
// button that stops the query on the server (docs/web.md, "Runs").
//
//   const job = startJob(app.api, "/api/sql", { sql });   // POST with X-Request-Id: job.id
//   job.result      -> Promise of the answer; rejects with the ApiError (isCancelled(error) after a cancel)
//   job.elapsedMs() -> milliseconds since it started; job.state: "running" | "done" | "failed" | "cancelled"
//   job.cancel()    -> POST /api/runs/{id}/cancel: only the user who started it may; the server
//                      interrupts the engine and the run answers 409 "cancelled"
//
//   await runJob(app.api, path, body, { status, controls })  // the same, shown: ``controls`` gets
//   the elapsed time and the Cancel button while it runs, ``status`` (an aria-live region) a short
//   line: "Running…", "Done: 12 rows in 1.3 s", "Cancelled after 2.0 s: the server stopped the query."
//
// The server runs a request id once per user: a request the browser resends (a dropped
// connection) gets the first run's answer, never a second run. A network failure is resent once
// with the same id for the same reason. DuckDB does not report a query's progress under the
// server's locked configuration, so the elapsed time is shown, not a percentage.

import { ApiError, seg } from "./api.js";
import { h, replace } from "./dom.js";

/** A new request id (a UUID). */
export function newRequestId() {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Did ``error`` come from a run its owner cancelled? */
export function isCancelled(error) {
  return error instanceof ApiError && error.kind === "cancelled";
}

/** "0.4 s", "12.0 s", "2 min 05 s" */
export function formatElapsed(ms) {
  const seconds = Math.max(0, ms) / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${String(Math.floor(seconds % 60)).padStart(2, "0")} s`;
}

/**
 * Start ``POST path`` with ``body`` as a job (see the module comment).
 * @param {import("./api.js").Api} api
 * @param {string} path
 * @param {unknown} body
 */
export function startJob(api, path, body) {
  const id = newRequestId();
  const started = performance.now();
  const headers = { "X-Request-Id": id };
  const job = {
    id,
    state: "running",
    endedMs: /** @type {number | null} */ (null),
    elapsedMs: () => (job.endedMs ?? performance.now()) - started,
    cancel: () => api.post(`/api/runs/${seg(id)}/cancel`),
    /** @type {Promise<any>} */
    result: Promise.resolve(null),
  };
  const send = () => api.request(path, { method: "POST", body, headers });
  job.result = send()
    .catch((error) => (error instanceof ApiError && error.status === 0 ? send() : Promise.reject(error)))
    .then(
      (answer) => {
        job.state = "done";
        job.endedMs = performance.now() - started;
        return answer;
      },
      (error) => {
        job.state = isCancelled(error) ? "cancelled" : "failed";
        job.endedMs = performance.now() - started;
        throw error;
      },
    );
  return job;
}

/**
 * The live controls of a running job: elapsed time (a timer, not announced every tick), a busy
 * indicator and a Cancel button. They stop updating when the job ends.
 */
export function jobControls(job, { onCancelFailed = null } = {}) {
  const timer = h("span", { class: "job-elapsed", role: "timer", "aria-live": "off", "aria-label": "elapsed time" }, formatElapsed(0));
  const busy = h("progress", { class: "job-busy", "aria-label": "query running (the engine reports no percentage)" });
  const cancel = h("button", { type: "button", class: "job-cancel" }, "Cancel");
  cancel.addEventListener("click", async () => {
    cancel.disabled = true;
    cancel.textContent = "Cancelling…";
    try {
      await job.cancel();
    } catch (error) {
      cancel.disabled = false;
      cancel.textContent = "Cancel";
      if (onCancelFailed) onCancelFailed(error);
    }
  });
  const tick = setInterval(() => {
    timer.textContent = formatElapsed(job.elapsedMs());
    if (job.state !== "running") clearInterval(tick);
  }, 100);
  return h("span", { class: "job", "data-job": job.id }, timer, busy, cancel);
}

/** One line for a job that ended with ``answer`` or ``error``. */
function endLine(job, answer, error) {
  const took = formatElapsed(job.elapsedMs());
  if (error) return isCancelled(error) ? `Cancelled after ${took}: the server stopped the query.` : "";
  const rows = answer && (answer.row_count ?? (answer.rows || []).length);
  return `Done: ${rows ?? 0} ${rows === 1 ? "row" : "rows"} in ${took}.`;
}

/**
 * Run ``POST path`` as a job shown in ``status`` (live region) and ``controls``; resolves to the
 * answer or rejects with the ApiError (a cancelled run: isCancelled(error), already said in ``status``).
 * @param {import("./api.js").Api} api
 * @param {string} path
 * @param {unknown} body
 * @param {{status: HTMLElement, controls: HTMLElement, returnFocus?: HTMLElement | null}} where
 */
export async function runJob(api, path, body, { status, controls, returnFocus = null }) {
  const job = startJob(api, path, body);
  status.textContent = "Running…";
  const cancelFailed = (error) => {
    status.textContent = `Could not cancel: ${error.message}`;
  };
  replace(controls, jobControls(job, { onCancelFailed: cancelFailed }));
  const hadFocus = () => controls.contains(document.activeElement);
  try {
    const answer = await job.result;
    status.textContent = endLine(job, answer, null);
    return answer;
  } catch (error) {
    status.textContent = endLine(job, null, error);
    throw error;
  } finally {
    const refocus = hadFocus() && returnFocus;
    replace(controls);
    if (refocus) returnFocus.focus();
  }
}
