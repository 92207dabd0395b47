// The per-actor timeline: every event of one principal or IP address in the window it was pivoted
// from (principal-activity / ip-activity, run as the signed-in role, so masked): events over time
// by service, errors over time, services touched, regions, then the events themselves.

import { seg } from "../api.js";
import { chartOf } from "../chart.js";
import { h, replace } from "../dom.js";
import { errorBox, infoBox, loading } from "../notice.js";
import { openActivity, pivotCell, windowRange } from "../pivot.js";
import { renderResult } from "../table.js";

function windowText(window) {
  if (window.start || window.end) return `${window.start || "…"} to ${window.end || "now"} (UTC)`;
  return window.since === "all" ? "all data" : `last ${window.since || "default window"}`;
}

export async function timelineView(app, main) {
  const target = app.timeline;
  if (!target) {
    replace(
      main,
      h("h1", { tabindex: "-1" }, "Timeline"),
      infoBox("Nothing to show yet", "Open a timeline from a principal or an IP address in any result or dashboard panel: click the value, then 'Timeline'."),
    );
    return;
  }
  const heading = h("h1", { tabindex: "-1" }, `Timeline of ${target.kind} `, h("code", { class: "timeline-value" }, target.value));
  replace(main, heading, loading());
  let result;
  try {
    result = await app.api.post(`/api/runbooks/${seg(target.runbook)}/run`, { params: { [target.param]: target.value, ...target.window } });
  } catch (error) {
    replace(main, heading, errorBox(error));
    return;
  }
  const range = windowRange(target.window);
  const rows = result.rows || [];
  const errors = { ...result, rows: rows.filter((r) => r.errorCode) };
  const charts = [
    chartOf(result, { type: "timeseries", time: "eventTime", series: "eventSource" }, { title: "Events over time by service", window: range }),
    chartOf(errors, { type: "timeseries", time: "eventTime", series: "errorCode" }, { title: "Errors over time", window: range }),
    chartOf(result, { type: "bar", category: "eventSource" }, { title: "Services touched" }),
    chartOf(result, { type: "bar", category: "awsRegion" }, { title: "Regions" }),
  ];
  replace(
    main,
    heading,
    h(
      "p",
      { class: "help" },
      `${rows.length.toLocaleString()} events · ${windowText(target.window)} · from ${target.runbook} · `,
      h("a", { href: `#/runbooks/${seg(target.runbook)}`, onclick: (event) => { event.preventDefault(); openActivity(app, target, target.value, target.window); } }, `open in ${target.runbook}`),
    ),
    h("div", { class: "panels" }, charts.map((chart) => h("section", { class: "panel panel-medium" }, chart || h("p", { class: "empty" }, "No events.")))),
    renderResult(result, { name: `timeline-${target.kind}`, caption: `Events of this ${target.kind}`, cellWrap: pivotCell(app, target.window), ...app.downloadOptions() }),
  );
}
