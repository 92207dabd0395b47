// Dashboards: a layout of runbook panels (docs/web.md). Each panel runs through
// POST /api/runbooks/{id}/run as the signed-in user, so it is masked, rate-limited and audited like
// any run; at most MAX_PARALLEL panels run at once. One time picker and one auto-refresh drive
// every panel; a panel whose runbook the role may not run says so and runs nothing.

import { seg } from "../api.js";
import { chartOf } from "../chart.js";
import { h, replace } from "../dom.js";
import { errorBox, loading } from "../notice.js";
import { pivotCell, windowRange } from "../pivot.js";
import { renderResult } from "../table.js";

export const MAX_PARALLEL = 3;
const WINDOWS = ["1h", "24h", "7d", "30d", "90d", "365d", "all"];
const REFRESH = { off: 0, "1m": 60_000, "5m": 300_000, "15m": 900_000, "1h": 3_600_000 };

/**
 * A concurrency cap shared by every run of one dashboard view: ``run(job)`` starts ``job`` (a
 * function returning a promise) when fewer than ``limit`` are in flight; a job whose ``stale()``
 * is true by then is dropped (a newer time window replaced it). ``peak`` is the most seen at once.
 */
export function limiter(limit) {
  const queue = [];
  const state = { active: 0, peak: 0 };
  const pump = () => {
    while (state.active < limit && queue.length) {
      const { job, stale, done } = queue.shift();
      if (stale()) {
        done();
        continue;
      }
      state.active += 1;
      state.peak = Math.max(state.peak, state.active);
      Promise.resolve()
        .then(job)
        .catch(() => null)
        .finally(() => {
          state.active -= 1;
          done();
          pump();
        });
    }
  };
  return {
    state,
    run(job, stale = () => false) {
      return new Promise((resolve) => {
        queue.push({ job, stale, done: resolve });
        pump();
      });
    },
  };
}

function listItem(d) {
  return h(
    "li",
    { class: "card", "data-dashboard": d.id },
    h("h2", { class: "card-title" }, h("a", { href: `#/dashboards/${seg(d.id)}` }, d.title)),
    h("p", { class: "card-id" }, h("code", null, d.id), ` · ${d.panel_count} panels · default window ${d.window}`, d.origin !== "builtin" ? " · team" : null),
    d.description ? h("p", { class: "help" }, d.description) : null,
  );
}

export async function dashboardsView(app, main) {
  replace(main, h("h1", { tabindex: "-1" }, "Dashboards"), loading());
  try {
    const data = await app.api.get("/api/dashboards");
    replace(main, h("h1", { tabindex: "-1" }, "Dashboards"), h("ul", { class: "cards" }, (data.dashboards || []).map(listItem)));
  } catch (error) {
    replace(main, h("h1", { tabindex: "-1" }, "Dashboards"), errorBox(error));
  }
}

function panelBody(app, panel, result, window) {
  const chart = chartOf(result, panel.chart, { title: panel.title, window: windowRange(window), height: panel.size === "small" ? 120 : 200 });
  const rows = result.row_count ?? (result.rows || []).length;
  const table = renderResult(result, { name: panel.runbook, caption: `${panel.title} (rows)`, cellWrap: pivotCell(app, window), ...app.downloadOptions() });
  return [
    chart,
    h(
      "details",
      { class: "panel-rows" },
      h("summary", null, `${rows.toLocaleString()} ${rows === 1 ? "row" : "rows"}${result.truncated ? " (truncated)" : ""} · audit ${result.audit_id || "–"}`),
      table,
    ),
  ];
}

function panelCard(panel) {
  const body = h("div", { class: "panel-body", "aria-live": "polite", "aria-busy": "false" });
  const card = h(
    "section",
    { class: `panel panel-${panel.size}`, "data-panel": panel.id, "aria-labelledby": `panel-${panel.id}` },
    h(
      "header",
      { class: "panel-head" },
      h("h2", { id: `panel-${panel.id}` }, panel.title),
      h("a", { href: `#/runbooks/${seg(panel.runbook)}`, class: "panel-link", title: panel.runbook_title || panel.runbook }, panel.runbook),
    ),
    body,
  );
  return { card, body };
}

async function runPanel(app, panel, body, window, isCurrent) {
  if (!panel.allowed) {
    replace(body, h("p", { class: "alert alert-warn panel-denied" }, `Your role '${app.me.role}' may not run ${panel.runbook} (it needs '${panel.missing || `runbook:${panel.runbook}`}').`));
    return;
  }
  body.setAttribute("aria-busy", "true");
  replace(body, h("p", { class: "muted" }, "Running…"));
  try {
    const result = await app.api.post(`/api/runbooks/${seg(panel.runbook)}/run`, { params: { ...panel.params, ...window } });
    if (isCurrent()) replace(body, panelBody(app, panel, result, window));
  } catch (error) {
    if (isCurrent()) replace(body, errorBox(error));
  } finally {
    body.setAttribute("aria-busy", "false");
  }
}

const CHECK_NAMES = { "masking-canary": "masking canary", "policy-drift": "policy drift", "health-delivery-gaps": "delivery gaps" };

/** The health watches' last runs (GET /api/status "health"): times, outcomes and counts only. */
export function healthList(health) {
  if (!Array.isArray(health) || !health.length) return h("p", { class: "muted" }, "No health watches.");
  return h(
    "ul",
    { class: "health-list" },
    health.map((item) => {
      const name = CHECK_NAMES[item.check] || item.check;
      const ran = item.last_run ? `last run ${item.last_run.slice(0, 16).replace("T", " ")} UTC: ${item.outcome}` : "not run yet";
      const alerts = `${item.open_alerts} open alert${item.open_alerts === 1 ? "" : "s"}`;
      const state = !item.last_run ? "unknown" : item.outcome === "ok" && !item.open_alerts ? "ok" : "attention";
      return h("li", { class: `health-${state}`, "data-watch": item.watch }, h("strong", null, `${name}`), ` (${item.watch}) · ${ran} · ${alerts}`);
    }),
  );
}

export async function dashboardView(app, main, id) {
  replace(main, loading());
  let dashboard;
  try {
    dashboard = await app.api.get(`/api/dashboards/${seg(id)}`);
  } catch (error) {
    replace(main, h("h1", { tabindex: "-1" }, `Dashboard ${id}`), errorBox(error), h("p", null, h("a", { href: "#/dashboards" }, "Back to dashboards")));
    return;
  }
  const chosen = app.dashboardWindow || dashboard.window;
  const picker = h("select", { id: "dash-window" }, WINDOWS.concat(WINDOWS.includes(chosen) ? [] : [chosen]).map((w) => h("option", { value: w, selected: w === chosen }, w === "all" ? "all data" : `last ${w}`)));
  const refresh = h("select", { id: "dash-refresh" }, Object.keys(REFRESH).map((r) => h("option", { value: r, selected: r === (app.dashboardRefresh || dashboard.refresh) }, r)));
  const status = h("p", { class: "status", role: "status", "aria-live": "polite" });
  const again = h("button", { type: "button" }, "Refresh now");
  const cards = dashboard.panels.map((panel) => ({ panel, ...panelCard(panel) }));
  const health = dashboard.health_checks ? h("section", { class: "health-checks", "aria-labelledby": "health-title" }, h("h2", { id: "health-title" }, "Health checks"), healthList(app.status && app.status.health)) : null;
  const refreshHealth = async () => {
    if (!health) return;
    try {
      app.status = await app.api.get("/api/status");
      health.replaceChildren(health.firstChild, healthList(app.status.health));
    } catch (error) {
      health.replaceChildren(health.firstChild, errorBox(error));
    }
  };
  let generation = 0;
  let timer = null;
  const cap = limiter(MAX_PARALLEL);
  const runAll = async () => {
    const mine = ++generation;
    const window = { since: picker.value };
    status.textContent = `Running ${cards.length} panels (at most ${MAX_PARALLEL} at a time)…`;
    const started = performance.now();
    const current = () => mine === generation && main.isConnected;
    refreshHealth();
    await Promise.all(cards.map(({ panel, body }) => cap.run(() => runPanel(app, panel, body, window, current), () => !current())));
    if (mine === generation) status.textContent = `Updated ${new Date().toISOString().slice(11, 19)} UTC in ${Math.round(performance.now() - started).toLocaleString()} ms · window: ${picker.value === "all" ? "all data" : `last ${picker.value}`}`;
  };
  const schedule = () => {
    if (timer) clearInterval(timer);
    const every = REFRESH[refresh.value] || 0;
    timer = every ? setInterval(() => (main.isConnected ? runAll() : clearInterval(timer)), every) : null;
  };
  picker.addEventListener("change", () => {
    app.dashboardWindow = picker.value;
    runAll();
  });
  refresh.addEventListener("change", () => {
    app.dashboardRefresh = refresh.value;
    schedule();
  });
  again.addEventListener("click", runAll);
  replace(
    main,
    h("p", { class: "crumbs" }, h("a", { href: "#/dashboards" }, "Dashboards"), " / ", dashboard.id),
    h("h1", { tabindex: "-1" }, dashboard.title),
    dashboard.description ? h("p", { class: "help" }, dashboard.description) : null,
    h(
      "div",
      { class: "dash-controls", role: "group", "aria-label": "Dashboard time window and refresh" },
      h("label", { for: "dash-window" }, "Time window "),
      picker,
      h("label", { for: "dash-refresh" }, "Auto-refresh "),
      refresh,
      again,
      status,
    ),
    health,
    h("div", { class: "panels" }, cards.map((c) => c.card)),
  );
  schedule();
  runAll(); // not awaited: the heading takes the focus while the panels run
}
