// The sandbox's people JSON API (docs/sandbox.md), and nothing else: whatever this page does,
// a script can do with the same requests.

/** A refused request: `message` is the sandbox's Russian explanation. */
export class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

async function request(method, path, body, signal) {
  const options = { method, signal, headers: {} };
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, options);
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ApiError("Нет связи с песочницей", 0);
  }
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    throw new ApiError(data?.error || `Песочница ответила ${response.status}`, response.status);
  }
  return data;
}

const person = (id) => `/sandbox/people/${encodeURIComponent(id)}`;

export const api = {
  community: () => request("GET", "/sandbox/community"),
  people: () => request("GET", "/sandbox/people"),
  person: (id) => request("GET", person(id)),
  createPerson: (fields) => request("POST", "/sandbox/people", fields),

  conversations: (id) => request("GET", `${person(id)}/conversations`),
  messages: (id, peerId, limit = 200) =>
    request("GET", `${person(id)}/messages?peer_id=${peerId}&limit=${limit}`),
  send: (id, peerId, text) => request("POST", `${person(id)}/send`, { peer_id: peerId, text }),
  press: (id, peerId, label, cmid) =>
    request("POST", `${person(id)}/press`, {
      peer_id: peerId,
      label,
      ...(cmid ? { conversation_message_id: cmid } : {}),
    }),
  upload: (id, peerId, { filename, contentBase64, kind, text }) =>
    request("POST", `${person(id)}/upload`, {
      peer_id: peerId,
      filename,
      content_base64: contentBase64,
      kind,
      text,
    }),
  open: (id, url) => request("POST", `${person(id)}/open`, { url }),
  read: (id, peerId) => request("POST", `${person(id)}/read`, { peer_id: peerId }),

  /** Long poll: answers when anything the person sees differs from `version`. */
  wait: (id, version, timeout, signal) => {
    const query = new URLSearchParams({ timeout: String(timeout) });
    if (version !== null && version !== undefined) query.set("version", String(version));
    return request("GET", `${person(id)}/wait?${query}`, undefined, signal);
  },

  sms: (phone) => request("GET", `/sandbox/sms?phone=${encodeURIComponent(phone)}`),
};
