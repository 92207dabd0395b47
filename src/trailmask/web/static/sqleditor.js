// The SQL editor: CodeMirror 6, vendored as one ES module (vendor/codemirror, MIT; docs/web.md says
// why). SQL highlighting (token classes styled in style.css, light and dark), completion of SQL
// keywords and of the columns and struct fields of `events` from GET /api/sql/schema (names, types
// and the role's masking only, never a value), Ctrl/Cmd+Enter runs. Tab indents; Escape then Tab
// (or Ctrl+M to toggle) moves focus out, so the editor never traps the keyboard.

import {
  Compartment,
  EditorState,
  EditorView,
  HighlightStyle,
  PostgreSQL,
  Prec,
  autocompletion,
  bracketMatching,
  closeBrackets,
  closeBracketsKeymap,
  completionKeymap,
  defaultKeymap,
  drawSelection,
  highlightActiveLine,
  highlightActiveLineGutter,
  history,
  historyKeymap,
  indentOnInput,
  indentWithTab,
  keymap,
  keywordCompletionSource,
  lineNumbers,
  sql,
  syntaxHighlighting,
  tags,
} from "./vendor/codemirror/codemirror.js";

// Token classes, coloured by style.css from the page's light or dark scheme.
const HIGHLIGHT = HighlightStyle.define([
  { tag: tags.keyword, class: "tok-keyword" },
  { tag: [tags.string, tags.special(tags.string)], class: "tok-string" },
  { tag: [tags.number, tags.bool, tags.null], class: "tok-number" },
  { tag: [tags.lineComment, tags.blockComment], class: "tok-comment" },
  { tag: tags.typeName, class: "tok-type" },
  { tag: [tags.operator, tags.punctuation], class: "tok-operator" },
  { tag: tags.name, class: "tok-name" },
]);
const DIALECT = PostgreSQL; // closest to DuckDB's syntax among lang-sql's dialects ($1-style params, ::casts)
const keywords = keywordCompletionSource(DIALECT, true);
const PATH = /(?:[A-Za-z_]\w*(?:\[[^\]]*\])?\.)*\w*$/;

function maskingText(masking) {
  if (!masking || masking.mode === "none") return "shown as stored";
  const ops = (masking.operators || []).join(", ");
  if (masking.mode === "value") return `masked for your role (${ops})`;
  if (masking.mode === "parts") return `parts masked for your role (${ops})`;
  return "may be masked for your role";
}

function option(node, boost) {
  const masked = node.masking && node.masking.mode !== "none";
  return {
    label: node.name,
    type: node.fields ? "class" : "property",
    detail: masked ? `${node.type} · masked` : node.type,
    info: `${node.name}: ${node.type}${node.fields ? ` with ${node.fields.length} fields` : ""}; ${maskingText(node.masking)}`,
    boost,
  };
}

function lookup(nodes, name) {
  const bare = name.replace(/\[[^\]]*\]$/, "").toLowerCase();
  return (nodes || []).find((n) => n.name.toLowerCase() === bare);
}

/** Completion of columns (with `events`) and, after a dot, of a struct's fields, at any depth. */
export function schemaCompletions(getColumns) {
  return (context) => {
    const columns = getColumns();
    const match = context.matchBefore(PATH);
    if (!columns.length || !match) return null;
    const parts = match.text.split(".");
    const last = parts.pop();
    if (!parts.length && !last && !context.explicit) return null;
    let nodes = columns;
    for (const part of parts) {
      const node = lookup(nodes, part);
      if (!node || !node.fields) return null; // a table alias, a JSON column, a typo: nothing to offer
      nodes = node.fields;
    }
    const options = nodes.map((n) => option(n, parts.length ? 0 : 1));
    if (!parts.length) options.push({ label: "events", type: "keyword", detail: "table", info: "every event, masked for your role", boost: 2 });
    return { from: match.to - last.length, options, validFor: /^\w*$/ };
  };
}

function keywordsUnlessField(context) {
  const before = context.state.sliceDoc(Math.max(0, context.pos - 200), context.pos);
  return /\.\w*$/.test(before) ? null : keywords(context);
}

const ON = EditorView.editable.of(true);

// Text typed over a selection (or a selection deleted by an editing command) is changed by
// CodeMirror, not by the browser: Chromium would keep the replaced tokens' look (colour, weight)
// as an inline style attribute, which the CSP refuses (harmless, CodeMirror redraws the line, but
// each time a CSP violation). Composition (IME) input and typing at a caret are left to the
// browser and CodeMirror as usual.
const typeOverSelection = EditorView.domEventHandlers({
  beforeinput(event, view) {
    const typed = event.inputType === "insertText" && Boolean(event.data);
    const deleted = event.inputType.startsWith("delete");
    if (!(typed || deleted) || event.isComposing || view.composing) return false;
    if (view.state.selection.ranges.every((range) => range.empty)) return false;
    event.preventDefault();
    view.dispatch(view.state.replaceSelection(typed ? event.data : ""), { userEvent: typed ? "input.type" : "delete", scrollIntoView: true });
    return true;
  },
});

function darkScheme() {
  return typeof matchMedia === "function" && matchMedia("(prefers-color-scheme: dark)").matches;
}

/**
 * The editor lives in a shadow root: CodeMirror adds its styles to a document as a <style>
 * element, which the page's CSP (style-src 'self', no 'unsafe-inline') blocks, while in a shadow
 * root it adopts a constructed style sheet, which the CSP allows. Our own rules (sqleditor.css)
 * are a same-origin <link> in the same root; the page's colour variables inherit into it.
 */
function shadowHost() {
  const host = document.createElement("div");
  host.className = "sql-editor-host";
  const root = host.attachShadow({ mode: "open" });
  const link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = new URL("./sqleditor.css", import.meta.url).href;
  root.appendChild(link);
  return { host, root };
}

/**
 * An editor holding ``doc``, named ``label`` and described by ``description`` for assistive
 * technology (an id reference cannot cross into the shadow root); ``onRun()`` on Ctrl/Cmd+Enter,
 * ``onChange(text)`` on every edit. ``dom`` is the element to place in the page.
 */
export function sqlEditor({ doc = "", label, description, onRun, onChange }) {
  let columns = [];
  const editable = new Compartment();
  const scheme = new Compartment();
  const run = () => {
    onRun();
    return true;
  };
  const state = EditorState.create({
    doc,
    extensions: [
      Prec.highest(keymap.of([{ key: "Mod-Enter", run }])),
      lineNumbers(),
      highlightActiveLineGutter(),
      highlightActiveLine(),
      history(),
      drawSelection(),
      indentOnInput(),
      bracketMatching(),
      closeBrackets(),
      sql({ dialect: DIALECT, upperCaseKeywords: true }),
      syntaxHighlighting(HIGHLIGHT),
      autocompletion({ override: [schemaCompletions(() => columns), keywordsUnlessField], icons: false }),
      keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...historyKeymap, ...completionKeymap, indentWithTab]),
      typeOverSelection,
      EditorView.lineWrapping,
      EditorView.contentAttributes.of({ "aria-label": label, "aria-description": description, spellcheck: "false", autocapitalize: "off", autocorrect: "off" }),
      EditorView.updateListener.of((update) => {
        if (update.docChanged) onChange(update.state.doc.toString());
      }),
      EditorView.editorAttributes.of({ class: "sql-editor" }), // CodeMirror owns the element's class list
      editable.of(ON),
      scheme.of(EditorView.darkTheme.of(darkScheme())),
    ],
  });
  const { host, root } = shadowHost();
  const view = new EditorView({ state, root, parent: root });
  if (typeof matchMedia === "function") {
    matchMedia("(prefers-color-scheme: dark)").addEventListener("change", () => view.dispatch({ effects: scheme.reconfigure(EditorView.darkTheme.of(darkScheme())) }));
  }
  return {
    dom: host,
    view,
    value: () => view.state.doc.toString(),
    setValue(text) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
    },
    setColumns(found) {
      columns = Array.isArray(found) ? found : [];
      host.dataset.schema = "loaded";
    },
    setDisabled(disabled) {
      const off = [
        EditorView.editable.of(false),
        EditorState.readOnly.of(true),
        EditorView.editorAttributes.of({ class: "is-disabled" }),
        EditorView.contentAttributes.of({ "aria-disabled": "true" }),
      ];
      view.dispatch({ effects: editable.reconfigure(disabled ? off : ON) });
    },
    focus: () => view.focus(),
  };
}
