// Pivots: any principal, IP address or ARN value in a result (the pseudonym, truncated IP or
// masked ARN the role sees) opens "everything this value did" (the matching investigation runbook
// with the value bound) or the per-actor timeline. The value and the time window it came from are
// kept in memory (app.prefill, app.timeline), never in the URL. A relative window ("since 24h") is
// pinned to the start it meant when the result was shown (pinnedWindow), so the pivot still covers
// the very event it came from.

import { seg } from "./api.js";
import { h } from "./dom.js";
import { plainText } from "./values.js";

const PRINCIPAL = /^(principal|principal_arn|changed_by|actor|user|user_name|userName|arn|caller|created_by|assumed_by)$/i;
const IP = /^(sourceIPAddress|source_ip|ip|client_ip)$/i;

/** What a value of ``column`` pivots to: {kind, runbook, param} or null. */
export function pivotTarget(column) {
  if (PRINCIPAL.test(column)) return { kind: "principal", runbook: "principal-activity", param: "principal" };
  if (IP.test(column)) return { kind: "ip", runbook: "ip-activity", param: "ip" };
  return null;
}

/** The time-window parameters (since/start/end) of a run, to hand on to the next one. */
export function windowParams(params) {
  const out = {};
  for (const key of ["since", "start", "end"]) if (params && params[key] !== undefined && params[key] !== "") out[key] = params[key];
  return out;
}

const UNITS = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
const SLACK_S = 60; // a pinned start reaches this much further back (browser and server clocks differ)

function seconds(duration) {
  let total = 0;
  for (const [, n, unit] of String(duration).toLowerCase().matchAll(/(\d+)([smhdw])/g)) total += Number(n) * UNITS[unit];
  return total;
}

/**
 * The window a run used, as the server reads it: ``start`` (with ``end``) when given, else ``since``
 * (``defaultSince`` when the form left it out) with ``end``. Never both since and start (the
 * server refuses that).
 */
export function runWindow(values, defaultSince) {
  const given = windowParams(values);
  if (given.start) return given.end ? { start: given.start, end: given.end } : { start: given.start };
  const out = {};
  if (given.since || defaultSince) out.since = given.since || defaultSince;
  if (given.end) out.end = given.end;
  return out;
}

/**
 * ``window`` pinned to the moment ``nowMs`` it ran at: "since 24h" becomes the start it meant, so
 * a pivot opened later still covers the events that prompted it (a relative window would slide
 * past them). The end stays as given (open: up to now), "all" stays all.
 */
export function pinnedWindow(window, nowMs = Date.now()) {
  const w = windowParams(window);
  if (w.start || !w.since || w.since === "all") return w;
  const span = seconds(w.since);
  if (!span) return w;
  const endMs = w.end ? Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(w.end) ? w.end : `${w.end}Z`) : nowMs;
  if (Number.isNaN(endMs)) return w;
  const start = new Date(endMs - (span + SLACK_S) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
  return w.end ? { start, end: w.end } : { start };
}

/** {startMs, endMs} of window parameters (null ends when open, e.g. since=all). */
export function windowRange(params, nowMs = Date.now()) {
  const p = params || {};
  const parse = (text) => {
    if (typeof text !== "string" || !text) return null;
    if (text === "now") return nowMs;
    const ms = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(text) || text.length <= 10 ? text : `${text}Z`);
    return Number.isNaN(ms) ? null : ms;
  };
  const endMs = parse(p.end) ?? nowMs;
  let startMs = parse(p.start);
  if (startMs === null && typeof p.since === "string" && p.since !== "all") {
    const span = seconds(p.since);
    startMs = span ? endMs - span * 1000 : null;
  }
  if (p.since === "all" && startMs === null) return { startMs: null, endMs: null };
  return { startMs, endMs };
}

/** Open the investigation runbook for ``value`` with the window it came from. */
export function openActivity(app, target, value, window) {
  app.prefill = { id: target.runbook, params: { [target.param]: value, ...windowParams(window) } };
  app.navigate(`#/runbooks/${seg(target.runbook)}`);
}

/** Open the timeline view for ``value`` with the window it came from. */
export function openTimeline(app, target, value, window) {
  app.timeline = { ...target, value, window: windowParams(window) };
  app.navigate("#/timeline");
}

/**
 * A cell renderer wrapper: for a pivotable column, the rendered value becomes a button that opens
 * a small menu (activity, timeline); the cell's text stays the value. ``window`` is the run's window.
 */
export function pivotCell(app, window) {
  window = pinnedWindow(window); // pinned when the result is shown, not when the pivot is clicked
  return (column, value, node) => {
    const target = pivotTarget(column);
    if (!target || typeof value !== "string" || !value) return node;
    const text = plainText(value);
    const menu = h("span", { class: "pivot-menu", hidden: true });
    const close = () => {
      menu.hidden = true;
      menu.replaceChildren();
      button.setAttribute("aria-expanded", "false");
    };
    const button = h(
      "button",
      {
        type: "button",
        class: "pivot",
        "aria-haspopup": "true",
        "aria-expanded": "false",
        title: `Pivot on this ${target.kind}`,
        onclick: () => {
          if (!menu.hidden) return close();
          menu.replaceChildren(
            h("button", { type: "button", class: "pivot-action", onclick: () => openActivity(app, target, text, window) }, `Everything this ${target.kind} did`),
            h("button", { type: "button", class: "pivot-action", onclick: () => openTimeline(app, target, text, window) }, "Timeline"),
          );
          menu.hidden = false;
          button.setAttribute("aria-expanded", "true");
          menu.querySelector("button").focus();
        },
        onkeydown: (event) => {
          if (event.key === "Escape") close();
        },
      },
      node,
    );
    menu.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        close();
        button.focus();
      }
    });
    return h("span", { class: "pivot-wrap" }, button, menu);
  };
}
