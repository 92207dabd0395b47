// The HTTP API client. The bearer token lives in sessionStorage (gone when the tab closes) and is
// only ever sent in the Authorization header: never in a URL, a cookie or localStorage.

const TOKEN_KEY = "trailmask.token";

export const tokenStore = {
  get() {
    return sessionStorage.getItem(TOKEN_KEY);
  },
  set(token) {
    sessionStorage.setItem(TOKEN_KEY, token);
  },
  clear() {
    sessionStorage.removeItem(TOKEN_KEY);
  },
};

/** An API failure in the server's one error shape: {error: kind, message, hint?}. */
export class ApiError extends Error {
  constructor(status, body) {
    super(body.message);
    this.status = status;
    this.kind = body.error;
    this.hint = body.hint || null;
    this.body = body;
  }
}

const FALLBACK_MESSAGES = {
  401: "You are not signed in, or your token is no longer valid.",
  403: "Your role is not allowed to do this.",
  404: "Not found.",
  413: "The request is too large.",
  429: "Too many requests: wait a moment and try again.",
  503: "The server is unavailable.",
};

/** Turn any error body (ours, or a framework's {detail}) into {error, message, hint?}. */
export function normalizeError(status, data) {
  if (data && typeof data === "object" && typeof data.message === "string") {
    return { ...data, error: data.error || `http_${status}` };
  }
  const detail = data && typeof data === "object" ? data.detail : null;
  if (typeof detail === "string") return { error: `http_${status}`, message: detail };
  if (Array.isArray(detail)) {
    const parts = detail.map((d) => `${(d.loc || []).filter((x) => x !== "body").join(".")}: ${d.msg}`);
    return { error: "usage", message: parts.join("; "), loc: detail[0] && detail[0].loc };
  }
  const message = FALLBACK_MESSAGES[status] || `The server answered HTTP ${status}.`;
  return { error: `http_${status}`, message };
}

/** Calls the API with one token; ``onUnauthenticated`` runs when the server rejects the token. */
export class Api {
  constructor(token, onUnauthenticated) {
    this.token = token;
    this.onUnauthenticated = onUnauthenticated || null;
  }

  /**
   * @param {string} path
   * @param {{method?: string, body?: unknown, headers?: Record<string, string>, asText?: boolean}} [options]
   *   ``asText``: answer the body as text (a Markdown export) instead of parsed JSON
   */
  async request(path, { method = "GET", body, headers: extra = {}, asText = false } = {}) {
    /** @type {Record<string, string>} */
    const headers = { ...extra, Accept: "application/json", Authorization: `Bearer ${this.token}` };
    /** @type {RequestInit} */
    const init = { method, headers, cache: "no-store", credentials: "omit", referrerPolicy: "no-referrer" };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(path, init);
    } catch {
      throw new ApiError(0, {
        error: "network",
        message: "Could not reach the trailmask server.",
        hint: "check that `trailmask serve` is running and reload the page",
      });
    }
    const text = await response.text();
    const data = parseJson(text);
    if (!response.ok) {
      const error = new ApiError(response.status, normalizeError(response.status, data));
      if (response.status === 401 && this.onUnauthenticated) this.onUnauthenticated(error);
      throw error;
    }
    return asText ? text : data;
  }

  get(path) {
    return this.request(path);
  }

  post(path, body) {
    return this.request(path, { method: "POST", body });
  }

  /** GET a text body (e.g. a case's Markdown export). */
  text(path) {
    return this.request(path, { asText: true });
  }
}

function parseJson(text) {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** Path segment for an id chosen by someone else (runbook ids, approval ids). */
export function seg(value) {
  return encodeURIComponent(String(value));
}
