// trailmask web UI: sign-in, hash router and header. Views live in views/*.js; every request goes
// to the HTTP API with the user's token, and the server decides what the role may see and do.

import { Api, tokenStore } from "./api.js";
import { h, replace } from "./dom.js";
import { approvalsView } from "./views/approvals.js";
import { auditView } from "./views/audit.js";
import { caseView, casesView } from "./views/cases.js";
import { dashboardView, dashboardsView } from "./views/dashboards.js";
import { runbookView } from "./views/runbook.js";
import { runbooksView } from "./views/runbooks.js";
import { signInView } from "./views/signin.js";
import { sqlView } from "./views/sql.js";
import { timelineView } from "./views/timeline.js";

const main = document.getElementById("main");
const nav = document.getElementById("nav");
const who = document.getElementById("who");

// Pages of the header; ``permission`` names the feature whose denial greys the link out.
const PAGES = [
  { hash: "#/dashboards", label: "Dashboards" },
  { hash: "#/runbooks", label: "Runbooks" },
  { hash: "#/timeline", label: "Timeline" },
  { hash: "#/sql", label: "SQL", permission: "sql" },
  { hash: "#/cases", label: "Cases" },
  { hash: "#/audit", label: "Audit", permission: "audit" },
  { hash: "#/approvals", label: "Approvals", shown: () => app.allows("approve") !== false || app.allows("unmask:request") !== false },
];

// Capability a UI feature needs; /api/whoami says, per capability, what the server's RBAC decides.
const FEATURE_PERMISSION = { sql: "sql", audit: "audit:read" };

/** Shared state handed to every view. */
const app = {
  api: null,
  me: null,
  denied: {}, // feature -> reason shown to the user
  search: "",
  sqlText: null,
  prefill: null, // {id, params} for the next runbook form (kept in memory, never in the URL)
  timeline: null, // {kind, runbook, param, value, window} of the timeline view (memory only)
  openCases: null, // the signed-in user's open cases, for "Pin to case" (reloaded after a change)
  pinCase: null, // id of the case results are pinned to (memory only)
  navigate(hash) {
    if (location.hash === hash) route();
    else location.hash = hash;
  },
  /** Does the server grant the signed-in role ``capability``? null when whoami did not say. */
  allows(capability) {
    const caps = app.me && app.me.capabilities;
    return caps && typeof caps[capability] === "boolean" ? caps[capability] : null;
  },
  /** Options for renderResult: downloads only for roles with the 'export' permission. */
  downloadOptions() {
    const ok = app.allows("export") !== false;
    return { download: ok, downloadNote: ok ? null : `Downloads need the 'export' permission, which role '${app.me.role}' lacks.` };
  },
  /** Read GET /api/status again (data span, last ingest) and redraw the header; never throws. */
  async refreshStatus() {
    const status = app.api ? await app.api.get("/api/status").catch(() => null) : null;
    if (status) {
      app.status = status;
      renderHeader();
    }
    return app.status;
  },
  deny(feature, reason) {
    app.denied[feature] = reason;
    renderHeader();
  },
};

function applyPermissions(me) {
  for (const [feature, permission] of Object.entries(FEATURE_PERMISSION)) {
    if (app.allows(permission) === false) {
      app.denied[feature] = `Your role '${me.role}' lacks the '${permission}' permission.`;
    }
  }
}

function renderHeader() {
  if (!app.me) {
    replace(nav);
    replace(who);
    return;
  }
  const current = location.hash.split("/").slice(0, 2).join("/") || "#/runbooks";
  replace(
    nav,
    h(
      "ul",
      null,
      PAGES.filter((page) => !page.shown || page.shown()).map((page) => {
        const reason = page.permission && app.denied[page.permission];
        return h(
          "li",
          null,
          h(
            "a",
            { href: page.hash, "aria-current": current === page.hash ? "page" : null, class: reason ? "denied" : null, title: reason || null },
            page.label,
            reason ? h("span", { class: "visually-hidden" }, " (not available to your role)") : null,
          ),
        );
      }),
    ),
  );
  const st = app.status;
  const day = (iso) => (iso ? iso.slice(0, 10) : "–");
  const span = st && st.first_event
    ? h(
        "span",
        { class: "data-span", title: `data from ${st.first_event} to ${st.last_event} (UTC), ${st.events} events; last ingest ${st.last_ingest || "never"} (UTC)` },
        `data ${day(st.first_event)} → ${day(st.last_event)} UTC · ingested ${st.last_ingest ? `${st.last_ingest.slice(0, 16).replace("T", " ")} UTC` : "never"}`,
      )
    : null;
  replace(
    who,
    span,
    h("span", { class: "who-name", title: app.me.via ? `signed in via ${app.me.via}` : null }, app.me.name),
    h("span", { class: "role", "data-role": app.me.role }, app.me.role),
    h("button", { type: "button", class: "link", onclick: signOutClicked }, "Sign out"),
  );
}

// Route table: "#/<page>" and "#/<page>/<rest>" (key "<page>/*"); anything else is the catalogue.
const ROUTES = {
  dashboards: (view) => dashboardsView(app, view),
  "dashboards/*": (view, rest) => dashboardView(app, view, rest),
  timeline: (view) => timelineView(app, view),
  runbooks: (view) => runbooksView(app, view),
  "runbooks/*": (view, rest) => runbookView(app, view, rest),
  sql: (view) => sqlView(app, view),
  audit: (view) => auditView(app, view),
  approvals: (view) => approvalsView(app, view),
  cases: (view) => casesView(app, view),
  "cases/*": (view, rest) => caseView(app, view, rest),
};

function safeDecode(text) {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

async function route() {
  if (!app.me) return;
  const hash = location.hash || "#/runbooks";
  if (!hash.startsWith("#/")) return; // in-page anchors such as the skip link
  renderHeader();
  // Each visit renders into its own container, so a slow earlier view cannot overwrite a newer one.
  const view = h("div", { class: "view" });
  replace(main, view);
  const [, page, ...rest] = hash.split("/");
  const render = (rest.length && ROUTES[`${page}/*`]) || ROUTES[page] || ROUTES.runbooks;
  await render(view, safeDecode(rest.join("/")));
  const heading = view.isConnected ? view.querySelector("h1") : null;
  if (heading) heading.focus({ preventScroll: true });
}

async function signIn(token) {
  const api = new Api(token);
  const me = await api.get("/api/whoami");
  // Later 401s (token disabled or rotated) sign out; deferred so the failing view settles first.
  api.onUnauthenticated = (error) => setTimeout(() => signOut(error), 0);
  tokenStore.set(token);
  Object.assign(app, { api, me, denied: {}, search: "", sqlText: null, prefill: null, timeline: null, openCases: null, pinCase: null });
  applyPermissions(me);
  app.status = await api.get("/api/status").catch(() => null); // data span and last ingest for the header
  document.title = `trailmask · ${me.name}`;
  if (!location.hash.startsWith("#/")) history.replaceState(null, "", "#/runbooks"); // no extra hashchange
  await route();
}

function signOutClicked() {
  history.replaceState(null, "", location.pathname);
  signOut();
}

function signOut(reason) {
  tokenStore.clear();
  Object.assign(app, { api: null, me: null, denied: {} });
  document.title = "trailmask";
  renderHeader();
  signInView(main, { onToken: signIn, reason: reason instanceof Error ? reason : null });
}

async function start() {
  window.addEventListener("hashchange", route);
  const token = tokenStore.get();
  if (!token) return signOut();
  try {
    await signIn(token);
  } catch (error) {
    signOut(error);
  }
}

start();
