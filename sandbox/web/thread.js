// The message thread: bubbles with sender names and times, service lines, attachments and
// inline keyboards. Re-rendering keeps the elements of unchanged messages (an open PDF preview
// or a loaded photo stays put), and replaces only what changed (e.g. an edited list page).

import { avatar, dayKey, formatDay, formatSize, formatTime, h, icon, linkify, reconcile } from "./dom.js";
import { renderKeyboard } from "./keyboard.js";

/** What VK would write for a service message (someone joined, left, renamed the chat…). */
export function serviceText(item) {
  const action = item.action || {};
  const who = item.sender_name || "Кто-то";
  const member = action.member_name || "участник";
  switch (action.type) {
    case "chat_create":
      return `Создана беседа «${action.text || ""}»`;
    case "chat_invite_user_by_link":
      return `${member} вступил(а) в беседу по ссылке`;
    case "chat_invite_user":
      return `${who} пригласил(а) в беседу: ${member}`;
    case "chat_kick_user":
      return action.member_id === item.from_id ? `${member} вышел(а) из беседы` : `${who} исключил(а) из беседы: ${member}`;
    case "chat_title_update":
      return `${who} изменил(а) название беседы на «${action.text || ""}»`;
    case "chat_photo_update":
      return `${who} обновил(а) фотографию беседы`;
    case "chat_pin_message":
      return `${who} закрепил(а) сообщение${action.message ? ` «${action.message}»` : ""}`;
    case "chat_unpin_message":
      return `${who} открепил(а) сообщение`;
    default:
      return action.type || "Служебное сообщение";
  }
}

/** One line about a message for the conversation list. */
export function previewText(item) {
  if (item.action) return serviceText(item);
  if (item.text) return item.text.replace(/\s+/gu, " ");
  const attachment = (item.attachments || [])[0];
  if (!attachment) return "";
  return attachment.type === "photo" ? "Фотография" : `Документ «${attachment.title}»`;
}

/**
 * Render a conversation's messages.
 * ctx: {me, communityId, isChat, onLink(url, event), onPress(button, cmid)}
 */
export function renderMessages(container, items, ctx) {
  let previous = null;
  const entries = items.map((item) => {
    const newDay = !previous || dayKey(previous.date) !== dayKey(item.date);
    const continued =
      !newDay && previous && !previous.action && !item.action && previous.from_id === item.from_id && item.date - previous.date < 600;
    previous = item;
    const layout = { newDay, continued, me: ctx.me, isChat: ctx.isChat };
    return {
      key: `m${item.conversation_message_id}`,
      signature: JSON.stringify([item, layout]),
      build: () => buildEntry(item, layout, ctx),
    };
  });
  reconcile(container, entries);
}

function buildEntry(item, layout, ctx) {
  const entry = h("div", { class: "entry" });
  if (layout.newDay) entry.append(h("div", { class: "day" }, h("span", {}, formatDay(item.date))));
  entry.append(item.action ? h("div", { class: "service" }, serviceText(item)) : buildMessage(item, layout, ctx));
  return entry;
}

function buildMessage(item, layout, ctx) {
  const outgoing = item.from_id === ctx.me;
  const community = item.from_id === ctx.communityId;
  const classes = ["msg", outgoing ? "out" : "in"];
  if (community) classes.push("community");
  if (item.official) classes.push("official");
  if (layout.continued) classes.push("continued");

  const bubble = h("div", { class: "bubble" });
  if (!outgoing && !layout.continued) {
    bubble.append(
      h(
        "div",
        { class: "sender" },
        h("span", { class: "sender-name" }, item.sender_name || `id${item.from_id}`),
        item.official ? h("span", { class: "badge-official" }, "Официально") : null,
      ),
    );
  }
  if (item.text) bubble.append(h("div", { class: "text" }, linkify(item.text, ctx.onLink)));
  for (const attachment of item.attachments || []) bubble.append(renderAttachment(attachment));
  bubble.append(
    h(
      "div",
      { class: "meta" },
      item.pinned ? h("span", { class: "pinned-mark", title: "Закреплено" }, icon("pin", 12)) : null,
      item.edited ? h("span", { class: "edited" }, "изменено") : null,
      h("time", { datetime: new Date(item.date * 1000).toISOString() }, formatTime(item.date)),
    ),
  );

  const column = h("div", { class: "column" }, bubble);
  const inline = renderKeyboard(item.keyboard, (button) => ctx.onPress(button, item.conversation_message_id));
  if (inline) column.append(inline);

  const showAvatar = !outgoing && (ctx.isChat || community);
  const face = showAvatar
    ? layout.continued
      ? h("span", { class: "avatar avatar-space" })
      : community
        ? h("span", { class: "avatar avatar-community", "aria-hidden": "true" }, "ДЧ")
        : avatar(item.sender_name, item.from_id)
    : null;
  return h("div", { class: classes.join(" "), dataset: { cmid: item.conversation_message_id } }, face, column);
}

function renderAttachment(attachment) {
  if (attachment.type === "photo") {
    const [width, height] = [Number(attachment.width), Number(attachment.height)];
    const ratio = width > 0 && height > 0 ? `aspect-ratio:${width}/${height}` : null;
    return h(
      "a",
      { class: "photo", href: attachment.url, target: "_blank", rel: "noopener" },
      h("img", { src: attachment.url, alt: attachment.title || "Фотография", loading: "lazy", style: ratio }),
    );
  }
  const ext = String(attachment.ext || "").toLowerCase().replace(/[^a-z0-9]/gu, "");
  const card = h(
    "div",
    { class: "doc" },
    h("span", { class: `doc-icon doc-${ext}` }, ext.toUpperCase().slice(0, 4) || "FILE"),
    h(
      "div",
      { class: "doc-body" },
      h("a", { class: "doc-title", href: attachment.url, download: attachment.title || "" }, attachment.title || "Документ"),
      h("div", { class: "doc-size" }, formatSize(attachment.size || 0)),
    ),
  );
  const box = h("div", { class: "doc-box" }, card);
  if (ext === "pdf") {
    // The browser's own PDF viewer, shown on demand.
    const toggle = h("button", { type: "button", class: "doc-preview-toggle" }, "Просмотр");
    toggle.addEventListener("click", () => {
      const open = box.querySelector("iframe");
      if (open) {
        open.remove();
        toggle.textContent = "Просмотр";
      } else {
        box.append(h("iframe", { class: "pdf", src: attachment.url, title: `Просмотр: ${attachment.title}` }));
        toggle.textContent = "Скрыть";
      }
    });
    card.append(toggle);
  }
  return box;
}

/** The SMS outbox of a phone, shown as a thread of incoming messages. */
export function renderSms(container, items, onLink) {
  let previous = null;
  const entries = items.map((sms) => {
    const newDay = !previous || dayKey(previous.date) !== dayKey(sms.date);
    previous = sms;
    return {
      key: `s${sms.id}`,
      signature: JSON.stringify([sms, newDay]),
      build: () =>
        h(
          "div",
          { class: "entry" },
          newDay ? h("div", { class: "day" }, h("span", {}, formatDay(sms.date))) : null,
          h(
            "div",
            { class: "msg in sms" },
            h(
              "div",
              { class: "column" },
              h(
                "div",
                { class: "bubble" },
                h("div", { class: "sender" }, h("span", { class: "sender-name" }, sms.sender || "SMS")),
                h("div", { class: "text" }, linkify(sms.text, onLink)),
                h("div", { class: "meta" }, h("time", {}, formatTime(sms.date))),
              ),
            ),
          ),
        ),
    };
  });
  reconcile(container, entries);
}
