"""The SQLite schema of the sandbox world. A fresh file is an empty world."""

SCHEMA_VERSION = 1

SCHEMA = """
CREATE TABLE IF NOT EXISTS counters (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS people (
    id INTEGER PRIMARY KEY,                 -- VK user id, from 1000001
    name TEXT NOT NULL,
    phone TEXT NOT NULL UNIQUE,             -- normalised: + and digits
    has_vk INTEGER NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    -- may the community write to them: none (never wrote) | allowed | denied (blocked it)
    permission TEXT NOT NULL DEFAULT 'none',
    pending_ref TEXT,                       -- from a deep link, lands on the next message
    pending_ref_source TEXT,
    view_version INTEGER NOT NULL DEFAULT 0,  -- bumped whenever what they see changes
    created_at INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS chats (
    id INTEGER PRIMARY KEY,                 -- also the community's own chat_id
    title TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    invite_token TEXT UNIQUE,
    community_state TEXT NOT NULL DEFAULT 'in',  -- in | kicked | left
    photo_file_id INTEGER REFERENCES files(id),
    deleted INTEGER NOT NULL DEFAULT 0
);

-- current members; the community is member -group_id while it is in the chat
CREATE TABLE IF NOT EXISTS chat_members (
    chat_id INTEGER NOT NULL REFERENCES chats(id),
    member_id INTEGER NOT NULL,
    invited_by INTEGER NOT NULL,
    join_date INTEGER NOT NULL,
    is_admin INTEGER NOT NULL DEFAULT 0,
    position INTEGER NOT NULL,              -- join order
    PRIMARY KEY (chat_id, member_id)
);

-- a person's own chat ids (from 101) and which part of the history they see
CREATE TABLE IF NOT EXISTS person_chats (
    person_id INTEGER NOT NULL REFERENCES people(id),
    chat_id INTEGER NOT NULL REFERENCES chats(id),
    local_id INTEGER NOT NULL,
    visible_from_cmid INTEGER NOT NULL,
    visible_until_cmid INTEGER,             -- set while they are out of the chat
    PRIMARY KEY (person_id, chat_id),
    UNIQUE (person_id, local_id)
);

-- a dialog (community <-> person) or a chat
CREATE TABLE IF NOT EXISTS conversations (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,                     -- dialog | chat
    target_id INTEGER NOT NULL,             -- person id | chat id
    last_cmid INTEGER NOT NULL DEFAULT 0,
    keyboard TEXT,                          -- the current regular keyboard (JSON)
    keyboard_cmid INTEGER,                  -- the message that set it
    pinned_cmid INTEGER,
    UNIQUE (kind, target_id)
);

CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id),
    cmid INTEGER NOT NULL,
    from_id INTEGER NOT NULL,
    date INTEGER NOT NULL,
    text TEXT NOT NULL,
    payload TEXT,
    keyboard TEXT,                          -- inline keyboard (JSON)
    attachments TEXT NOT NULL DEFAULT '[]', -- [{"type": "doc"|"photo", "id": media id}]
    action TEXT,                            -- service message action (JSON)
    ref TEXT,
    ref_source TEXT,
    random_id INTEGER NOT NULL DEFAULT 0,
    update_time INTEGER,
    deleted INTEGER NOT NULL DEFAULT 0,
    version INTEGER NOT NULL,
    UNIQUE (conversation_id, cmid)
);

CREATE TABLE IF NOT EXISTS reads (
    person_id INTEGER NOT NULL,
    conversation_id INTEGER NOT NULL,
    last_read_cmid INTEGER NOT NULL,
    PRIMARY KEY (person_id, conversation_id)
);

-- messages.send de-duplication: (peer as the community sees it, random_id) -> first result
CREATE TABLE IF NOT EXISTS sent_random_ids (
    peer_id INTEGER NOT NULL,
    random_id INTEGER NOT NULL,
    message_id INTEGER NOT NULL,
    cmid INTEGER NOT NULL,
    PRIMARY KEY (peer_id, random_id)
);

-- callback button presses waiting for messages.sendMessageEventAnswer
CREATE TABLE IF NOT EXISTS callbacks (
    event_id TEXT PRIMARY KEY,
    person_id INTEGER NOT NULL,
    conversation_id INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    answered INTEGER NOT NULL DEFAULT 0
);

-- what a person was shown in answer to a callback: snackbars, links, apps
CREATE TABLE IF NOT EXISTS event_answers (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL,
    conversation_id INTEGER NOT NULL,
    data TEXT NOT NULL,                     -- event_data as the community sent it (JSON)
    date INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS events (
    ts INTEGER PRIMARY KEY AUTOINCREMENT,
    body TEXT NOT NULL                      -- the whole update as handed out (JSON)
);

CREATE TABLE IF NOT EXISTS longpoll_keys (
    key TEXT PRIMARY KEY,
    active INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL
);

-- Callback API servers of the community (groups.addCallbackServer) and their delivery progress
CREATE TABLE IF NOT EXISTS callback_servers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,   -- server_id: 1, 2, 3…, never reused
    title TEXT NOT NULL,
    url TEXT NOT NULL,
    secret_key TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'wait',    -- wait (being confirmed) | ok | failed
    generation INTEGER NOT NULL DEFAULT 0,  -- bumped by every edit: a late confirmation is ignored
    api_version TEXT NOT NULL,
    events TEXT NOT NULL DEFAULT '{}',      -- enabled type -> the ts after which its events go
    cursor INTEGER NOT NULL DEFAULT 0,      -- every event up to this ts is done for the server
    paused_until REAL,                      -- unix time; nothing is sent before it
    created_at INTEGER NOT NULL
);

-- events acknowledged (or given up) out of order, above their server's cursor
CREATE TABLE IF NOT EXISTS callback_done (
    server_id INTEGER NOT NULL REFERENCES callback_servers(id) ON DELETE CASCADE,
    ts INTEGER NOT NULL,
    PRIMARY KEY (server_id, ts)
);

CREATE TABLE IF NOT EXISTS files (
    id INTEGER PRIMARY KEY,
    token TEXT NOT NULL UNIQUE,
    purpose TEXT NOT NULL,                  -- doc | photo | chat_photo
    chat_id INTEGER,                        -- for chat_photo
    filename TEXT NOT NULL,
    content BLOB NOT NULL,
    width INTEGER NOT NULL DEFAULT 0,
    height INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);

-- saved documents and photos (attachable as doc<owner>_<id> / photo<owner>_<id>)
CREATE TABLE IF NOT EXISTS media (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,                     -- doc | photo
    owner_id INTEGER NOT NULL,
    file_id INTEGER NOT NULL REFERENCES files(id),
    title TEXT NOT NULL,
    date INTEGER NOT NULL,
    access_key TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS sms (
    id INTEGER PRIMARY KEY,
    phone TEXT NOT NULL,
    text TEXT NOT NULL,
    sender TEXT NOT NULL,
    date INTEGER NOT NULL
);

CREATE INDEX IF NOT EXISTS messages_by_conversation ON messages (conversation_id, cmid);
CREATE INDEX IF NOT EXISTS members_by_member ON chat_members (member_id);
CREATE INDEX IF NOT EXISTS sms_by_phone ON sms (phone);
"""
