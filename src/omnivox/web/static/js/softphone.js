// Browser softphone: one interface over the Twilio Voice SDK (production) and the sandbox
// carrier's WebSocket softphone (local runs and tests). The desktop only sees these events:
// ready(identity), incoming({callSid, from, to, line, params}), ended(callSid), status(callSid, status),
// disconnected(), error(message).
//
// ``line`` marks the agent's line (telephony/lines.py): the call Omnivox dials to keep the
// agent connected for the session, which the desktop answers by itself. The softphone
// reconnects by itself when its connection drops (a network blip, a server restart).

export const LINE_PARAM = "ovx_line";
export const LINE_FROM = "client:omnivox_line";

// ``purpose``: "desk" (the agent desktop) or "monitor" (the live floor page, which
// listen, whisper and barge legs ring). A reconnect asks again for the same purpose.
export async function fetchToken(purpose = "desk") {
  const resp = await fetch(`/api/v1/telephony/token?purpose=${purpose}`, { credentials: "same-origin" });
  if (!resp.ok) throw new Error(`softphone token refused (${resp.status})`);
  return { ...(await resp.json()), purpose };
}

function isLine(params, from) {
  return Boolean(params && params[LINE_PARAM]) || from === LINE_FROM;
}

class SandboxSoftphone {
  constructor(info, on) {
    this.info = info;
    this.on = on;
    this.ws = null;
    this.retry = 500;
  }

  connect() {
    const proto = location.protocol === "https:" ? "wss" : "ws";
    const ws = new WebSocket(`${proto}://${location.host}${this.info.sandbox_softphone_url}`);
    this.ws = ws;
    ws.addEventListener("open", () => ws.send(JSON.stringify({ type: "register", token: this.info.token })));
    ws.addEventListener("message", (msg) => this.#handle(JSON.parse(msg.data)));
    ws.addEventListener("close", () => {
      if (this.ws !== ws) return;
      this.on.disconnected();
      setTimeout(() => this.#reconnect(), this.retry);
      this.retry = Math.min(this.retry * 2, 10000);
    });
  }

  async #reconnect() {
    try { this.info = await fetchToken(this.info.purpose); } catch (err) { this.on.error(err.message); }
    this.connect();
  }

  #handle(m) {
    if (m.type === "registered") { this.retry = 500; this.on.ready(m.identity); }
    else if (m.type === "incoming") {
      this.on.incoming({ callSid: m.call_sid, from: m.from, to: m.to, line: isLine(m.params, m.from),
                         params: m.params ?? {} });
    } else if (m.type === "canceled") this.on.ended(m.call_sid);
    else if (m.type === "call-status") {
      this.on.status(m.call_sid, m.status);
      if (["completed", "busy", "no-answer", "canceled", "failed"].includes(m.status)) this.on.ended(m.call_sid);
    } else if (m.type === "error") this.on.error(m.error);
  }

  #send(type, callSid, extra = {}) {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify({ type, call_sid: callSid, ...extra }));
  }

  accept(callSid) { this.#send("answer", callSid); }
  reject(callSid) { this.#send("reject", callSid); }
  hangup(callSid) { this.#send("hangup", callSid); }
  digits(callSid, digits) { this.#send("digits", callSid, { digits }); }
}

class TwilioSoftphone {
  constructor(info, on) {
    this.info = info;
    this.on = on;
    this.calls = new Map();
  }

  connect() {
    // window.Twilio comes from /static/vendor/twilio-voice/twilio.min.js (npm @twilio/voice-sdk).
    // allowIncomingWhileBusy: offers (accept/reject queues, transfers) still ring while the
    // line is up.
    this.device = new window.Twilio.Device(this.info.token, { closeProtection: true, allowIncomingWhileBusy: true });
    this.device.on("registered", () => this.on.ready(this.info.identity));
    this.device.on("unregistered", () => this.on.disconnected());
    this.device.on("error", (err) => this.on.error(err.message));
    this.device.on("tokenWillExpire", async () => this.device.updateToken((await fetchToken(this.info.purpose)).token));
    this.device.on("incoming", (call) => {
      const sid = call.parameters.CallSid;
      const params = Object.fromEntries(call.customParameters ?? []);
      this.calls.set(sid, call);
      call.on("disconnect", () => this.on.ended(sid));
      call.on("cancel", () => this.on.ended(sid));
      call.on("accept", () => this.on.status(sid, "in-progress"));
      // A network blip: the SDK restores the media by itself (ICE restart).
      call.on("reconnecting", () => this.on.status(sid, "reconnecting"));
      call.on("reconnected", () => this.on.status(sid, "in-progress"));
      this.on.incoming({ callSid: sid, from: call.parameters.From, to: call.parameters.To,
                         line: isLine(params, call.parameters.From), params });
    });
    this.device.register();
  }

  accept(sid) { this.calls.get(sid)?.accept(); }
  reject(sid) { this.calls.get(sid)?.reject(); }
  hangup(sid) { this.calls.get(sid)?.disconnect(); }
  digits(sid, digits) { this.calls.get(sid)?.sendDigits(digits); }
}

export function createSoftphone(info, on) {
  return info.sandbox_softphone_url ? new SandboxSoftphone(info, on) : new TwilioSoftphone(info, on);
}
