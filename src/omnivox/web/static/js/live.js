// Shared by the live pages: JSON API calls with the session's CSRF token, and the event
// stream from /ws/events with reconnection. After any reconnect the page re-reads its state
// from the API (the backend is the truth), through the onResync callback.

const csrf = document.querySelector('meta[name="csrf-token"]')?.content ?? "";

export class ApiError extends Error {}

export async function api(method, path, body) {
  const resp = await fetch(path, {
    method,
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (resp.status === 204) return null;
  const data = await resp.json().catch(() => ({}));
  if (!resp.ok) throw new ApiError(data.detail || `${method} ${path} failed (${resp.status})`);
  return data;
}

export function connectEvents({ onEvent, onResync, onStatus }) {
  let retry = 500;
  const open = () => {
    const proto = location.protocol === "https:" ? "wss" : "ws";
    const ws = new WebSocket(`${proto}://${location.host}/ws/events`);
    ws.addEventListener("open", () => { retry = 500; onStatus?.("live"); onResync(); });
    ws.addEventListener("message", (msg) => {
      const event = JSON.parse(msg.data);
      if (event.name === "resync") onResync();
      else if (event.name !== "hello" && event.name !== "heartbeat") onEvent(event);
    });
    ws.addEventListener("close", (e) => {
      onStatus?.("reconnecting");
      if (e.code === 4401) { location.href = "/login?next=" + encodeURIComponent(location.pathname); return; }
      setTimeout(open, retry);
      retry = Math.min(retry * 2, 10000);
    });
  };
  open();
}

export function since(iso) {
  if (!iso) return "";
  const secs = Math.max(0, Math.floor((Date.now() - Date.parse(iso)) / 1000));
  const m = Math.floor(secs / 60), s = secs % 60;
  return `${m}:${String(s).padStart(2, "0")}`;
}

export function escapeHtml(text) {
  return String(text ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
}
