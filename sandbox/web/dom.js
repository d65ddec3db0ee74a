// Small DOM helpers. Every piece of text goes in as a text node (never innerHTML), so whatever
// people or the bot write is shown as written and can never become markup.

const SVG_NS = "http://www.w3.org/2000/svg";

/** Create an element: h("a", {href, class: "x", onclick: fn}, "text", child, …). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      el.addEventListener(name.slice(2), value);
    } else if (name === "dataset") {
      Object.assign(el.dataset, value);
    } else if (name === "style") {
      el.style.cssText = String(value); // through the CSSOM: the page's CSP allows no style attributes
    } else if (value === true) {
      el.setAttribute(name, "");
    } else {
      el.setAttribute(name, String(value));
    }
  }
  append(el, children);
  return el;
}

/** Append children: nodes as they are, strings and numbers as text, arrays flattened. */
export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Replace an element's children. */
export function replaceChildren(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

// Per rendered element: the JSON of what it shows, to know whether it must be rebuilt.
const signatures = new WeakMap();

/**
 * Render `entries` ([{key, signature, build()}]) into `container`, in this order, reusing the
 * elements whose signature did not change: unchanged things keep their state (an open preview,
 * a loaded image, focus) and nothing flickers on a live update.
 */
export function reconcile(container, entries) {
  const existing = new Map();
  for (const element of container.children) existing.set(element.dataset.key, element);
  const wanted = entries.map((entry) => {
    const old = existing.get(entry.key);
    if (old && signatures.get(old) === entry.signature) return old;
    const element = entry.build();
    element.dataset.key = entry.key;
    signatures.set(element, entry.signature);
    return element;
  });
  wanted.forEach((element, index) => {
    if (container.children[index] !== element) container.insertBefore(element, container.children[index] || null);
  });
  while (container.children.length > wanted.length) container.lastElementChild.remove();
}

// Icons are fixed SVG paths (24×24), built node by node.
const ICONS = {
  clip: "M16.5 6.5 8.7 14.3a2 2 0 0 0 2.8 2.8l7.8-7.8a4 4 0 0 0-5.7-5.7l-7.8 7.8a6 6 0 0 0 8.5 8.5l6.4-6.4",
  send: "M3.4 20.4 21 12 3.4 3.6 3.4 10l12.6 2-12.6 2z",
  back: "M15 4 7 12l8 8",
  doc: "M6 2h8l6 6v14H6zM14 2v6h6",
  sms: "M4 4h16v12H8l-4 4z",
  pin: "M9 3h6l-1 6 4 4H6l4-4zM12 13v8",
  plus: "M12 5v14M5 12h14",
};

export function icon(name, size = 20) {
  const svg = document.createElementNS(SVG_NS, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("width", String(size));
  svg.setAttribute("height", String(size));
  svg.setAttribute("aria-hidden", "true");
  svg.classList.add("icon");
  const path = document.createElementNS(SVG_NS, "path");
  path.setAttribute("d", ICONS[name]);
  svg.append(path);
  return svg;
}

// -- links in text --------------------------------------------------------------------------

// A URL with a scheme, or a bare vk.me / vk.com link (SMS texts often drop the scheme).
const URL_PATTERN = /\b(?:https?:\/\/|(?:vk\.me|(?:m\.|www\.)?vk\.com)\/)[^\s<>"«»]+/giu;
const TRAILING = /[.,;:!?)\]']+$/u;

/** Split text into text nodes and <a> links; `onLink(url, event)` decides what a click does. */
export function linkify(text, onLink) {
  const fragment = document.createDocumentFragment();
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    const raw = match[0];
    const url = raw.replace(TRAILING, "");
    const start = match.index;
    fragment.append(text.slice(last, start));
    const href = /^https?:\/\//iu.test(url) ? url : `https://${url}`;
    fragment.append(
      h("a", { href, target: "_blank", rel: "noopener noreferrer", onclick: (event) => onLink(href, event) }, url),
    );
    last = start + url.length;
  }
  fragment.append(text.slice(last));
  return fragment;
}

// -- formatting -----------------------------------------------------------------------------

const TIME = new Intl.DateTimeFormat("ru-RU", { hour: "2-digit", minute: "2-digit" });
const DAY = new Intl.DateTimeFormat("ru-RU", { day: "numeric", month: "long" });
const DAY_YEAR = new Intl.DateTimeFormat("ru-RU", { day: "numeric", month: "long", year: "numeric" });
const SHORT_DAY = new Intl.DateTimeFormat("ru-RU", { day: "numeric", month: "short" });

const fromUnix = (seconds) => new Date(seconds * 1000);

/** «14:05». */
export function formatTime(seconds) {
  return TIME.format(fromUnix(seconds));
}

/** A stable key of the calendar day a moment falls on (local time). */
export function dayKey(seconds) {
  const date = fromUnix(seconds);
  return `${date.getFullYear()}-${date.getMonth()}-${date.getDate()}`;
}

function daysAgo(seconds) {
  const start = (date) => new Date(date.getFullYear(), date.getMonth(), date.getDate()).getTime();
  return Math.round((start(new Date()) - start(fromUnix(seconds))) / 86_400_000);
}

/** «Сегодня», «Вчера», «12 марта», «12 марта 2024 г.». */
export function formatDay(seconds) {
  const ago = daysAgo(seconds);
  if (ago === 0) return "Сегодня";
  if (ago === 1) return "Вчера";
  const date = fromUnix(seconds);
  return (date.getFullYear() === new Date().getFullYear() ? DAY : DAY_YEAR).format(date);
}

/** In a list: the time today, otherwise a short date. */
export function formatWhen(seconds) {
  return daysAgo(seconds) === 0 ? formatTime(seconds) : SHORT_DAY.format(fromUnix(seconds));
}

/** «820 Б», «12 КБ», «1,4 МБ». */
export function formatSize(bytes) {
  if (bytes < 1024) return `${bytes} Б`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} КБ`;
  return `${(bytes / 1024 / 1024).toLocaleString("ru-RU", { maximumFractionDigits: 1 })} МБ`;
}

/** «+7 900 000-00-02» for Russian numbers, as stored otherwise. */
export function formatPhone(phone) {
  const match = /^\+7(\d{3})(\d{3})(\d{2})(\d{2})$/u.exec(phone || "");
  return match ? `+7 ${match[1]} ${match[2]}-${match[3]}-${match[4]}` : phone || "";
}

// -- avatars --------------------------------------------------------------------------------

const AVATAR_COLOURS = ["#e57373", "#f0a14a", "#5fb36b", "#4aa3c8", "#6f7fd6", "#a46fc9", "#d46a9a", "#4db6ac"];

export function initials(name) {
  const words = (name || "?").replace(/[«»"]/gu, "").split(/[\s,:]+/u).filter(Boolean);
  return words.slice(0, 2).map((word) => word[0].toUpperCase()).join("") || "?";
}

/** A round avatar with initials, its colour stable for the same key. */
export function avatar(name, key, extraClass = "") {
  const text = String(key);
  let hash = 0;
  for (const char of text) hash = (hash * 31 + char.codePointAt(0)) >>> 0;
  const colour = AVATAR_COLOURS[hash % AVATAR_COLOURS.length];
  return h("span", { class: `avatar ${extraClass}`.trim(), style: `background:${colour}`, "aria-hidden": "true" }, initials(name));
}
