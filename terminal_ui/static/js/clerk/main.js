// The clerk's console: body and roster (with the import preview), sittings, agenda, documents and
// ballots; tablet pairing with printable QR codes; attendance with leave reasons; show-of-hands entry
// with a second confirmation; the 监票人 key ceremony; results of every round, printable; the audit log;
// staff accounts (the administrator's); the hall's seat map: drawn, imported and watched live.
import { h } from "../core/dom.js";
import { errorText, t } from "../core/i18n.js";
import { toast } from "../core/notify.js";
import { liveHall } from "../live/hall.js";
import { goLive, LiveClient, staffPage } from "../live/start.js";
import { accountsPanel, loadUsers } from "./accounts.js";
import { attendancePanel } from "./attendance.js";
import { auditPanel } from "./audit.js";
import { bodiesPanel } from "./bodies.js";
import { contextPanel, titlePanel } from "./context.js";
import { agendaImportPanel } from "./agenda-import.js";
import { copyPanel } from "./copy.js";
import { data, get, guarded, loadAgenda, loadAllResults, loadAudit, loadDevices, loadPeople, refreshAll, reloadSittings } from "./data.js";
import { edits } from "./editing.js";
import { handsPanel } from "./hands.js";
import { draft, hallEditorPanel, loadDraft } from "./hall-editor.js";
import { hallImportPanel } from "./hall-import.js";
import { importPanel } from "./import.js";
import { itemsPanel } from "./items.js";
import { keysPanel } from "./keys.js";
import { opening, sittingPanel } from "./live.js";
import { pairingPanel } from "./pairing.js";
import { peoplePanel } from "./people.js";
import { resultsPanel } from "./results.js";
import { sittingsPanel } from "./sittings.js";
import { loadTemplates, templates, templatesPanel } from "./templates.js";

const SECTIONS = ["live", "roster", "hall", "agenda", "pairing", "results", "audit", "accounts"];
const LOADS = { audit: loadAudit, results: loadAllResults, pairing: loadDevices, accounts: loadUsers, hall: () => loadDraft() };
let admin = false; // staff accounts are the administrator's

function currentSection() {
  const name = location.hash.replace("#", "");
  return SECTIONS.includes(name) && (name !== "accounts" || admin) ? name : "live";
}

function showSection() {
  const name = currentSection();
  for (const s of SECTIONS) document.getElementById(`sec-${s}`).hidden = s !== name;
  for (const a of document.querySelectorAll(".side-nav a")) {
    if (a.getAttribute("href") === `#${name}`) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  if (LOADS[name]) LOADS[name]();
}

/** One element per panel in a section's body, in order. */
function slots(section, count) {
  const els = Array.from({ length: count }, () => h("div"));
  document.querySelector(`#sec-${section} .sec-body`).replaceChildren(...els);
  return els;
}

/** The live seat map of the chosen body, at the top of the 座位图 section; reloaded with the body. */
function hallMap(client, el) {
  const body = h("div", { id: "hall-live" });
  el.replaceChildren(h("section", { class: "card", "aria-labelledby": "hall-live-title" },
    h("h2", { id: "hall-live-title" }, t("hall.title")), body));
  const reload = liveHall(client, body, { bodyId: () => get("bodyId") });
  data.on("state", (_state, changed) => {
    if (!changed.has("bodyId")) return;
    reload();
    if (draft.get("forBody")) loadDraft();
  });
  draft.on("state", (_state, changed) => { if (changed.has("dirty") && !draft.get("dirty")) reload(); });
  return reload;
}

function panels(client) {
  const [sitting, hands, attendance] = slots("live", 3);
  const [bodies, people, roster] = slots("roster", 3);
  const [live, editor, hallFile] = slots("hall", 3);
  const reloadHall = hallMap(client, live);
  const [sittings, copy, items, agendaFile, tpl, keys] = slots("agenda", 6);
  const body = (name) => document.querySelector(`#sec-${name} .sec-body`);
  return [
    titlePanel(client), contextPanel(document.getElementById("clerk-context")),
    sittingPanel(client, sitting), handsPanel(client, hands), attendancePanel(client, attendance),
    bodiesPanel(bodies), peoplePanel(people), importPanel(roster),
    hallEditorPanel(editor), hallImportPanel(hallFile, reloadHall),
    sittingsPanel(sittings), copyPanel(copy), itemsPanel(items), agendaImportPanel(agendaFile), templatesPanel(tpl),
    keysPanel(client, keys),
    pairingPanel(body("pairing")), resultsPanel(body("results")), auditPanel(body("audit")),
    accountsPanel(body("accounts")),
  ];
}

/** The agenda as the clerk edits it is loaded over HTTP: reload it (once) after a push changed it. */
function followAgenda(client) {
  let timer = null;
  client.on("state", (_state, changed, type) => {
    if (!changed.has("agenda") || type === "snapshot") return;
    clearTimeout(timer);
    timer = setTimeout(async () => {
      await guarded(loadAgenda);
      if (type === "ballot_closed" && currentSection() === "results") await loadAllResults();
    }, 150);
  });
}

const ROSTER_CHANGES = ["person_added", "person_changed", "roster_imported"];

/** The roster and the list of sittings are loaded over HTTP too: reloaded when another console (or
 * this one) changed them (``body_changed``, to every clerk console of the body). */
function followBody(client) {
  const timers = {};
  const later = (name, fn) => {
    clearTimeout(timers[name]);
    timers[name] = setTimeout(() => guarded(fn), 150);
  };
  client.on("body_changed", (msg) => {
    if (msg.body_id !== get("bodyId")) return;
    if (ROSTER_CHANGES.includes(msg.type)) later("people", loadPeople);
    else later("sittings", reloadSittings);
  });
}

async function main() {
  const who = await staffPage({ roles: ["clerk", "admin"], app: "clerk-app" });
  admin = who.role === "admin";
  document.querySelector('.side-nav a[href="#accounts"]').parentElement.hidden = !admin;
  data.set({ role: who.role }); // what the console offers follows the role (withdrawing: the clerk only)
  window.addEventListener("hashchange", showSection);
  await refreshAll();
  const client = new LiveClient({ sittingId: get("sittingId"), follow: false });
  followAgenda(client);
  followBody(client);
  client.on("alert", (alert) => toast(errorText(alert), "error", 15000));
  client.on("devices", (msg) => {
    if (msg && msg.body_id === get("bodyId") && Array.isArray(msg.devices)) data.set({ devices: msg.devices });
  });
  await guarded(loadTemplates);
  data.on("state", (_state, changed) => {
    if (changed.has("bodyId")) guarded(loadTemplates);
    if (changed.has("sittingId") && get("sittingId") && (client.sittingId !== get("sittingId") || !client.socket)) {
      client.reconnect({ sittingId: get("sittingId") });
    }
  });
  // Without a sitting there is nothing live to follow: the console connects once one is chosen.
  goLive(client, { panels: panels(client), stores: [data, templates, opening, edits, draft], connect: Boolean(get("sittingId")) });
  showSection();
  await loadDevices();
}

main();
