// Bot keyboards as real buttons: the regular one under the composer, inline ones under their
// message. What a press does is up to `onPress(button)` (see app.js).

import { h } from "./dom.js";

const COLOURS = new Set(["primary", "secondary", "positive", "negative"]);
const NOT_PRESSABLE = { location: "Геолокация", vkpay: "VK Pay" };

/** The label a person sees on a button. */
export function buttonLabel(action) {
  if (action.label) return action.label;
  return NOT_PRESSABLE[action.type] || action.type;
}

/**
 * Render `keyboard` ({buttons: [[{action, color}]], inline, one_time}) as rows of <button>s.
 * Returns null for no keyboard or an empty one.
 */
export function renderKeyboard(keyboard, onPress, extraClass = "") {
  if (!keyboard || !keyboard.buttons || !keyboard.buttons.length) return null;
  const rows = keyboard.buttons.map((row) =>
    h(
      "div",
      { class: "kb-row" },
      row.map((button) => renderButton(button, onPress)),
    ),
  );
  return h("div", { class: `kb ${keyboard.inline ? "kb-inline" : "kb-regular"} ${extraClass}`.trim() }, rows);
}

function renderButton(button, onPress) {
  const action = button.action || {};
  const colour = COLOURS.has(button.color) ? button.color : "secondary";
  const label = buttonLabel(action);
  const attrs = { type: "button", class: `kb-btn kb-${colour} kb-type-${action.type}` };
  if (action.type in NOT_PRESSABLE) {
    return h("button", { ...attrs, disabled: true, title: "В песочнице такие кнопки не нажимаются" }, label);
  }
  if (action.type === "open_link") attrs.title = action.link;
  const element = h("button", attrs, label, action.type === "open_link" ? h("span", { class: "kb-arrow", "aria-hidden": "true" }, " ↗") : null);
  element.addEventListener("click", () => onPress(button));
  return element;
}
