// Browser softphone: one interface over the Twilio Voice SDK (production) and the sandbox
// carrier's WebSocket softphone (local runs and tests). The desktop only sees these events:
// ready(identity), incoming({callSid, from, to}), ended(callSid), status(callSid, status),
// error(message).

export async function fetchToken() {
  const resp = await fetch("/api/v1/telephony/token", { credentials: "same-origin" });
  if (!resp.ok) throw new Error(`softphone token refused (${resp.status})`);
  return resp.json();
}

class SandboxSoftphone {
  constructor(info, on) {
    this.info = info;
    this.on = on;
    this.ws = null;
  }

  connect() {
    const proto = location.protocol === "https:" ? "wss" : "ws";
    this.ws = new WebSocket(`${proto}://${location.host}${this.info.sandbox_softphone_url}`);
    this.ws.addEventListener("open", () =>
      this.ws.send(JSON.stringify({ type: "register", token: this.info.token })));
    this.ws.addEventListener("message", (msg) => this.#handle(JSON.parse(msg.data)));
    this.ws.addEventListener("close", () => this.on.error("softphone disconnected"));
  }

  #handle(m) {
    if (m.type === "registered") this.on.ready(m.identity);
    else if (m.type === "incoming") this.on.incoming({ callSid: m.call_sid, from: m.from, to: m.to });
    else if (m.type === "canceled") this.on.ended(m.call_sid);
    else if (m.type === "call-status") {
      this.on.status(m.call_sid, m.status);
      if (["completed", "busy", "no-answer", "canceled", "failed"].includes(m.status)) this.on.ended(m.call_sid);
    } else if (m.type === "error") this.on.error(m.error);
  }

  #send(type, callSid, extra = {}) {
    this.ws.send(JSON.stringify({ type, call_sid: callSid, ...extra }));
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
    this.device = new window.Twilio.Device(this.info.token, { closeProtection: true });
    this.device.on("registered", () => this.on.ready(this.info.identity));
    this.device.on("error", (err) => this.on.error(err.message));
    this.device.on("tokenWillExpire", async () => this.device.updateToken((await fetchToken()).token));
    this.device.on("incoming", (call) => {
      const sid = call.parameters.CallSid;
      this.calls.set(sid, call);
      call.on("disconnect", () => this.on.ended(sid));
      call.on("cancel", () => this.on.ended(sid));
      call.on("accept", () => this.on.status(sid, "in-progress"));
      this.on.incoming({ callSid: sid, from: call.parameters.From, to: call.parameters.To });
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
