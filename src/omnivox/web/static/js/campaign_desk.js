// Preview and manual campaigns on the agent desktop. Preview: the next contact, chosen and
// held for you by the server (2 minutes), with Call and Skip. Manual: search a campaign's
// contacts and dial one. The server applies every compliance gate and says which refused.
import { api, escapeHtml } from "/static/js/live.js";

const $ = (id) => document.getElementById(id);

export function createCampaignDesk({ act, refresh, showContact }) {
  let campaigns = [];   // GET /api/v1/agent-dialing/campaigns
  let current = null;   // the selected campaign
  let card = null;      // the previewed contact held for me (PreviewRead.card)
  let skipped = [];     // contacts I skipped in this campaign, not offered to me again now
  let onCall = false;

  const base = () => `/api/v1/campaigns/${encodeURIComponent(current.id)}`;

  async function load() {
    campaigns = await api("GET", "/api/v1/agent-dialing/campaigns");
    $("campaign-desk").hidden = campaigns.length === 0;
    const select = $("desk-campaign");
    const keep = current?.id ?? select.value;
    select.innerHTML = campaigns.map((c) => {
      const note = c.status === "active" ? c.dial_mode : `${c.dial_mode}, ${c.status}`;
      return `<option value="${escapeHtml(c.id)}">${escapeHtml(c.name)} (${escapeHtml(note)})</option>`;
    }).join("");
    if (campaigns.some((c) => c.id === keep)) select.value = keep;
    choose();
  }

  function choose() {
    const picked = campaigns.find((c) => c.id === $("desk-campaign").value) ?? null;
    if (picked?.id !== current?.id) { card = null; skipped = []; $("manual-results").innerHTML = ""; say(""); }
    current = picked;
    $("preview-panel").hidden = current?.dial_mode !== "preview";
    $("manual-panel").hidden = current?.dial_mode !== "manual";
    $("desk-script").textContent = current?.script ?? "";
    $("desk-script").hidden = !current?.script;
    draw();
  }

  function say(message) {
    $("desk-message").textContent = message;
    $("desk-message").hidden = !message;
  }

  function draw() {
    const showing = Boolean(card) && !onCall;
    $("preview-card").hidden = !showing;
    $("preview-next").hidden = Boolean(card) || onCall;
    if (!showing) return;
    const c = card.contact;
    $("preview-name").textContent = `${c.first_name} ${c.last_name}`.trim() || "(no name)";
    $("preview-phone").textContent = c.phone;
    $("preview-held").textContent = card.held_until
      ? `held for you until ${new Date(card.held_until).toLocaleTimeString()}` : "";
    showContact(c, card.calls, card.attempts);
  }

  function take(page) {
    card = page.card;
    say(card ? "" : page.message);
    draw();
  }

  async function next() {
    take(await api("POST", `${base()}/preview/next`, { exclude: skipped }));
  }

  async function skip() {
    skipped = [...skipped.filter((id) => id !== card.contact.id), card.contact.id].slice(-100);
    take(await api("POST", `${base()}/preview/${encodeURIComponent(card.contact.id)}/skip`, { exclude: skipped }));
  }

  async function call() {
    const id = card.contact.id;
    try {
      await api("POST", `${base()}/preview/${encodeURIComponent(id)}/call`);
    } finally {
      card = null;  // called, or refused: either way the server no longer holds it for me
      draw();
    }
    await refresh();
  }

  async function search(q) {
    const rows = await api("GET", `${base()}/manual/contacts?q=${encodeURIComponent(q)}`);
    $("manual-results").innerHTML = rows.length ? rows.map(({ contact: c, dialable, reason }) => `
      <tr data-contact="${escapeHtml(c.id)}">
        <td>${escapeHtml(`${c.first_name} ${c.last_name}`.trim() || "—")}</td>
        <td class="mono">${escapeHtml(c.phone)}</td>
        <td>${escapeHtml(c.status)}, ${escapeHtml(c.attempts)} attempt(s)</td>
        <td>${dialable ? "" : `<span class="small" data-testid="manual-reason">${escapeHtml(reason)}</span>`}</td>
        <td><button type="button" class="small" data-dial="${escapeHtml(c.id)}" data-testid="manual-dial"
             ${dialable ? "" : "disabled"}>Dial</button></td>
      </tr>`).join("")
      : `<tr><td colspan="5" class="small">No contact of this campaign matches.</td></tr>`;
  }

  async function dial(id) {
    await api("POST", `${base()}/manual/${encodeURIComponent(id)}/dial`);
    await refresh();
  }

  $("desk-campaign").addEventListener("change", choose);
  $("preview-next").addEventListener("click", () => act(next));
  $("preview-skip").addEventListener("click", () => act(skip));
  $("preview-call").addEventListener("click", () => act(call));
  $("manual-search").addEventListener("submit", (e) => { e.preventDefault(); act(() => search(new FormData(e.target).get("q") || "")); });
  $("manual-results").addEventListener("click", (e) => {
    const id = e.target.closest("[data-dial]")?.dataset.dial;
    if (id) act(() => dial(id));
  });

  return {
    load,
    // The desktop tells us when a call starts or ends: no preview card over a live call.
    sync(busy) {
      if (onCall && !busy && current?.dial_mode === "manual") $("manual-results").innerHTML = "";
      onCall = busy;
      draw();
    },
  };
}
