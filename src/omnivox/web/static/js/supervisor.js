// The supervisor's live view: agents and calls of the organisation, updated by pushed
// events, re-read from the API whenever the stream (re)connects.
import { api, connectEvents, escapeHtml, since } from "/static/js/live.js";
import { createSoftphone, fetchToken } from "/static/js/softphone.js";

const $ = (id) => document.getElementById(id);
let agents = new Map();  // user_id -> AgentStatusRead
let calls = new Map();   // call id -> CallRead
const ENDED = new Set(["completed", "busy", "no_answer", "failed", "canceled", "abandoned"]);

function showError(message) {
  $("supervisor-error").textContent = message;
  $("supervisor-error").hidden = !message;
}

async function act(fn) {
  try { showError(""); await fn(); } catch (err) { showError(err.message); await reload(); }
}

async function reload() {
  // The people on the floor: agents, and anyone else only while signed in as one.
  agents = new Map((await api("GET", "/api/v1/agents?floor=true")).map((a) => [a.user_id, a]));
  calls = new Map((await api("GET", "/api/v1/calls?active=true")).map((c) => [c.id, c]));
  render();
  await loadTiles();
}

// Queue and campaign tiles: figures computed by the backend from stored data, re-read
// (at most every two seconds) whenever calls or agents change.
let tilesDue = null;
function tilesSoon() {
  if (!tilesDue) tilesDue = setTimeout(() => { tilesDue = null; loadTiles().catch((e) => showError(e.message)); }, 2000);
}

const pct = (x) => (x === null || x === undefined ? "—" : `${(x * 100).toFixed(1)} %`);
const secs = (x) => (x === null || x === undefined ? "—" : `${Math.round(x)} s`);

async function loadTiles() {
  const queues = await api("GET", "/api/v1/queues");
  const qstats = await Promise.all(queues.map((q) => api("GET", `/api/v1/queues/${q.id}/stats`)));
  $("queue-tiles").innerHTML = queues.length ? queues.map((q, i) => {
    const s = qstats[i];
    return `<div class="tile" data-queue="${escapeHtml(q.name)}"><h3>${escapeHtml(q.name)}</h3>
      <dl><dt>Waiting</dt><dd data-testid="queue-waiting">${s.waiting}</dd>
      <dt>Of which callbacks</dt><dd data-testid="queue-callbacks">${s.callbacks_waiting}</dd>
      <dt>Longest wait</dt><dd>${secs(s.longest_wait_seconds)}</dd>
      <dt>Agents available</dt><dd>${s.agents_available}</dd>
      <dt>Answered today</dt><dd>${s.answered_today}</dd>
      <dt>Abandoned today</dt><dd>${s.abandoned_today}</dd>
      <dt>Service level (${q.service_level_seconds} s)</dt><dd>${pct(s.service_level_today)}</dd></dl></div>`;
  }).join("") : `<p class="small">No queues.</p>`;
  const campaigns = (await api("GET", "/api/v1/campaigns")).filter((c) => c.status === "active" || c.status === "paused");
  const live = await Promise.all(campaigns.map((c) => api("GET", `/api/v1/campaigns/${c.id}/live`)));
  $("campaign-tiles").innerHTML = campaigns.length ? campaigns.map((c, i) => {
    const s = live[i];
    return `<div class="tile" data-campaign="${escapeHtml(c.name)}"><h3>${escapeHtml(c.name)} <span class="small">${escapeHtml(s.status)} · ${escapeHtml(s.dial_mode)}</span></h3>
      <dl><dt>Dialled</dt><dd>${s.dialled}</dd><dt>Answered</dt><dd>${s.answered}</dd>
      <dt>Abandoned (${s.abandon_window_hours} h)</dt><dd class="${s.at_cap ? "error" : ""}">${pct(s.abandon_rate)} of ${s.live_answers} (cap ${pct(s.abandon_rate_cap)})</dd>
      <dt>AMD rate</dt><dd>${pct(s.amd_rate)}</dd><dt>Dial ratio</dt><dd>${s.dial_ratio.toFixed(2)}</dd></dl>
      ${s.cap_notice ? `<p class="error" data-testid="campaign-cap-notice">${escapeHtml(s.cap_notice)}</p>` : ""}</div>`;
  }).join("") : `<p class="small">No active campaigns.</p>`;
}

// The customer's number: who was dialled, or who called in.
function party(c) {
  return c ? (c.direction === "outbound" ? c.to : c.from) : null;
}

function nameOf(userId) { return agents.get(userId)?.name ?? "—"; }

function render() {
  const options = $("force-options").innerHTML;
  $("agents").innerHTML = [...agents.values()].map((a) => `
    <tr data-agent="${escapeHtml(a.email)}">
      <td>${escapeHtml(a.name)}</td>
      <td class="state-${escapeHtml(a.state)}" data-testid="agent-state">${escapeHtml(a.state.replace("_", " "))}${a.reason ? ` (${escapeHtml(a.reason)})` : ""}</td>
      <td data-since="${escapeHtml(a.since ?? "")}">${since(a.since)}</td>
      <td>${a.current_call_id ? escapeHtml(party(calls.get(a.current_call_id)) ?? "on a call") : "—"}</td>
      <td>${a.missed_count}</td>
      <td class="line-${escapeHtml(a.line)}" data-testid="agent-line">${escapeHtml(a.line === "none" ? "—" : a.line)}</td>
      <td><select data-force="${escapeHtml(a.user_id)}" aria-label="Force state">${options}</select>
          <button class="small" data-logout="${escapeHtml(a.user_id)}">Log out</button></td>
    </tr>`).join("");
  const counts = {};
  agents.forEach((a) => { counts[a.state] = (counts[a.state] ?? 0) + 1; });
  $("agent-counts").textContent = Object.entries(counts).map(([s, n]) => `${n} ${s.replace("_", " ")}`).join(" · ");
  const live = [...calls.values()].filter((c) => !ENDED.has(c.state));
  $("call-count").textContent = `${live.length} live`;
  $("calls").innerHTML = live.map((c) => `
    <tr data-call="${escapeHtml(c.id)}">
      <td>${escapeHtml(party(c))}</td><td>${escapeHtml(c.direction)}</td>
      <td data-testid="call-state">${escapeHtml(c.state.replace("_", " "))}</td><td>${escapeHtml(nameOf(c.agent_id))}</td>
      <td data-since="${escapeHtml(c.answered_at ?? c.created_at)}">${since(c.answered_at ?? c.created_at)}</td>
      <td>${c.state === "wrap_up" ? "" : ["listen", "whisper", "barge"].map((m) => {
            const on = monitor.callId === c.id && monitor.mode === m;
            return `<button class="small${on ? " active" : ""}" aria-pressed="${on}" data-supervise="${m}" data-id="${escapeHtml(c.id)}" data-testid="${m}">${m}</button>`;
          }).join(" ")}
          ${c.state === "wrap_up" ? "" : `<button class="small danger" data-hangup="${escapeHtml(c.id)}" data-testid="hangup-call" title="End this call for everyone on it">hang up</button>`}</td>
    </tr>`).join("");
}

function onEvent(event) {
  const data = event.data;
  if (event.name === "agent.state_changed") {
    const known = agents.get(data.user_id);
    if (!known) return reload();
    if (data.state === "offline" && known.role !== "agent") {  // off the floor again
      agents.delete(data.user_id);
      render();
      return;
    }
    agents.set(data.user_id, { ...known, state: data.state, reason: data.reason, since: data.since,
                               current_call_id: data.call_id, missed_count: data.missed_count });
    render();
    tilesSoon();
  } else if (event.name === "line.connected" || event.name === "line.dropped") {
    const known = agents.get(data.user_id);
    if (!known) return reload();
    // A dropped line shows at once, before the agent's state follows it.
    const line = event.name === "line.connected" ? "connected" : (data.reason === "offline" ? "off" : "dropped");
    agents.set(data.user_id, { ...known, line });
    render();
  } else if (event.name.startsWith("call.") && data.call) {
    calls.set(data.call.id, data.call);
    if (data.call.id === monitor.callId && (ENDED.has(data.call.state) || data.call.state === "wrap_up")) {
      stopMonitoring(data.call.state === "wrap_up" ? "the customer hung up" : "the call has ended");
    }
    render();
    tilesSoon();
  }
}

document.addEventListener("change", (e) => {
  const userId = e.target.dataset?.force;
  if (!userId || !e.target.value) return;
  const [state, reason] = e.target.value.split(":");
  act(() => api("PUT", `/api/v1/agents/${userId}/state`, reason ? { state, reason } : { state }));
});

document.addEventListener("click", (e) => {
  const t = e.target;
  if (t.dataset?.logout) act(() => api("POST", `/api/v1/agents/${t.dataset.logout}/logout`));
  if (t.dataset?.supervise) supervise(t.dataset.id, t.dataset.supervise);
  if (t.id === "monitor-stop") stopMonitoring("");
  if (t.dataset?.hangup) {
    const c = calls.get(t.dataset.hangup);
    // Any call, in any state: the customer is hung up, its agent released or in wrap-up.
    if (confirm(`Hang up the call with ${party(c) ?? "this customer"}?`)) {
      act(async () => { calls.set(t.dataset.hangup, await api("POST", `/api/v1/calls/${t.dataset.hangup}/hangup`)); render(); });
    }
  }
});

setInterval(() => document.querySelectorAll("[data-since]").forEach((td) => { td.textContent = since(td.dataset.since); }), 1000);

const simulate = document.getElementById("simulate-form");
if (simulate) {
  api("GET", "/api/v1/numbers").then((numbers) => {
    $("simulate-to").innerHTML = numbers.map((n) => `<option value="${escapeHtml(n.number)}">${escapeHtml(n.number)} ${escapeHtml(n.friendly_name)}</option>`).join("");
  }).catch((err) => showError(err.message));
  simulate.addEventListener("submit", (e) => { e.preventDefault(); act(async () => {
    const form = new FormData(e.target);
    const after = form.get("hang_up_after");
    await api("POST", "/api/v1/sandbox/inbound-calls", { from: form.get("from"), to: form.get("to"),
      hang_up_after: after ? Number(after) : null });
  }); });
}

// The page's own softphone (identity monitor_<user>): supervision legs ring it and it
// answers them by itself, so listen, whisper and barge are one click each and switch the
// same leg. The agent desktop the same person may have open is never rung.
const monitor = { callId: null, mode: null, sid: null, pending: null };
let phone = null;
let phoneReady = false;
const VERB = { listen: "Listening to", whisper: "Whispering to the agent on", barge: "On the call with" };

function renderMonitor(note) {
  const c = calls.get(monitor.callId);
  $("monitor-status").textContent = monitor.callId
    ? `${VERB[monitor.mode]} ${party(c) ?? "the call"} (${nameOf(c?.agent_id)})${monitor.sid ? "" : " — connecting…"}`
    : (note ? `Not monitoring: ${note}.` : "Not monitoring.");
  $("monitor-stop").hidden = !monitor.callId;
}

function stopMonitoring(note) {
  const callId = monitor.callId;
  if (monitor.sid) phone?.hangup(monitor.sid);
  // The server ends the leg too: one still ringing here must not be answered later.
  if (callId) api("POST", `/api/v1/calls/${callId}/monitor/stop`).catch(() => {});
  Object.assign(monitor, { callId: null, mode: null, sid: null });
  renderMonitor(note);
  render();
}

function supervise(callId, mode) {
  if (!phoneReady) {
    showError("Your monitor is not connected yet: wait until it says ready, then click again.");
    return;
  }
  act(async () => {
    if (monitor.callId && monitor.callId !== callId) stopMonitoring("");
    monitor.pending = callId;  // its leg may ring before this request returns
    try { await api("POST", `/api/v1/calls/${callId}/${mode}`); } finally { monitor.pending = null; }
    Object.assign(monitor, { callId, mode });
    renderMonitor();
    render();
  });
}

async function startMonitor() {
  phone = createSoftphone(await fetchToken("monitor"), {
    ready: () => { phoneReady = true; $("monitor-line").textContent = "ready"; },
    incoming: ({ callSid, params }) => {
      // Only the leg of the call being monitored; a stale one (an earlier call) is refused.
      const wanted = monitor.pending ?? monitor.callId;
      if (!wanted || params?.ovx_monitor !== wanted) { phone.reject(callSid); return; }
      if (monitor.sid && monitor.sid !== callSid) phone.hangup(monitor.sid);
      phone.accept(callSid);
      monitor.sid = callSid;
      renderMonitor();
    },
    ended: (sid) => {
      if (sid !== monitor.sid) return;
      Object.assign(monitor, { callId: null, mode: null, sid: null });
      renderMonitor("your monitor line ended");
      render();
    },
    status: () => {},
    disconnected: () => { phoneReady = false; $("monitor-line").textContent = "reconnecting…"; },
    error: (message) => showError(`Monitor: ${message}`),
  });
  phone.connect();
}

startMonitor().catch((err) => { $("monitor-line").textContent = "unavailable"; showError(err.message); });

connectEvents({ onEvent, onResync: () => act(reload), onStatus: (s) => { $("live-status").textContent = s; } });
