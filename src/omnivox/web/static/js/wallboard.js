// The wallboard: one snapshot of the organisation, pushed by the server on every change
// (wallboard.updated) and read from the API only when the event stream (re)connects.
// Times in state and waits tick here, from the instants the snapshot carries.
import { api, connectEvents, escapeHtml, since } from "/static/js/live.js";

const $ = (id) => document.getElementById(id);
let snapshot = null;

const pct = (x) => (x === null || x === undefined ? "—" : `${(x * 100).toFixed(1)} %`);  // a share
const percent = (x) => (x === null || x === undefined ? "—" : `${Number(x).toFixed(1)} %`);  // the catalogue's percent
const num = (x, digits = 0) => (x === null || x === undefined ? "—" : Number(x).toFixed(digits));
const secs = (x) => (x === null || x === undefined ? "—" : `${Math.round(x)} s`);

// "ok", "warn" or "alert" for a figure against the organisation's thresholds.
function level(name, value) {
  const pair = snapshot?.thresholds?.[name];
  if (!pair || value === null || value === undefined) return "ok";
  const [warn, alert] = pair;
  if ((snapshot.higher_is_better ?? []).includes(name)) {
    return value < alert ? "alert" : value < warn ? "warn" : "ok";
  }
  return value >= alert ? "alert" : value >= warn ? "warn" : "ok";
}

function waitedSeconds(iso) {
  return iso ? (Date.now() - new Date(iso).getTime()) / 1000 : null;
}

function figure(label, text, name, value, testid) {
  return `<dt>${escapeHtml(label)}</dt><dd class="wb-${level(name, value)}"${testid ? ` data-testid="${testid}"` : ""}>${text}</dd>`;
}

function renderQueues() {
  $("wb-queues").innerHTML = snapshot.queues.length ? snapshot.queues.map((q) => {
    const waited = waitedSeconds(q.oldest_waiting_since);
    return `<div class="tile" data-queue="${escapeHtml(q.name)}"><h3>${escapeHtml(q.name)}</h3><dl>
      ${figure("Waiting now", q.waiting, "waiting", q.waiting, "wb-waiting")}
      ${figure("Longest wait", `<span data-wait-since="${escapeHtml(q.oldest_waiting_since ?? "")}">${secs(waited)}</span>`, "longest_wait_seconds", waited)}
      <dt>Agents available</dt><dd>${q.agents_available}</dd>
      <dt>Offered today</dt><dd data-testid="wb-offered">${num(q.calls_offered)}</dd>
      <dt>Handled today</dt><dd data-testid="wb-handled">${num(q.calls_handled)}</dd>
      ${figure("Abandoned today", `${num(q.calls_abandoned)} (${percent(q.abandon_rate)})`, "abandon_rate", q.abandon_rate, "wb-abandoned")}
      ${figure(`Service level (${q.service_level_seconds} s)`, percent(q.service_level_offered), "service_level", q.service_level_offered, "wb-sl")}
      <dt>ASA today</dt><dd>${secs(q.asa)}</dd></dl></div>`;
  }).join("") : `<p class="small">No queues.</p>`;
}

function renderAgents() {
  const a = snapshot.agents;
  $("wb-states").innerHTML = Object.entries(a.by_state).map(([state, n]) =>
    `<span class="wb-state state-${escapeHtml(state)}" data-state="${escapeHtml(state)}"><b>${n}</b> ${escapeHtml(state.replace("_", " "))}</span>`).join("")
    || `<span class="small">Nobody on the floor.</span>`;
  $("wb-floor").textContent = snapshot.bounded_to_teams
    ? "your teams' agents · today's figures for your teams are in Reports"
    : `talk ${num(a.talk_minutes_per_agent_hour, 1)} min per agent-hour today · occupancy ${percent(a.occupancy)}`;
  $("wb-people").innerHTML = a.people.map((p) => `<tr data-agent="${escapeHtml(p.user_id)}">
    <td>${escapeHtml(p.name)}</td><td class="state-${escapeHtml(p.state)}">${escapeHtml(p.state.replace("_", " "))}${p.reason ? ` (${escapeHtml(p.reason)})` : ""}</td>
    <td data-since="${escapeHtml(p.since ?? "")}">${since(p.since)}</td><td>${escapeHtml(p.line)}</td></tr>`).join("");
}

function renderCampaigns() {
  $("wb-campaigns").innerHTML = snapshot.campaigns.length ? snapshot.campaigns.map((c) => `
    <div class="tile" data-campaign="${escapeHtml(c.name)}"><h3>${escapeHtml(c.name)} <span class="small">${escapeHtml(c.status ?? "")} · ${escapeHtml(c.dial_mode ?? "")}</span></h3><dl>
      <dt>Lines per agent</dt><dd>${num(c.lines_per_agent, 2)}</dd>
      <dt>Dials today</dt><dd>${num(c.outbound_dials)}</dd>
      <dt>Live answers today</dt><dd>${num(c.live_answers)}</dd>
      <dt>Connects today</dt><dd>${num(c.outbound_connects)}</dd>
      ${figure(`Abandoned (${c.abandon_window_hours} h window)`, `${pct(c.abandon_rate)} of cap ${pct(c.abandon_rate_cap)}`, "legal_abandon_share_of_cap", c.legal_abandon_share_of_cap, "wb-campaign-abandon")}
    </dl></div>`).join("") : `<p class="small">No active campaigns.</p>`;
}

function render() {
  if (!snapshot) return;
  renderQueues();
  renderAgents();
  renderCampaigns();
  $("wb-updated").textContent = `as of ${new Date(snapshot.at).toLocaleTimeString()}`;
}

async function reload() {
  try {
    snapshot = await api("GET", "/api/v1/wallboard");
    $("wb-error").hidden = true;
    render();
  } catch (err) {
    $("wb-error").textContent = err.message;
    $("wb-error").hidden = false;
  }
}

setInterval(() => {
  document.querySelectorAll("[data-since]").forEach((td) => { td.textContent = since(td.dataset.since); });
  document.querySelectorAll("[data-wait-since]").forEach((el) => {
    el.textContent = secs(waitedSeconds(el.dataset.waitSince || null));
  });
}, 1000);

$("wb-tv").addEventListener("click", () => {
  $("wallboard").classList.add("tv");
  document.documentElement.requestFullscreen?.().catch(() => {});
});

connectEvents({
  onEvent: (event) => { if (event.name === "wallboard.updated") { snapshot = event.data.snapshot; render(); } },
  onResync: reload,
  onStatus: (s) => { $("wb-status").textContent = s; },
});
