// The detail drawer: one result row (one event) as pretty-printed JSON, beside the table. It is a
// modal dialog: focus moves into it when it opens, Tab stays inside, Escape (or Close) closes it
// and focus returns to the button that opened it. Values are the masked ones the table shows.

import { h } from "./dom.js";
import { plainText } from "./values.js";

let current = null; // {drawer, opener}

export function closeDrawer() {
  if (!current) return;
  const { drawer, opener } = current;
  current = null;
  drawer.remove();
  if (opener && opener.isConnected) opener.focus();
}

function trapTab(drawer, event) {
  const focusable = [...drawer.querySelectorAll("button, [href], [tabindex]:not([tabindex='-1'])")].filter((el) => !el.hasAttribute("disabled"));
  if (!focusable.length) return;
  const first = focusable[0];
  const last = focusable[focusable.length - 1];
  if (event.shiftKey && document.activeElement === first) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && document.activeElement === last) {
    event.preventDefault();
    first.focus();
  }
}

/**
 * Open the drawer for ``row`` (columns in ``columns`` order). ``title`` names it; ``onFilter(column,
 * value)``, when given, adds a "Filter" button per field (the keyboard way to click-to-filter).
 * @param {Record<string, any>} row
 * @param {{columns: string[], title: string, opener?: HTMLElement | null, onFilter?: ((column: string, value: any) => void) | null}} options
 */
export function openDrawer(row, { columns, title, opener = null, onFilter = null }) {
  closeDrawer();
  const ordered = Object.fromEntries(columns.filter((c) => c in row).map((c) => [c, row[c]]));
  const close = h("button", { type: "button", class: "drawer-close" }, "Close");
  close.addEventListener("click", closeDrawer);
  const fields = onFilter
    ? h(
        "ul",
        { class: "drawer-fields" },
        columns.map((c) =>
          h(
            "li",
            null,
            h("code", null, c),
            " ",
            h(
              "button",
              {
                type: "button",
                class: "link",
                title: `Show only rows where ${c} is ${plainText(row[c]) || "empty"}`,
                onclick: () => {
                  closeDrawer();
                  onFilter(c, row[c]);
                },
              },
              "Filter on this value",
            ),
          ),
        ),
      )
    : null;
  const drawer = h(
    "aside",
    { class: "drawer", role: "dialog", "aria-modal": "true", "aria-labelledby": "drawer-title", tabindex: "-1" },
    h("div", { class: "drawer-head" }, h("h2", { id: "drawer-title" }, title), close),
    h("pre", { class: "drawer-json", tabindex: "0", "aria-label": "the row as JSON" }, JSON.stringify(ordered, null, 2)),
    fields,
  );
  drawer.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.preventDefault();
      closeDrawer();
    } else if (event.key === "Tab") trapTab(drawer, event);
  });
  document.body.appendChild(drawer);
  current = { drawer, opener };
  close.focus();
  return drawer;
}
