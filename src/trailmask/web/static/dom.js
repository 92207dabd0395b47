// Tiny DOM builder. Every piece of text goes in through text nodes (never innerHTML), so values
// from the API cannot become markup, whatever they contain.

const PROPERTIES = new Set(["value", "checked", "disabled", "selected", "hidden", "readOnly"]);
export const SVG_NS = "http://www.w3.org/2000/svg";

/**
 * h("button", {class: "primary", onclick: fn}, "Run") builds an element; children may nest.
 * "svg" and tags written "svg:rect", "svg:text", ... are built in the SVG namespace (children are
 * built before their parent, so each SVG child names its namespace), text still as text nodes.
 */
export function h(tag, attrs, ...children) {
  const svg = tag === "svg" || tag.startsWith("svg:");
  const name = tag.startsWith("svg:") ? tag.slice(4) : tag;
  const el = svg ? document.createElementNS(SVG_NS, name) : document.createElement(name);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2), value);
    } else if (PROPERTIES.has(key) && !svg) {
      el[key] = value;
    } else if (key === "class") {
      el.setAttribute("class", String(value));
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
