// The agent desktop's call controls follow the call: only the actions valid in the call's
// state are shown (the server refuses the others anyway), with the recording indicator,
// the hold timer and keyboard shortcuts. Everything here reads the call as the API gives
// it (GET /api/v1/calls/{id}: state, legs, recordings, history).

const TALKING = new Set(["connected", "on_hold", "transferring", "in_conference"]);
const OVER = new Set(["wrap_up", "completed", "failed", "busy", "no_answer", "canceled", "abandoned"]);

// My own leg on the call (an agent's, or a transfer target's), once it has joined.
export function myLeg(call, me) {
  return (call?.legs ?? []).find((l) => l.user_id === me && l.status === "joined") ?? null;
}

// The recording being made (in progress or paused), if any.
export function activeRecording(call) {
  return (call?.recordings ?? []).find((r) => r.status === "in-progress" || r.status === "paused") ?? null;
}

// A warm transfer I started whose target has joined: I may complete it.
function warmTransferWaiting(call, me) {
  return call.agent_id === me && ["in_conference", "on_hold"].includes(call.state) &&
    (call.legs ?? []).some((l) => l.role === "transfer_target" && l.status === "joined");
}

// The data-call actions valid now for me on this call.
export function validActions(call, me) {
  const valid = new Set();
  if (!call) return valid;
  const state = call.state;
  const mine = call.agent_id === me;
  if (mine && !OVER.has(state)) valid.add("hangup");
  if (mine && (state === "connected" || state === "in_conference")) valid.add("hold");
  if (mine && state === "on_hold") valid.add("resume");
  const leg = myLeg(call, me);
  if (leg && TALKING.has(state)) valid.add(leg.muted ? "unmute" : "mute");
  if (mine && TALKING.has(state)) {
    const rec = activeRecording(call);
    if (!rec) valid.add("recording/start");
    else {
      valid.add(rec.status === "paused" ? "recording/resume" : "recording/pause");
      valid.add("recording/stop");
    }
  }
  if (warmTransferWaiting(call, me)) valid.add("transfer/complete");
  return valid;
}

// Who is on the call with me, as the agent sees it: the customer, colleagues and outside
// numbers brought in (a supervisor listening is not shown). Only a conferenced third
// party can be dropped; the agent's own way out is "leave the call".
export function participants(call, me, customer) {
  if (!call || OVER.has(call.state)) return [];
  const joined = (call.legs ?? []).filter((l) => l.status === "joined" || l.status === "joining");
  const others = joined.filter((l) => ["third_party", "transfer_target"].includes(l.role));
  if (!others.length) return [];
  const inIt = joined.some((l) => l.user_id === me && l.status === "joined");
  return [
    { id: null, label: `${customer} (customer)`, droppable: false },
    ...joined.filter((l) => l.user_id === me).map((l) => ({ id: l.id, label: "You", droppable: false })),
    ...others.map((l) => ({
      id: l.id,
      label: `${l.target.replace(/^warm:/, "").replace(/^client:agent_.*/, "a colleague")}${l.role === "transfer_target" ? " (transfer)" : ""}${l.status === "joining" ? " — ringing" : ""}`,
      droppable: l.role === "third_party" && call.agent_id === me && inIt,
    })),
  ];
}

export function mayLeave(call, me) {
  return Boolean(myLeg(call, me)) && call.agent_id === me && call.state === "in_conference" &&
    (call.legs ?? []).some((l) => l.role === "third_party" && l.status === "joined");
}

// Transfer and conference: from a call I am talking on.
export function mayTransfer(call, me) {
  return Boolean(call) && call.agent_id === me && ["connected", "on_hold"].includes(call.state);
}

// When the call went on hold (the latest change into on_hold in its history).
export function holdStartedAt(call) {
  if (call?.state !== "on_hold") return null;
  const rows = (call.history ?? []).filter((h) => h.applied && h.to_state === "on_hold" && h.from_state !== "on_hold");
  return rows.length ? rows[rows.length - 1].at : null;
}

// Alt+Shift+<key> presses the visible control whose data-key is that key (a field gets
// the focus instead). Plain keys are left alone: the agent types notes.
export function bindShortcuts(root = document) {
  root.addEventListener("keydown", (e) => {
    if (!e.altKey || !e.shiftKey || e.ctrlKey || e.metaKey) return;
    const target = [...root.querySelectorAll(`[data-key="${e.code}"]`)].find(visible);
    if (!target) return;
    e.preventDefault();
    if (target.matches("select, input, textarea")) target.focus();
    else target.click();
  });
}

function visible(el) {
  return !el.disabled && el.getClientRects().length > 0 && !el.closest("[hidden]");
}
