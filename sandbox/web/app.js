// The messenger page: choose a person, then see and do what they see and do — through the
// sandbox's people JSON API only. Live: a long poll (`/wait`) tells when anything the person
// sees has changed, and the page reloads what is on screen.
//
// Modules: api.js (the requests), dom.js (safe DOM helpers), sidebar.js (people, conversation
// list), thread.js (messages, attachments), keyboard.js (bot keyboards), composer.js (text and
// files), toast.js (notices).

import { api, ApiError } from "./api.js";
import { setupComposer } from "./composer.js";
import { avatar, formatPhone, h, icon, replaceChildren } from "./dom.js";
import { renderKeyboard } from "./keyboard.js";
import { readPersonForm, renderConversations, renderMe, renderPeople } from "./sidebar.js";
import { previewText, renderMessages, renderSms } from "./thread.js";
import { setToastArea, toast } from "./toast.js";

const WAIT_SECONDS = 25;
const RETRY_MS = 2000;
const PEOPLE_REFRESH_MS = 3000; // people have no long poll: the list is re-read while it is shown
const SMS_KEY = "sms"; // the conversation-list key of the SMS outbox
const BASE_TITLE = document.title;
const VK_HOSTS = new Set(["vk.me", "vk.com", "www.vk.com", "m.vk.com"]);
const wide = window.matchMedia("(min-width: 721px)");

const $ = (id) => document.getElementById(id);
const el = {
  app: $("app"),
  brandName: $("brand-name"),
  peopleView: $("people-view"),
  peopleList: $("people-list"),
  newPersonToggle: $("new-person-toggle"),
  newPersonForm: $("new-person-form"),
  newPersonError: $("new-person-error"),
  newPersonCancel: $("new-person-cancel"),
  meView: $("me-view"),
  meCard: $("me-card"),
  switchPerson: $("switch-person"),
  conversationList: $("conversation-list"),
  placeholder: $("placeholder"),
  thread: $("thread"),
  back: $("back"),
  threadAvatar: $("thread-avatar"),
  threadTitle: $("thread-title"),
  threadSub: $("thread-sub"),
  pinned: $("pinned"),
  messages: $("messages"),
  composerNotice: $("composer-notice"),
  composer: $("composer"),
  text: $("text"),
  fileInput: $("file-input"),
  keyboard: $("keyboard"),
  offline: $("offline"),
};

const state = {
  community: { id: 0, name: "Домовые чаты", screen_name: "" },
  person: null, // {id, name, phone, vk, note}
  lastPersonId: null, // highlighted in the list of people after «Сменить человека»
  generation: 0, // bumped when the person changes: late answers for another person are dropped
  live: null, // AbortController of the person's long poll
  conversations: [], // GET …/conversations
  sms: [], // GET /sandbox/sms?phone=…
  openKey: null, // String(peer_id) or SMS_KEY
  view: null, // the open conversation's GET …/messages
  snackbarsSeen: new Map(), // peer_id → how many snackbars/links were already shown
  keyboardSignature: "",
  stickToBottom: true,
};

const communityPeer = () => -state.community.id;

// -- people ---------------------------------------------------------------------------------

let peopleTimer = null;
let peopleSignature = "";

async function showPeople() {
  stopLive();
  state.lastPersonId = state.person?.id ?? state.lastPersonId;
  state.person = null;
  state.generation += 1;
  setOpen(null);
  el.meView.hidden = true;
  el.peopleView.hidden = false;
  writeHash();
  peopleSignature = "";
  await loadPeople();
  clearInterval(peopleTimer);
  peopleTimer = setInterval(() => loadPeople(true), PEOPLE_REFRESH_MS);
}

/** Read the people and show them (only when something changed, so focus is kept). */
async function loadPeople(quiet = false) {
  let people;
  try {
    people = await api.people();
  } catch (error) {
    if (!quiet) reportError(error);
    return;
  }
  const signature = JSON.stringify(people);
  if (signature === peopleSignature || el.peopleView.hidden) return;
  peopleSignature = signature;
  renderPeople(el.peopleList, people, state.lastPersonId, (person) => choosePerson(person.id));
}

async function choosePerson(id, openKey = null) {
  let person;
  try {
    person = await api.person(id);
  } catch (error) {
    reportError(error);
    return showPeople();
  }
  stopLive();
  clearInterval(peopleTimer);
  state.generation += 1;
  Object.assign(state, { person, conversations: [], sms: [], view: null, openKey: null });
  state.snackbarsSeen = new Map();
  el.peopleView.hidden = true;
  el.meView.hidden = false;
  renderMe(el.meCard, person);
  el.conversationList.replaceChildren();
  // On a wide screen something is open at once: the given conversation, else the dialog
  // with the community (or the SMS of a person without VK).
  const fallback = person.vk ? String(communityPeer()) : SMS_KEY;
  setOpen(openKey || (wide.matches ? fallback : null));
  startLive(person.id);
}

async function createPerson(event) {
  event.preventDefault();
  const fields = readPersonForm(el.newPersonForm);
  if (!fields) return;
  el.newPersonError.hidden = true;
  try {
    const { id } = await api.createPerson(fields);
    el.newPersonForm.reset();
    toggleNewPerson(false);
    await choosePerson(id);
  } catch (error) {
    el.newPersonError.textContent = error.message;
    el.newPersonError.hidden = false;
  }
}

function toggleNewPerson(show) {
  el.newPersonForm.hidden = !show;
  el.newPersonToggle.hidden = show;
  el.newPersonToggle.setAttribute("aria-expanded", String(show));
  el.newPersonError.hidden = true;
  if (show) el.newPersonForm.elements.name.focus();
}

// -- live updates ---------------------------------------------------------------------------

function startLive(personId) {
  const controller = new AbortController();
  state.live = controller;
  live(personId, controller.signal);
}

function stopLive() {
  state.live?.abort();
  state.live = null;
}

/** Wait for the person's view to change, then reload what is on screen; until aborted. */
async function live(personId, signal) {
  let version = null; // the first call answers at once with the current version
  while (!signal.aborted) {
    let answer;
    try {
      answer = await api.wait(personId, version, version === null ? 0 : WAIT_SECONDS, signal);
    } catch (error) {
      if (signal.aborted) return;
      if (error instanceof ApiError && error.status === 404) {
        reportError(error); // the person is gone (a fresh world): back to the people
        showPeople();
        return;
      }
      el.offline.hidden = false;
      await sleep(RETRY_MS);
      continue;
    }
    el.offline.hidden = true;
    if (answer.version === version || signal.aborted) continue;
    version = answer.version;
    if (!(await refresh())) {
      version = null; // reload again as soon as the sandbox answers
      await sleep(RETRY_MS);
    }
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

let running = null;
let again = false;

/**
 * Reload the conversation list, the SMS and the open thread. Calls during a reload coalesce
 * into one more reload. Never throws: resolves to false when the reload failed.
 */
function refresh() {
  if (running) {
    again = true;
    return running;
  }
  running = (async () => {
    try {
      do {
        again = false;
        await load();
      } while (again);
      return true;
    } catch (error) {
      if (error instanceof ApiError && error.status === 0) el.offline.hidden = false;
      else reportError(error);
      return false;
    } finally {
      running = null;
    }
  })();
  return running;
}

async function load() {
  const { person, generation } = state;
  if (!person) return;
  const openKey = state.openKey;
  try {
    const [conversations, sms, view] = await Promise.all([
      person.vk ? api.conversations(person.id) : [],
      api.sms(person.phone),
      openKey && openKey !== SMS_KEY ? api.messages(person.id, Number(openKey)) : null,
    ]);
    if (generation !== state.generation) return; // another person was chosen meanwhile
    state.conversations = conversations;
    state.sms = sms;
    if (openKey === state.openKey) state.view = view;
  } catch (error) {
    if (generation !== state.generation) return;
    if (error instanceof ApiError && error.status === 404 && openKey === state.openKey) {
      reportError(error);
      setOpen(null);
      return;
    }
    throw error;
  }
  render();
}

// -- rendering ------------------------------------------------------------------------------

function render() {
  markRead(); // first, so the open conversation shows no unread count
  renderList();
  if (state.openKey) renderThread();
}

/** The person's conversations as list entries, the SMS outbox among them, newest first. */
function listEntries() {
  const entries = state.conversations.map((conversation) => {
    const last = conversation.last_message;
    let preview = last ? previewText(last) : "";
    if (last && !last.action) {
      if (last.from_id === state.person.id) preview = `Вы: ${preview}`;
      else if (conversation.type === "chat") preview = `${last.sender_name}: ${preview}`;
    }
    return {
      key: String(conversation.peer_id),
      kind: conversation.type,
      title: conversation.title,
      preview,
      date: last ? last.date : 0,
      unread: conversation.unread,
      inactive: conversation.type === "chat" && (!conversation.member || conversation.deleted),
    };
  });
  // Everyone with VK can write to the community, even before the dialog exists.
  if (state.person.vk && !entries.some((entry) => entry.kind === "group")) {
    entries.push({
      key: String(communityPeer()),
      kind: "group",
      title: state.community.name,
      preview: "Напишите сообществу",
      date: 0,
      unread: 0,
    });
  }
  const lastSms = state.sms[state.sms.length - 1];
  entries.push({
    key: SMS_KEY,
    kind: "sms",
    title: `SMS · ${formatPhone(state.person.phone)}`,
    preview: lastSms ? lastSms.text.replace(/\s+/gu, " ") : "SMS пока нет",
    date: lastSms ? lastSms.date : 0,
    unread: unreadSms(),
  });
  return entries.sort((a, b) => b.date - a.date);
}

function renderList() {
  const entries = listEntries();
  renderConversations(el.conversationList, entries, state.openKey, (key) => setOpen(key));
  const unread = entries.reduce((sum, entry) => sum + (entry.unread || 0), 0);
  document.title = unread ? `(${unread}) ${BASE_TITLE}` : BASE_TITLE;
}

function currentConversation() {
  return state.conversations.find((conversation) => String(conversation.peer_id) === state.openKey);
}

function renderThread() {
  const isSms = state.openKey === SMS_KEY;
  const isGroup = state.openKey === String(communityPeer());
  const conversation = isGroup ? null : currentConversation(); // a chat's entry: title, member, deleted
  const stick = state.stickToBottom;

  // The header.
  if (isSms) {
    el.threadTitle.textContent = "SMS";
    el.threadSub.textContent = `входящие на номер ${formatPhone(state.person.phone)}`;
    replaceChildren(el.threadAvatar, h("span", { class: "avatar avatar-sms", "aria-hidden": "true" }, icon("sms", 18)));
  } else if (isGroup) {
    el.threadTitle.textContent = state.community.name;
    el.threadSub.textContent = "сообщество";
    replaceChildren(el.threadAvatar, h("span", { class: "avatar avatar-community", "aria-hidden": "true" }, "ДЧ"));
  } else {
    const title = conversation?.title || "Беседа";
    el.threadTitle.textContent = title;
    el.threadSub.textContent = conversation?.deleted
      ? "беседа удалена"
      : conversation && !conversation.member
        ? "вы больше не участник"
        : "беседа";
    replaceChildren(el.threadAvatar, avatar(title, state.openKey));
  }

  // Messages, the pinned one, the keyboard and the composer.
  if (isSms) {
    renderSms(el.messages, state.sms, onLink);
    if (!state.sms.length) el.messages.append(h("p", { class: "empty-thread" }, "На этот номер SMS пока не приходили."));
    el.pinned.hidden = true;
    setKeyboard(null);
    setComposer(false, "Это SMS на телефон человека: ответить на них нельзя, а ссылки открываются от его имени.");
    seenSms();
  } else if (state.view) {
    const items = state.view.items;
    renderMessages(el.messages, items, {
      me: state.person.id,
      communityId: communityPeer(),
      isChat: !isGroup,
      onLink,
      onPress: pressButton,
    });
    if (!items.length) el.messages.append(h("p", { class: "empty-thread" }, isGroup ? "Сообщений пока нет. Нажмите «Начать» или напишите что-нибудь." : "Сообщений пока нет."));
    renderPinned(state.view.pinned);
    let keyboard = state.view.keyboard;
    if (isGroup && !items.length && !keyboard) keyboard = START_KEYBOARD; // as VK shows a bot's start button
    setKeyboard(keyboard);
    if (conversation?.deleted) setComposer(false, "Беседа удалена: писать в неё нельзя.");
    else if (conversation && !conversation.member) setComposer(false, "Вы больше не участник этой беседы.");
    else setComposer(true);
    showNewSnackbars(state.view);
  }
  if (stick) scrollToBottom();
}

const START_KEYBOARD = { inline: false, buttons: [[{ action: { type: "text", label: "Начать" }, color: "primary", start: true }]] };

function renderPinned(item) {
  el.pinned.hidden = !item;
  if (!item) return;
  replaceChildren(
    el.pinned,
    icon("pin", 14),
    h("span", { class: "pinned-label" }, "Закреплено: "),
    h("span", { class: "pinned-text" }, previewText(item)),
  );
  el.pinned.onclick = () => el.messages.querySelector(`[data-cmid="${Number(item.conversation_message_id)}"]`)?.scrollIntoView({ block: "center" });
}

function setKeyboard(keyboard) {
  const signature = JSON.stringify(keyboard);
  if (signature === state.keyboardSignature) return;
  state.keyboardSignature = signature;
  const rendered = renderKeyboard(keyboard, (button) => pressButton(button, null));
  replaceChildren(el.keyboard, rendered);
  el.keyboard.hidden = !rendered;
}

function setComposer(enabled, notice = "") {
  el.composer.hidden = !enabled;
  el.composerNotice.hidden = enabled;
  el.composerNotice.textContent = notice;
}

function scrollToBottom() {
  el.messages.scrollTop = el.messages.scrollHeight;
}

/** Snackbars (and links) the community answered to this person's callback presses. */
function showNewSnackbars(view) {
  const key = state.openKey;
  const answers = [
    ...view.snackbars.map((answer) => ({ ...answer, kind: "snackbar" })),
    ...view.links.map((answer) => ({ ...answer, kind: "link" })),
  ];
  const seen = state.snackbarsSeen.get(key);
  state.snackbarsSeen.set(key, answers.length);
  if (seen === undefined) return; // the ones from before opening are old news
  for (const answer of answers.slice(seen)) {
    if (answer.kind === "snackbar") toast(answer.text, "snackbar");
    else toast(`Бот предлагает открыть ссылку: ${answer.link}`, "info", onLink);
  }
}

function markRead() {
  const conversation = currentConversation();
  if (!conversation || !conversation.unread || document.visibilityState !== "visible") return;
  conversation.unread = 0; // asked once; the next refresh brings the truth
  api.read(state.person.id, conversation.peer_id).catch(reportError);
}

// The SMS outbox has no "read" in the sandbox: the page remembers the last SMS seen per phone.
const smsSeenKey = () => `sandbox-sms-seen:${state.person.phone}`;

function unreadSms() {
  const seen = Number(localStorage.getItem(smsSeenKey()) || 0);
  return state.sms.filter((sms) => sms.id > seen).length;
}

function seenSms() {
  const last = state.sms[state.sms.length - 1];
  if (last && unreadSms()) {
    localStorage.setItem(smsSeenKey(), String(last.id));
    renderList();
  }
}

// -- opening conversations ------------------------------------------------------------------

function setOpen(key) {
  const changed = key !== state.openKey;
  state.openKey = key;
  el.app.dataset.pane = key ? "thread" : "list";
  el.thread.hidden = !key;
  el.placeholder.hidden = Boolean(key);
  if (changed) {
    state.view = null;
    state.stickToBottom = true;
    el.messages.replaceChildren();
    el.pinned.hidden = true;
    setKeyboard(null);
    setComposer(false);
    el.text.value = "";
  }
  writeHash();
  if (state.person) {
    renderList();
    if (key) refresh();
  }
}

// -- acting as the person -------------------------------------------------------------------

function openPeer() {
  return Number(state.openKey);
}

async function sendText(text) {
  state.stickToBottom = true;
  await api.send(state.person.id, openPeer(), text);
  await refresh();
}

async function sendFile(upload) {
  state.stickToBottom = true;
  toast(`Отправляю «${upload.filename}»…`);
  await api.upload(state.person.id, openPeer(), upload);
  await refresh();
}

/** A keyboard button: text and callback buttons are pressed through the API, links opened. */
async function pressButton(button, cmid) {
  const { person } = state;
  const action = button.action;
  try {
    if (button.start) return await sendText(action.label);
    if (action.type === "open_link" && !isVkLink(action.link)) {
      window.open(action.link, "_blank", "noopener"); // an outside link: a new tab, as VK does
      return;
    }
    state.stickToBottom = true;
    const result = await api.press(person.id, openPeer(), action.label, cmid);
    if (result.opened) return await afterOpen(result.opened);
    if (action.type === "open_app") toast(`Мини-приложение ${result.app_id} в песочнице не открывается`);
    await refresh();
  } catch (error) {
    reportError(error);
  }
}

function isVkLink(url) {
  try {
    return VK_HOSTS.has(new URL(url).hostname);
  } catch {
    return false;
  }
}

/** A click on a link in a message or an SMS: VK links are opened as this person. */
function onLink(url, event) {
  if (!isVkLink(url)) return; // the browser opens it in a new tab
  event.preventDefault();
  openLink(url);
}

async function openLink(url) {
  try {
    await afterOpen(await api.open(state.person.id, url));
  } catch (error) {
    reportError(error);
  }
}

/** What an opened link did: the community dialog (with its ref) or a chat joined. */
async function afterOpen(result) {
  if (result.peer_id === communityPeer()) {
    toast(`Открыт диалог с сообществом «${state.community.name}» — напишите сообщение`);
  } else if (result.already_member) {
    toast(`Вы уже в беседе «${result.title}»`);
  } else {
    toast(`Вы вступили в беседу «${result.title}»`);
  }
  setOpen(String(result.peer_id));
  await refresh();
}

function reportError(error) {
  if (error?.name === "AbortError") return;
  toast(error?.message || String(error), "error");
}

// -- the address: #person=<id>&open=<peer_id|sms> -------------------------------------------

function readHash() {
  const params = new URLSearchParams(location.hash.slice(1));
  return { person: Number(params.get("person")) || null, open: params.get("open") };
}

function writeHash() {
  const params = new URLSearchParams();
  if (state.person) params.set("person", String(state.person.id));
  if (state.person && state.openKey) params.set("open", state.openKey);
  const hash = params.toString();
  if (location.hash.slice(1) !== hash) history.replaceState(null, "", hash ? `#${hash}` : location.pathname);
}

function applyHash() {
  const { person, open } = readHash();
  if (person && person !== state.person?.id) choosePerson(person, open);
  else if (!person && state.person) showPeople();
  else if (person && open !== state.openKey) setOpen(open);
}

// -- start ----------------------------------------------------------------------------------

async function start() {
  setToastArea($("toasts"));
  el.back.append(icon("back", 22));
  document.querySelector(".attach").append(icon("clip", 22));
  $("send").append(icon("send", 22));

  el.newPersonToggle.addEventListener("click", () => toggleNewPerson(true));
  el.newPersonCancel.addEventListener("click", () => toggleNewPerson(false));
  el.newPersonForm.addEventListener("submit", createPerson);
  el.switchPerson.addEventListener("click", () => showPeople());
  el.back.addEventListener("click", () => setOpen(null));
  el.messages.addEventListener("scroll", () => {
    const { scrollHeight, scrollTop, clientHeight } = el.messages;
    state.stickToBottom = scrollHeight - scrollTop - clientHeight < 80;
  });
  // Photos load after the thread is drawn: keep the newest message in sight.
  el.messages.addEventListener("load", () => state.stickToBottom && scrollToBottom(), true);
  setupComposer(
    { form: el.composer, text: el.text, file: el.fileInput, dropZone: el.thread },
    { onText: sendText, onFile: sendFile, onError: reportError },
  );
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible" && state.person) refresh();
  });
  window.addEventListener("hashchange", applyHash);

  try {
    state.community = await api.community();
    el.brandName.textContent = state.community.name;
  } catch (error) {
    reportError(error);
  }
  const { person, open } = readHash();
  if (person) await choosePerson(person, open);
  else await showPeople();
}

start();
