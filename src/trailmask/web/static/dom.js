// Tiny DOM builder. Every piece of text goes in through text nodes (never innerHTML), so values
// from the API cannot become markup, whatever they contain.

const PROPERTIES = new Set(["value", "checked", "disabled", "selected", "hidden", "readOnly"]);

/** h("button", {class: "primary", onclick: fn}, "Run") builds an element; children may nest. */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2), value);
    } else if (PROPERTIES.has(key)) {
      el[key] = value;
    } else if (key === "class") {
      el.className = value;
    } else {
      el.setAttribute(key, value === true ? "" : String(value));
    }
  }
  append(el, children);
  return el;
}

/** Append strings (as text), numbers, nodes and nested arrays; skip null/undefined/false. */
export function append(parent, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else if (child instanceof Node) parent.appendChild(child);
    else parent.appendChild(document.createTextNode(String(child)));
  }
  return parent;
}

/** Replace all children of ``parent``. */
export function replace(parent, ...children) {
  parent.replaceChildren();
  return append(parent, children);
}

/** A string safe to use in an element id (runbook and parameter names are user-defined). */
export function slug(text) {
  return String(text).replace(/[^A-Za-z0-9_-]/g, "_");
}
