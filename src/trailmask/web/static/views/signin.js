// Sign in with an API token. The token is checked against GET /api/whoami before it is kept.

import { h, replace } from "../dom.js";
import { errorBox } from "../notice.js";

/** ``onToken(token)`` resolves when signed in and throws an ApiError when the server refuses. */
export function signInView(main, { onToken, reason }) {
  const input = h("input", {
    id: "token",
    name: "token",
    type: "password",
    autocomplete: "off",
    spellcheck: "false",
    required: true,
    "aria-describedby": "token-help",
  });
  const button = h("button", { type: "submit", class: "primary" }, "Sign in");
  const errors = h("div", { class: "form-errors", id: "signin-errors" });
  if (reason) errors.appendChild(errorBox(reason, { title: "Signed out" }));
  const form = h(
    "form",
    { class: "signin", novalidate: true, "aria-labelledby": "signin-title" },
    h("h1", { id: "signin-title", tabindex: "-1" }, "Sign in"),
    h("label", { for: "token" }, "API token"),
    input,
    h(
      "p",
      { class: "help", id: "token-help" },
      "Ask an administrator for a token (",
      h("code", null, "trailmask user add NAME --role ROLE"),
      "). It stays in this browser tab only and is sent only in the Authorization header.",
    ),
    h("div", { class: "actions" }, button),
    errors,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const token = input.value.trim();
    replace(errors);
    if (!token) {
      errors.appendChild(errorBox({ kind: "usage", message: "Paste your API token first." }));
      input.focus();
      return;
    }
    button.disabled = true;
    try {
      await onToken(token);
    } catch (error) {
      replace(errors, errorBox(error, { title: "Sign-in failed" }));
      input.setAttribute("aria-invalid", "true");
      input.select();
      input.focus();
    } finally {
      button.disabled = false;
    }
  });
  replace(main, form);
  input.focus();
}
