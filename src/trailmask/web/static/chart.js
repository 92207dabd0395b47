// Charts of result rows with the vendored uPlot (vendor/uplot, MIT; docs/web.md says why). Every
// chart comes with its text alternative: a table of exactly the numbers and names it draws, and
// the canvas is an image whose label summarises it. Names are the masked values the role sees.

import uPlot from "./vendor/uplot/uPlot.esm.js";
import { h } from "./dom.js";
import { bars, bucketText, defaultSpec, formatUtc, timeSeries, total } from "./chartdata.js";

const LIGHT = ["#0a58a8", "#b8410b", "#2e7d32", "#8e24aa", "#8a5a00", "#00737d", "#5b6472"];
const DARK = ["#6cb0f5", "#ff9e6b", "#7bd17f", "#d58cf0", "#e0a33a", "#4fd4e0", "#a5adb8"];

function dark() {
  return typeof matchMedia === "function" && matchMedia("(prefers-color-scheme: dark)").matches;
}

function ink() {
  const style = getComputedStyle(document.documentElement);
  return { text: style.getPropertyValue("--text").trim() || "#1b1f24", grid: style.getPropertyValue("--border").trim() || "#d5d9df" };
}

function axis(label, colours, extra = {}) {
  return { label, stroke: colours.text, grid: { stroke: colours.grid, width: 1 }, ticks: { stroke: colours.grid }, labelSize: 18, ...extra };
}

function dataTable(caption, head, body) {
  return h(
    "table",
    { class: "chart-data" },
    h("caption", null, caption),
    h("thead", null, h("tr", null, head.map((c) => h("th", { scope: "col" }, c)))),
    h("tbody", null, body.map((cells) => h("tr", null, cells.map((c, i) => (i ? h("td", null, String(c)) : h("th", { scope: "row" }, String(c))))))),
  );
}

/** Keep the plot as wide as its box (charts live in panels and result areas of any width). */
function mount(box, opts, data) {
  const width = () => Math.max(240, Math.floor(box.clientWidth || opts.width));
  const plot = new uPlot({ ...opts, width: width() }, data, box);
  if (typeof ResizeObserver === "function") {
    const observer = new ResizeObserver(() => {
      if (!box.isConnected) return observer.disconnect();
      if (Math.abs(plot.width - width()) > 4) plot.setSize({ width: width(), height: opts.height });
    });
    observer.observe(box);
  }
  return plot;
}

function figure(title, summary, table) {
  const box = h("div", { class: "chart-canvas", role: "img", "aria-label": `${title}: ${summary}` });
  const details = h("details", { class: "chart-table" }, h("summary", null, "Chart data as a table"), table);
  return { box, node: h("figure", { class: "chart" }, h("figcaption", null, title), box, details) };
}

function seriesChart(rows, spec, title, window, height) {
  const data = timeSeries(rows, spec, window);
  if (!data.xs.length) return h("p", { class: "empty chart-empty" }, `${title}: no ${spec.time} values to chart.`);
  const palette = dark() ? DARK : LIGHT;
  const colours = ink();
  const what = spec.value ? `sum of ${spec.value}` : "events";
  const summary = `${what} per ${bucketText(data.bucketS)} from ${formatUtc(data.xs[0] * 1000)}, ${data.names.length} series: ${data.names.join(", ")}`;
  const table = dataTable(
    `${title}: ${what} per ${bucketText(data.bucketS)} (UTC)`,
    [`${spec.time} (UTC, bucket start)`, ...data.names],
    data.xs.map((x, i) => [formatUtc(x * 1000), ...data.ys.map((y) => y[i])]).filter((cells) => cells.slice(1).some((n) => n)),
  );
  const { box, node } = figure(title, summary, table);
  const opts = {
    width: 600,
    height,
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), "Etc/UTC"),
    scales: { x: { time: true } },
    legend: { live: false },
    axes: [axis(`${spec.time} (UTC)`, colours), axis(what, colours)],
    series: [
      { label: "time (UTC)", value: (_u, v) => (v === null ? "" : formatUtc(v * 1000)) },
      ...data.names.map((name, i) => ({ label: name, stroke: palette[i % palette.length], width: 2, fill: null, points: { show: data.xs.length < 40 } })),
    ],
  };
  mount(box, opts, [data.xs, ...data.ys]);
  node.dataset.chart = "timeseries";
  return node;
}

function barChart(rows, spec, title, height) {
  const data = bars(rows, spec);
  if (!data.labels.length) return h("p", { class: "empty chart-empty" }, `${title}: nothing to chart.`);
  const palette = dark() ? DARK : LIGHT;
  const colours = ink();
  const what = spec.value || "rows";
  const short = (label) => (label.length > 16 ? `${label.slice(0, 15)}…` : label);
  const summary = data.labels.map((l, i) => `${l}: ${data.values[i]}`).join(", ");
  const table = dataTable(`${title}: ${what} by ${spec.category}`, [spec.category, what], data.labels.map((l, i) => [l, data.values[i]]));
  const { box, node } = figure(title, summary, table);
  const xs = data.labels.map((_, i) => i);
  const opts = {
    width: 600,
    height,
    scales: { x: { time: false, range: [-0.6, data.labels.length - 0.4] }, y: { range: (_u, _lo, hi) => [0, Math.max(1, hi * 1.1)] } },
    legend: { show: false },
    axes: [
      axis(spec.category, colours, { splits: () => xs, values: (_u, splits) => splits.map((i) => short(data.labels[i] || "")), rotate: data.labels.length > 6 ? -30 : 0, size: data.labels.length > 6 ? 70 : 40 }),
      axis(what, colours),
    ],
    series: [{ label: spec.category }, { label: what, stroke: palette[0], fill: palette[0], paths: uPlot.paths.bars({ size: [0.6, 60] }), points: { show: false } }],
  };
  mount(box, opts, [xs, data.values]);
  node.dataset.chart = "bar";
  return node;
}

function numberChart(rows, spec, title) {
  const value = total(rows, spec);
  const what = spec.value ? `sum of ${spec.value}` : rows.length === 1 ? "row" : "rows";
  return h(
    "figure",
    { class: "chart chart-number", "data-chart": "number" },
    h("figcaption", null, title),
    h("p", { class: "big-number", "aria-label": `${title}: ${value} ${what}` }, value.toLocaleString(), h("span", { class: "big-number-unit" }, ` ${what}`)),
  );
}

/**
 * A chart of ``result`` rows: ``spec`` is {type: timeseries|bar|number|table, time, series,
 * category, value} (missing: the default for its columns); ``window`` ({startMs, endMs}) spans the
 * time axis. A "table" spec draws nothing (the result table is the visualisation).
 */
export function chartOf(result, spec = null, { title = "Chart", window = null, height = 220 } = {}) {
  const rows = Array.isArray(result.rows) ? result.rows : [];
  const columns = Array.isArray(result.columns) ? result.columns : Object.keys(rows[0] || {});
  const chosen = spec && spec.type ? spec : { ...defaultSpec(columns, rows), ...(spec || {}) };
  if (chosen.type === "table") return null;
  if (chosen.type === "number") return numberChart(rows, chosen, title);
  if (chosen.type === "bar" && chosen.category) return barChart(rows, chosen, title, height);
  if (chosen.type === "timeseries" && chosen.time) return seriesChart(rows, chosen, title, window, height);
  return null;
}

function select(id, label, columns, value, allowNone) {
  const el = h(
    "select",
    { id },
    allowNone ? h("option", { value: "" }, "(none)") : null,
    columns.map((c) => h("option", { value: c, selected: c === value }, c)),
  );
  return { el, node: h("label", { class: "chart-pick", for: id }, label, " ", el) };
}

/** A chart with its controls: chart type and the columns it uses (runbook and SQL results alike). */
export function chartPicker(result, { title = "Chart", window = null, idPrefix = "chart", spec = null } = {}) {
  const rows = Array.isArray(result.rows) ? result.rows : [];
  const columns = Array.isArray(result.columns) ? result.columns : Object.keys(rows[0] || {});
  if (!rows.length || !columns.length) return null;
  const initial = { ...defaultSpec(columns, rows), ...(spec || {}) };
  const type = h(
    "select",
    { id: `${idPrefix}-type` },
    ["timeseries", "bar", "number"].map((t) => h("option", { value: t, selected: t === initial.type }, t)),
  );
  const time = select(`${idPrefix}-time`, "time", columns, initial.time, false);
  const series = select(`${idPrefix}-series`, "series / category", columns, initial.series || initial.category, true);
  const value = select(`${idPrefix}-value`, "value", columns, initial.value, true);
  const holder = h("div", { class: "chart-holder" });
  const draw = () => {
    const s = { type: type.value, time: time.el.value, series: series.el.value || null, category: series.el.value || null, value: value.el.value || null };
    holder.replaceChildren();
    const chart = chartOf(result, s, { title, window });
    if (chart) holder.appendChild(chart);
  };
  for (const el of [type, time.el, series.el, value.el]) el.addEventListener("change", draw);
  const controls = h("div", { class: "chart-controls", role: "group", "aria-label": `${title} options` }, h("label", { for: type.id }, "chart ", type), time.node, series.node, value.node);
  const section = h("section", { class: "chart-section", "aria-label": title }, controls, holder);
  queueMicrotask(draw);
  return section;
}
