// The parts of CodeMirror 6 the SQL editor uses (static/sqleditor.js), bundled by
// scripts/vendor-codemirror.mjs (`npm run vendor`) into static/vendor/codemirror/codemirror.js, one
// ES module with no imports. This file is also copied beside it as codemirror.d.ts, so tsc reads
// the packages' own types (from node_modules) for what the bundle exports.
export { EditorState, Compartment, Prec } from "@codemirror/state";
export { EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter, drawSelection, placeholder } from "@codemirror/view";
export { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
export { syntaxHighlighting, HighlightStyle, bracketMatching, indentOnInput } from "@codemirror/language";
export { autocompletion, completionKeymap, closeBrackets, closeBracketsKeymap, startCompletion, acceptCompletion } from "@codemirror/autocomplete";
export { sql, PostgreSQL, keywordCompletionSource } from "@codemirror/lang-sql";
export { tags } from "@lezer/highlight";
