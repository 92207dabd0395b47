// A deliberately small Markdown subset for runbook documentation, built as DOM nodes (no HTML
// strings): paragraphs, headings, bullet and numbered lists, fenced code, `code`, **bold**, and
// links whose target is http(s) or an in-app route (#/...). Anything else stays plain text.

import { h } from "./dom.js";

const INLINE = /`([^`]+)`|\*\*([^*]+)\*\*|\[([^\]]+)\]\(([^)\s]+)\)/g;

function safeHref(href) {
  return /^(https?:\/\/|#\/)/i.test(href) ? href : null;
}

/** Inline nodes of one line of text. */
export function inline(text) {
  const nodes = [];
  let last = 0;
  for (const m of text.matchAll(INLINE)) {
    if (m.index > last) nodes.push(text.slice(last, m.index));
    if (m[1] !== undefined) nodes.push(h("code", null, m[1]));
    else if (m[2] !== undefined) nodes.push(h("strong", null, m[2]));
    else {
      const href = safeHref(m[4]);
      const external = href && !href.startsWith("#");
      nodes.push(href ? h("a", { href, rel: external ? "noopener noreferrer" : null }, m[3]) : m[0]);
    }
    last = m.index + m[0].length;
  }
  if (last < text.length) nodes.push(text.slice(last));
  return nodes;
}

const BULLET = /^\s*[-*]\s+/;
const NUMBERED = /^\s*\d+[.)]\s+/;

function listBlock(lines, marker, tag) {
  const items = [];
  for (const line of lines) {
    if (marker.test(line)) items.push(line.replace(marker, ""));
    else if (items.length) items[items.length - 1] += ` ${line.trim()}`;
  }
  return h(tag, null, items.map((item) => h("li", null, inline(item))));
}

function block(lines) {
  const first = lines[0];
  const heading = /^(#{1,6})\s+(.*)$/.exec(first);
  if (heading && lines.length === 1) return h("h4", null, inline(heading[2]));
  if (BULLET.test(first)) return listBlock(lines, BULLET, "ul");
  if (NUMBERED.test(first)) return listBlock(lines, NUMBERED, "ol");
  return h("p", null, inline(lines.map((l) => l.trim()).join(" ")));
}

/** Render Markdown text into an array of block nodes. */
export function markdown(text) {
  const out = [];
  let lines = [];
  let fence = null;
  const flush = () => {
    if (lines.length) out.push(block(lines));
    lines = [];
  };
  for (const line of String(text).replace(/\r\n?/g, "\n").split("\n")) {
    if (fence !== null) {
      if (/^\s*```/.test(line)) {
        out.push(h("pre", null, h("code", null, fence.join("\n"))));
        fence = null;
      } else fence.push(line);
    } else if (/^\s*```/.test(line)) {
      flush();
      fence = [];
    } else if (!line.trim()) flush();
    else if (/^#{1,6}\s/.test(line)) {
      flush();
      out.push(block([line]));
    } else lines.push(line);
  }
  if (fence !== null) out.push(h("pre", null, h("code", null, fence.join("\n"))));
  flush();
  return out;
}
