// Short notices at the bottom of the screen: the bot's snackbars, errors, what a link did.

import { h, linkify } from "./dom.js";

const SECONDS = { info: 4, snackbar: 5, error: 7 };

let area = null;

export function setToastArea(element) {
  area = element;
}

/**
 * Show `text` for a few seconds. kind: "info" | "snackbar" | "error". With `onLink`, links in
 * the text are clickable (an open_link answer to a callback button).
 */
export function toast(text, kind = "info", onLink = null) {
  if (!area) return;
  const body = onLink ? linkify(text, onLink) : text;
  const note = h("div", { class: `toast toast-${kind}`, role: kind === "error" ? "alert" : "status" }, body);
  const close = () => note.remove();
  note.addEventListener("click", (event) => {
    if (!(event.target instanceof HTMLAnchorElement)) close();
  });
  area.append(note);
  setTimeout(close, SECONDS[kind] * 1000);
}
