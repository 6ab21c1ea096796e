// The agent desktop. Every control calls the backend; what the page shows comes from the
// API and from the events the backend pushes back.
import { api, connectEvents, escapeHtml, since } from "/static/js/live.js";
import { createSoftphone, fetchToken } from "/static/js/softphone.js";
import { createCampaignDesk } from "/static/js/campaign_desk.js";
import { activeRecording, bindShortcuts, holdStartedAt, mayLeave, mayTransfer, participants, validActions } from "/static/js/call_controls.js";

const $ = (id) => document.getElementById(id);
const me = $("desktop").dataset.userId;
let agent = null;      // GET /api/v1/agents/me/state
let call = null;       // GET /api/v1/calls/{id}
let contact = null;    // GET /api/v1/calls/{id}/contact (campaign calls only)
let contactAsked = null;  // the call whose contact was asked for: once per call
const myZone = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
let offer = null;      // {callSid, from}
let phone = null;
let phoneReady = false;
// The agent's line (telephony/lines.py): the call the softphone holds for the session, so
// calls reach the agent with no click. ``line`` is the server's view, ``lineSid`` the call
// this page's softphone answered as its line.
let line = { status: "none" };
let lineSid = null;
let lineTries = 0;
let lineTimer = null;
let clickedAccept = false;  // the last call was taken by a click (no auto-answer tone)
let tones = 0;

function showError(message) {
  const box = $("desktop-error");
  box.textContent = message;
  box.hidden = !message;
}

async function act(fn) {
  try { showError(""); await fn(); } catch (err) { showError(err.message); await refresh(); }
}

// --- the line -----------------------------------------------------------------------------

// connected / connecting / reconnecting / lost / off: what the agent needs to know about it.
function showLine(health) {
  const el = $("line-status");
  el.textContent = health;
  el.dataset.health = health;
  el.className = `line-${health}`;
}

function lineHealth() {
  if (line.status === "connected" && line.sid && line.sid === lineSid) return "connected";
  if (!agent || agent.state === "offline") return "off";
  if (lineTries >= 5) return "lost";
  if (line.status === "dropped" || !phoneReady) return "reconnecting";
  return "connecting";
}

// Ask for the line (kept if this page still holds it); retried with back-off while the
// agent is signed in and their line is not connected. One request at a time: a line being
// dialled is given the time to ring before another is asked for.
let lineAsked = 0;
async function ensureLine(retrying = false) {
  if (!phoneReady || !agent || agent.state === "offline") { showLine(lineHealth()); return; }
  if (lineHealth() === "connected") { lineTries = 0; showLine("connected"); return; }
  if (!retrying && line.status === "connecting" && Date.now() - lineAsked < 8000) return;
  clearTimeout(lineTimer);
  lineAsked = Date.now();
  try {
    line = await api("POST", "/api/v1/agents/me/line", { holding: lineSid });
  } catch (err) { showError(err.message); }
  showLine(lineHealth());
  // Not connected within a while: ask again (a new line), backing off, "lost" meanwhile.
  lineTries += 1;
  lineTimer = setTimeout(() => { if (lineHealth() !== "connected") ensureLine(true); },
                         Math.min(8000 * 2 ** Math.min(lineTries - 1, 2), 30000));
}

async function readLine() {
  line = await api("GET", "/api/v1/agents/me/line");
  showLine(lineHealth());
}

// A short tone when a call was connected with no click (WebAudio, no asset).
let audio = null;
function unlockAudio() {
  try { audio ??= new (window.AudioContext || window.webkitAudioContext)(); audio.resume(); } catch { audio = null; }
}
function tone() {
  tones += 1;
  $("desktop").dataset.tones = String(tones);
  if (!audio) return;
  const osc = audio.createOscillator(), gain = audio.createGain();
  osc.frequency.value = 880;
  gain.gain.setValueAtTime(0.15, audio.currentTime);
  gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.25);
  osc.connect(gain).connect(audio.destination);
  osc.start();
  osc.stop(audio.currentTime + 0.25);
}
document.addEventListener("click", unlockAudio, { capture: true });

async function refresh() {
  agent = await api("GET", "/api/v1/agents/me/state");
  const id = agent.current_call_id;
  call = id ? await api("GET", `/api/v1/calls/${id}`) : null;
  // Kept while the call comes and goes from a refresh: it is asked for once per call.
  if (call && contact && contact.forCall !== call.id) contact = null;
  render();
  desk.sync(Boolean(call));
  if (call) { loadHistory(call.id); loadContact(call); }
}

function party(c) {
  return c.direction === "outbound" ? c.to : c.from;
}

function render() {
  $("agent-state").textContent = agent ? agent.state.replace("_", " ") + (agent.reason ? ` (${agent.reason})` : "") : "…";
  const hasCall = call && ["reserved", "on_call"].includes(agent.state);
  $("call").hidden = !hasCall;
  $("no-call").hidden = Boolean(hasCall);
  // Wrap-up of the call, or of one's part of a call transferred to someone else.
  $("disposition-form").hidden = !(call && agent && agent.state === "wrap_up");
  // A dialler call AMD passed to us as a person: the agent can say it was a machine.
  $("amd-review").hidden = !(call && call.owner.kind === "campaign" && agent
    && ["on_call", "wrap_up"].includes(agent.state));
  if (call) {
    $("call-party").textContent = party(call);
    $("call-state").textContent = call.state.replace("_", " ");
    $("customer-number").textContent = call.direction === "outbound" ? call.to : call.from;
  }
  renderControls();
  renderCallback();
  $("incoming").hidden = !offer;
  // The softphone leg comes from our own number; the customer is on the call we hold.
  if (offer) $("incoming-from").textContent = call ? party(call) : offer.from;
  // A queue's outbound call is a callback-in-queue: the customer is dialled once you accept.
  const callback = Boolean(offer && call && call.direction === "outbound" && call.owner.kind === "queue");
  $("incoming-title").textContent = callback ? "Callback request" : "Incoming call";
  $("incoming-label").textContent = callback ? "Call back" : "From";
}

// Only the controls valid in the call's state, the recording indicator, the hold timer.
function renderControls() {
  const valid = validActions(call, me);
  document.querySelectorAll("[data-call]").forEach((btn) => { btn.hidden = !valid.has(btn.dataset.call); });
  document.querySelector("details.transfer").hidden = !mayTransfer(call, me);
  const rec = activeRecording(call);
  const dot = $("recording-indicator");
  dot.hidden = !rec;
  dot.textContent = !rec ? "" : rec.status === "paused" ? "Recording paused" : "● Recording";
  dot.classList.toggle("paused", rec?.status === "paused");
  const people = participants(call, me, call ? party(call) : "");
  $("participants").hidden = !people.length;
  $("participant-list").innerHTML = people.map((p) => `<li data-testid="participant">${escapeHtml(p.label)}${
    p.droppable ? ` <button type="button" class="small danger" data-drop="${escapeHtml(p.id)}" data-testid="drop-participant">Drop</button>` : ""}</li>`).join("");
  $("leave-call").hidden = !mayLeave(call, me);
}

// The campaign contact of a campaign call, asked for once per call; other calls have none.
async function loadContact(c) {
  if (contactAsked === c.id) return;
  contactAsked = c.id;
  contact = null;
  if (c.owner.kind === "campaign") {
    try {
      contact = { forCall: c.id, ...(await api("GET", `/api/v1/calls/${c.id}/contact`)) };
    } catch { contact = null; }  // placed by hand to a number outside the lists
  }
  const found = contact?.contact;
  $("contact-details").hidden = !found;
  if (found) showDetails(found);
  renderCallback();
}

// A callback can be scheduled for a campaign contact (in the contact's time) or for the
// customer of a call that came through a queue (in the agent's own time).
function callbackKind() {
  if (!call) return null;
  if (contact?.contact && contact.forCall === call.id) return "contact";
  return call.owner.kind === "queue" ? "queue" : null;
}

function renderCallback() {
  const kind = callbackKind();
  $("callback-fields").hidden = !kind;
  $("callback-when").textContent = kind === "queue"
    ? `Call back at (your time, ${myZone})` : "Call back at (the contact's local time)";
  $("callback-personal").hidden = kind !== "contact";
  const code = document.querySelector("[data-testid=disposition-code]");
  const category = code.selectedOptions[0]?.dataset.category;
  // "Call back later" needs its time.
  $("disposition-form").elements.callback_at.required = Boolean(kind) && category === "callback";
}

// A sale asks for its amount (in the organisation's currency); nothing else takes one.
function renderSaleAmount() {
  const code = document.querySelector("[data-testid=disposition-code]");
  const sale = code.selectedOptions[0]?.dataset.category === "sale";
  const input = $("disposition-form").elements.amount;
  $("sale-amount-field").hidden = !sale;
  input.required = sale;
  input.disabled = !sale;
}

function showDetails(c) {
  const fields = [["Name", `${c.first_name} ${c.last_name}`.trim() || "—"], ["E-mail", c.email || "—"],
    ["Time zone", c.timezone], ["Attempts", c.attempts], ["Last outcome", c.last_disposition ?? "—"],
    ...Object.entries(c.custom_fields ?? {})];
  $("contact-details").innerHTML = fields.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join("");
}

async function loadHistory(callId) {
  showHistory(await api("GET", `/api/v1/calls/${callId}/customer-history`));
}

// A previewed campaign contact (no call yet) on the same customer card.
function showContact(c, calls) {
  $("customer-number").textContent = c.phone;
  $("contact-details").hidden = false;
  showDetails(c);
  showHistory(calls);
}

function showHistory(rows) {
  $("customer-history").innerHTML = rows.length
    ? rows.map((c) => `<tr><td>${escapeHtml(new Date(c.created_at).toLocaleString())}</td><td>${escapeHtml(c.disposition ?? c.state.replace("_", " "))}</td><td>${escapeHtml(c.notes ?? "")}</td></tr>`).join("")
    : `<tr><td colspan="3" class="small">First call with this number.</td></tr>`;
}

// Mark AMD's verdict on a call (POST /api/v1/calls/{id}/amd-review); the answer is said.
async function reviewAmd(callId, verdict, said) {
  await api("POST", `/api/v1/calls/${callId}/amd-review`, { verdict });
  showTakenBack(said);
}

// The dialler took a call back (AMD said "machine" after it reached us): say why, and let
// the agent say it was a person they heard (an AMD false positive).
function showTakenBack(message, callId = null) {
  let box = $("desktop-notice");
  if (!box) {
    box = Object.assign(document.createElement("div"), { id: "desktop-notice", className: "ok" });
    box.setAttribute("role", "status");
    box.dataset.testid = "desktop-notice";
    $("desktop-error").after(box);
  }
  box.textContent = message;
  if (callId) {
    const person = Object.assign(document.createElement("button"), { type: "button", textContent: "It was a person" });
    person.dataset.testid = "amd-person-after-machine";
    person.addEventListener("click", () => act(() => reviewAmd(callId, "person_after_machine",
      "Thank you: marked as a person AMD took for a machine.")));
    box.append(" ", person);
  }
  box.hidden = false;
  clearTimeout(showTakenBack.timer);
  showTakenBack.timer = setTimeout(() => { box.hidden = true; }, 10000);
}

function onEvent(event) {
  const data = event.data;
  if (event.name === "line.connected" && data.user_id === me) {
    lineTries = 0;
    return readLine();
  }
  if (event.name === "line.dropped" && data.user_id === me) {
    return readLine().then(() => { if (data.reason !== "offline") ensureLine(); });
  }
  if (event.name === "agent.state_changed" && data.user_id === me && data.state === "on_call"
      && data.previous_state === "reserved") {
    if (!clickedAccept) tone();  // connected with no click: a dialler call, our own, auto-answer
    clickedAccept = false;
  }
  if (event.name === "agent.state_changed" && data.user_id === me && data.state === "offline") {
    lineSid = null;
  }
  if (event.name === "call.taken_back" && data.user_id === me) { showTakenBack(data.message, data.call.id); return refresh(); }
  if (event.name === "agent.state_changed" && data.user_id === me) return refresh().then(() => ensureLine());
  if (event.name.startsWith("call.") && data.call) {
    if (data.call.agent_id === me || (call && call.id === data.call.id)) return refresh();
  }
}

function tick() {
  $("agent-state-timer").textContent = agent?.since ? since(agent.since) : "";
  $("call-timer").textContent = call?.answered_at ? since(call.answered_at) : "";
  const held = holdStartedAt(call);
  $("hold-timer").hidden = !held;
  $("hold-timer").textContent = held ? `on hold ${since(held)}` : "";
  $("wrap-up-timer").textContent = agent?.state === "wrap_up" && agent.since ? since(agent.since) : "";
}
setInterval(tick, 1000);

document.querySelectorAll("[data-action]").forEach((btn) => btn.addEventListener("click", () => act(async () => {
  const state = btn.dataset.action;
  const body = state === "break" ? { state, reason: $("break-reason").value } : { state };
  // The line first: the first call of the session must already find it up.
  if (state !== "offline" && phoneReady && lineHealth() !== "connected" && line.status !== "connecting") {
    lineAsked = Date.now();
    line = await api("POST", "/api/v1/agents/me/line", { holding: lineSid });
    showLine(lineHealth());
  }
  agent = await api("PUT", "/api/v1/agents/me/state", body);
  render();
  if (state === "offline") { lineSid = null; await readLine(); } else await ensureLine();
})));

document.querySelectorAll("[data-call]").forEach((btn) => btn.addEventListener("click", () => act(async () => {
  if (!call) throw new Error("there is no call to control");
  await api("POST", `/api/v1/calls/${call.id}/${btn.dataset.call}`);
  await refresh();
})));

$("participant-list").addEventListener("click", (e) => {
  const leg = e.target.dataset?.drop;
  if (leg) act(async () => { await api("POST", `/api/v1/calls/${call.id}/participants/${leg}/drop`); await refresh(); });
});

$("leave-call").addEventListener("click", () => act(async () => {
  if (!call) throw new Error("there is no call to leave");
  await api("POST", `/api/v1/calls/${call.id}/leave`);
  await refresh();
}));

$("dial-form").addEventListener("submit", (e) => { e.preventDefault(); act(async () => {
  await api("POST", "/api/v1/calls", { to: new FormData(e.target).get("to") });
  await refresh();
}); });

document.querySelector("details.transfer").addEventListener("toggle", (e) => { if (e.target.open) act(async () => {
  const targets = await api("GET", "/api/v1/calls/transfer-targets");
  $("transfer-target").innerHTML = `<option value="">— choose an agent or a queue —</option>` +
    targets.map((t) => `<option value="${escapeHtml(t.kind)}:${escapeHtml(t.id)}">${t.kind === "queue" ? "Queue: " : ""}${escapeHtml(t.name)}</option>`).join("");
}); });

$("transfer-form").addEventListener("submit", (e) => { e.preventDefault(); act(async () => {
  const form = new FormData(e.target);
  const external = String(form.get("external") || "").trim();
  const [kind, id] = String(form.get("target") || ":").split(":");
  const warm = form.get("warm") === "on" && kind !== "queue";  // a queue has nobody to talk to first
  const body = external ? { kind: "external", target: external, warm: form.get("warm") === "on" }
                        : { kind, target: id, warm };
  if (!body.target) throw new Error("choose an agent or type a number");
  await api("POST", `/api/v1/calls/${call.id}/transfer`, body);
  await refresh();
}); });

$("conference-form").addEventListener("submit", (e) => { e.preventDefault(); act(async () => {
  await api("POST", `/api/v1/calls/${call.id}/conference`, { number: new FormData(e.target).get("number") });
  await refresh();
}); });

$("disposition-form").addEventListener("submit", (e) => { e.preventDefault(); act(async () => {
  const form = new FormData(e.target);
  const callbackAt = form.get("callback_at");
  const kind = callbackKind();
  // Scheduled first: a refused time keeps the form open.
  if (callbackAt && kind === "contact") {
    await api("POST", "/api/v1/callbacks", {
      contact_id: contact.contact.id, campaign_id: contact.campaign_id, due_local: callbackAt,
      agent_id: form.get("callback_personal") === "on" ? me : null, notes: form.get("notes") || "" });
  } else if (callbackAt && kind === "queue") {
    await api("POST", `/api/v1/calls/${call.id}/callback`, {
      due_local: callbackAt, timezone: myZone, notes: form.get("notes") || "" });
  }
  const amount = form.get("amount");  // absent while the field is disabled (not a sale)
  await api("POST", `/api/v1/calls/${call.id}/disposition`, {
    code: form.get("code"), notes: form.get("notes") || null, ...(amount ? { amount } : {}) });
  e.target.reset();
  renderSaleAmount();
  call = null;
  await refresh();
}); });

$("amd-machine-passed").addEventListener("click", () => act(() => reviewAmd(call.id, "machine_passed",
  "Thank you: marked as a machine AMD passed to you.")));

$("accept").addEventListener("click", () => { if (offer) { clickedAccept = true; phone.accept(offer.callSid); offer = null; render(); } });
$("reject").addEventListener("click", () => { if (offer) { phone.reject(offer.callSid); offer = null; render(); } });

async function startPhone() {
  try {
    phone = createSoftphone(await fetchToken(), {
      ready: () => {
        $("phone-status").textContent = "ready";
        phoneReady = true;
        lineTries = 0;
        ensureLine();
      },
      incoming: (o) => {
        if (o.line) {  // our line: answered by the desktop itself, never offered
          lineSid = o.callSid;
          phone.accept(o.callSid);
          return;
        }
        offer = o;
        render();
      },
      ended: (sid) => {
        if (sid === lineSid) { lineSid = null; showLine(lineHealth()); }
        if (offer && offer.callSid === sid) { offer = null; render(); }
      },
      status: (sid, status) => { if (sid === lineSid && status === "reconnecting") showLine("reconnecting"); },
      disconnected: () => {
        $("phone-status").textContent = "reconnecting…";
        phoneReady = false;
        lineSid = null;  // the line ends with the connection; the customer's call does not
        showLine(lineHealth());
      },
      error: (msg) => { $("phone-status").textContent = msg; },
    });
    phone.connect();
  } catch (err) {
    $("phone-status").textContent = err.message;
  }
}

document.querySelector("[data-testid=disposition-code]").addEventListener("change", renderCallback);
document.querySelector("[data-testid=disposition-code]").addEventListener("change", renderSaleAmount);
renderSaleAmount();
bindShortcuts();

const desk = createCampaignDesk({ act, refresh, showContact });
connectEvents({ onEvent, onResync: () => act(async () => {
  await refresh();
  await desk.load();
  await readLine();
  await ensureLine();
}) });
startPhone();
