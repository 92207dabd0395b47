// The interactive API docs at /docs: Swagger UI (vendored from npm, see package.json "postvendor")
// over this server's /openapi.json. Kept out of any inline script so the server's one
// Content-Security-Policy (script-src 'self') holds here too. No request leaves the server: the
// spec validator badge (which would call an outside service) is off, and the token typed into
// "Authorize" stays in this page's memory (persistAuthorization off: no localStorage).
/* global SwaggerUIBundle */
window.addEventListener("DOMContentLoaded", () => {
  SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: false,
    validatorUrl: null,
    persistAuthorization: false,
    tryItOutEnabled: false,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
});
