// The left column: who you are (the sandbox's people, a form for a new one) and, once chosen,
// that person's conversations — the community dialog, chats, and the SMS on their phone.

import { avatar, formatPhone, formatWhen, h, icon, reconcile } from "./dom.js";

/** The people to choose from; `onChoose(person)`. */
export function renderPeople(list, people, selectedId, onChoose) {
  if (!people.length) {
    list.replaceChildren(h("li", { class: "empty" }, "Людей пока нет — создайте первого."));
    return;
  }
  list.replaceChildren(
    ...people.map((person) =>
      h(
        "li",
        {},
        h(
          "button",
          {
            type: "button",
            class: `person${person.id === selectedId ? " selected" : ""}`,
            onclick: () => onChoose(person),
          },
          avatar(person.name, person.id),
          h(
            "span",
            { class: "person-text" },
            h("span", { class: "person-name" }, person.name),
            person.note ? h("span", { class: "person-note" }, person.note) : null,
            h(
              "span",
              { class: "person-phone" },
              formatPhone(person.phone),
              person.vk ? null : h("span", { class: "chip chip-novk" }, "без ВКонтакте"),
            ),
          ),
        ),
      ),
    ),
  );
}

/** The chosen person at the top of their conversation list. */
export function renderMe(box, person) {
  box.replaceChildren(
    avatar(person.name, person.id, "avatar-large"),
    h(
      "div",
      { class: "me-text" },
      h("div", { class: "me-name" }, person.name),
      person.note ? h("div", { class: "me-note" }, person.note) : null,
      h(
        "div",
        { class: "me-phone" },
        formatPhone(person.phone),
        person.vk ? null : h("span", { class: "chip chip-novk" }, "без ВКонтакте"),
      ),
    ),
  );
}

/**
 * The conversation list. entries: [{key, kind: "group"|"chat"|"sms", title, preview, date,
 * unread, inactive}]; `onOpen(key)`.
 */
export function renderConversations(list, entries, selectedKey, onOpen) {
  reconcile(
    list,
    entries.map((entry) => ({
      key: entry.key,
      signature: JSON.stringify([entry, entry.key === selectedKey]),
      build: () => conversationItem(entry, entry.key === selectedKey, onOpen),
    })),
  );
}

function conversationItem(entry, selected, onOpen) {
  let face;
  if (entry.kind === "group") face = h("span", { class: "avatar avatar-community", "aria-hidden": "true" }, "ДЧ");
  else if (entry.kind === "sms") face = h("span", { class: "avatar avatar-sms", "aria-hidden": "true" }, icon("sms", 18));
  else face = avatar(entry.title, entry.key);
  return h(
    "li",
    {},
    h(
      "button",
      {
        type: "button",
        class: `conversation${selected ? " selected" : ""}${entry.inactive ? " inactive" : ""}`,
        "aria-current": selected ? "true" : null,
        dataset: { kind: entry.kind },
        onclick: () => onOpen(entry.key),
      },
      face,
      h(
        "span",
        { class: "conversation-text" },
        h(
          "span",
          { class: "conversation-top" },
          h("span", { class: "conversation-title" }, entry.title),
          entry.date ? h("span", { class: "conversation-when" }, formatWhen(entry.date)) : null,
        ),
        h(
          "span",
          { class: "conversation-bottom" },
          h("span", { class: "conversation-preview" }, entry.preview || ""),
          entry.unread
            ? h("span", { class: "unread", title: "Непрочитанные" }, String(entry.unread))
            : null,
        ),
      ),
    ),
  );
}

/** The «new person» form: returns the fields to send, or null (with the browser's own hint). */
export function readPersonForm(form) {
  if (!form.reportValidity()) return null;
  const data = new FormData(form);
  const note = String(data.get("note") || "").trim();
  return {
    name: String(data.get("name") || "").trim(),
    phone: String(data.get("phone") || "").trim(),
    vk: data.get("vk") === "on",
    ...(note ? { note } : {}),
  };
}
