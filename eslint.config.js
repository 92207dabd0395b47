// ESLint for the web UI (plain ES modules in the browser, no build step). Run: npm run lint.
import js from "@eslint/js";
import globals from "globals";

const FILES = ["src/trailmask/web/static/**/*.js"];

export default [
  { ignores: ["src/trailmask/web/static/vendor/**"] }, // vendored from npm as published (package.json)
  { ...js.configs.recommended, files: FILES },
  {
    files: FILES,
    languageOptions: { ecmaVersion: 2023, sourceType: "module", globals: { ...globals.browser } },
    rules: {
      "no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      eqeqeq: ["error", "always"],
      "no-implicit-globals": "error",
      "no-eval": "error",
      "no-implied-eval": "error",
      "no-new-func": "error",
      "prefer-const": "error",
      "no-var": "error",
    },
  },
];
