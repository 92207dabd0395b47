// Chart data from result rows, computed in the browser from the rows the server sent (so from
// masked values only: a series is named by the pseudonym, the truncated IP or the redaction the
// role sees). No value is looked up anywhere else.

import { plainText } from "./values.js";

export const MAX_SERIES = 6; // more series than this are summed into "other"
export const MAX_BARS = 15;
const BUCKETS_S = [60, 300, 900, 3600, 3 * 3600, 6 * 3600, 86400, 7 * 86400, 30 * 86400];
const TIME_DEFAULTS = ["eventTime", "event_time", "first_seen", "last_seen", "ts", "time"];
const ZONED = /(?:[zZ]|[+-]\d\d:?\d\d)$/;

/** Milliseconds since the epoch of a result timestamp; a timestamp without a zone is UTC (the store's). */
export function parseTime(value) {
  if (typeof value !== "string" || !/^\d{4}-\d\d-\d\d/.test(value)) return null;
  const text = value.includes("T") ? value : value.replace(" ", "T");
  const ms = Date.parse(ZONED.test(text) ? text : `${text}Z`);
  return Number.isNaN(ms) ? null : ms;
}

/** "2024-01-02 03:04 UTC": every time shown by a chart carries its zone. */
export function formatUtc(ms, withSeconds = false) {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, withSeconds ? 19 : 16)} UTC`;
}

function isNumeric(rows, column) {
  const values = rows.map((r) => r[column]).filter((v) => v !== null && v !== undefined);
  return values.length > 0 && values.every((v) => typeof v === "number");
}

/**
 * The chart a result gets when nothing is declared: a time series over the first time column
 * (eventTime, first_seen, ...); else bars of the first text column by the first numeric one.
 */
export function defaultSpec(columns, rows) {
  const time = TIME_DEFAULTS.find((c) => columns.includes(c)) || columns.find((c) => rows.some((r) => parseTime(r[c]) !== null));
  const numeric = columns.find((c) => isNumeric(rows, c));
  if (time) return { type: "timeseries", time, series: null, value: null };
  const category = columns.find((c) => c !== numeric && rows.some((r) => typeof r[c] === "string"));
  if (category) return { type: "bar", category, value: numeric || null };
  return { type: "number", value: null };
}

function weight(row, value) {
  if (!value) return 1;
  const n = Number(row[value]);
  return Number.isFinite(n) ? n : 0;
}

function topKeys(totals, limit) {
  return [...totals.entries()].sort((a, b) => b[1] - a[1] || String(a[0]).localeCompare(String(b[0]))).slice(0, limit).map(([k]) => k);
}

/**
 * Counts (or sums of ``value``) per time bucket and series: {xs (seconds), names, ys, bucketS, skipped}.
 * ``window`` ({startMs, endMs}) widens the axis to the whole time window the rows came from.
 */
export function timeSeries(rows, { time, series = null, value = null }, window = null) {
  const points = [];
  let skipped = 0;
  for (const row of rows) {
    const ms = parseTime(row[time]);
    if (ms === null) skipped += 1;
    else points.push({ ms, key: series ? plainText(row[series]) || "(empty)" : "events", w: weight(row, value) });
  }
  const times = points.map((p) => p.ms);
  let lo = times.length ? Math.min(...times) : null;
  let hi = times.length ? Math.max(...times) : null;
  if (window && window.startMs !== null && window.endMs !== null && window.endMs > window.startMs) {
    lo = lo === null ? window.startMs : Math.min(lo, window.startMs);
    hi = hi === null ? window.endMs : Math.max(hi, window.endMs);
  }
  if (lo === null) return { xs: [], names: [], ys: [], bucketS: 0, skipped };
  const spanS = Math.max(1, (hi - lo) / 1000);
  const bucketS = BUCKETS_S.find((b) => spanS / b <= 60) || BUCKETS_S[BUCKETS_S.length - 1];
  const first = Math.floor(lo / 1000 / bucketS) * bucketS;
  const count = Math.min(500, Math.floor((hi / 1000 - first) / bucketS) + 1);
  const xs = Array.from({ length: count }, (_, i) => first + i * bucketS);
  const totals = new Map();
  for (const p of points) totals.set(p.key, (totals.get(p.key) || 0) + p.w);
  const names = topKeys(totals, MAX_SERIES);
  const other = totals.size > names.length;
  if (other) names.push("other");
  const ys = names.map(() => new Array(count).fill(0));
  for (const p of points) {
    const index = Math.min(count - 1, Math.floor((p.ms / 1000 - first) / bucketS));
    const s = names.indexOf(p.key);
    ys[s >= 0 ? s : names.length - 1][index] += p.w;
  }
  return { xs, names, ys, bucketS, skipped };
}

/** The largest categories: {labels, values} (counts of rows, or sums of ``value``). */
export function bars(rows, { category, value = null }) {
  const totals = new Map();
  for (const row of rows) {
    const key = plainText(row[category]) || "(empty)";
    totals.set(key, (totals.get(key) || 0) + weight(row, value));
  }
  const labels = topKeys(totals, MAX_BARS);
  return { labels, values: labels.map((k) => totals.get(k)) };
}

/** One number: the row count, or the sum of ``value``. */
export function total(rows, { value = null }) {
  return rows.reduce((sum, row) => sum + weight(row, value), 0);
}

/** "1 h", "5 min", "1 d": a bucket's width for the axis label. */
export function bucketText(seconds) {
  if (seconds % 86400 === 0) return `${seconds / 86400} d`;
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  return `${seconds / 60} min`;
}
