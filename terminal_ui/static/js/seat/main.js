// The seat tablet: pairing, sign-in, the current item and its documents, speaker requests, and the
// ballot — choose, confirm, "已表决" with the receipt — then the result after the close.
import { h } from "../core/dom.js";
import { onLangChange, t } from "../core/i18n.js";
import { Panel } from "../core/panel.js";
import { chrome } from "../live/chrome.js";
import { goLive, LiveClient } from "../live/start.js";
import { ballotPanel } from "./ballot.js";
import { resendPending } from "./cast.js";
import { device } from "./device.js";
import { agendaPanel } from "./agenda.js";
import { itemPanel } from "./item.js";
import { pairFromLink, pairingForm } from "./pairing.js";
import { hideRemind, showRemind } from "./remind.js";
import { resultsPanel } from "./results.js";
import { signIn, signinPanel } from "./signin.js";
import { syncWith, vote } from "./vote.js";
import { closeDocument } from "./viewer.js";

const $ = (id) => document.getElementById(id);
let stop = null; // ends the live connection of a tablet that is unpaired

function showPairing(message = null) {
  $("seat-app").hidden = true;
  $("pairing").hidden = false;
  $("top-title").textContent = "";
  $("who").textContent = "";
  pairingForm($("pairing"), message, startLive);
}

function unpaired() {
  device.forget();
  if (stop) stop();
  stop = null;
  showPairing(t("seat.revoked"));
}

/** The header: the sitting's title, and whose tablet this is. */
function headerPanel(c) {
  return new Panel({
    reads: ["sitting", "me"],
    key: () => c.state && [c.state.sitting, c.state.me && [c.state.me.seat, c.state.me.name, c.state.me.role]],
    build: () => {
      if (!c.state) return;
      const me = c.state.me || {};
      const title = (c.state.sitting && c.state.sitting.title) || "";
      $("top-title").textContent = title;
      document.title = `${t("seat.page_title")} · ${title}`;
      const seat = me.seat ? t("seat.seat_of", { seat: me.seat }) : "";
      $("who").textContent = [seat, me.name, me.role === "observer" ? t("seat.observer_tag") : ""].filter(Boolean).join(" · ");
    },
  });
}

/** A ballot that opens comes to the front: over a document being read, and scrolled to, with the focus
 * on its title (after the panels have drawn it). */
function toTheFront() {
  closeDocument();
  setTimeout(() => {
    $("ballot").scrollIntoView({ block: "start" });
    const title = document.getElementById("ballot-title");
    if (title) {
      title.tabIndex = -1;
      title.focus({ preventScroll: true });
    }
  });
}

function wire(c) {
  c.on("state", (state, _changed, type) => {
    if (["ballot_opened", "revote", "runoff_opened", "ballot_closed", "ballot_withdrawn", "item_withdrawn"].includes(type)) hideRemind();
    if (["ballot_opened", "revote", "runoff_opened"].includes(type)) toTheFront();
    syncWith(state);
  });
  c.on("refused", (why) => { if (why.error === "revoked") unpaired(); });
  c.on("revoked", (msg) => {
    // Pushed to every tablet of the person: only the one whose device id it names was unpaired.
    const mine = c.state && c.state.me ? c.state.me.device_id : null;
    if (!msg || msg.device_id == null || mine == null || msg.device_id === mine) unpaired();
  });
  c.on("remind", () => showRemind(c.state));
}

function startLive() {
  $("pairing").hidden = true;
  $("seat-app").hidden = false;
  const client = new LiveClient({ auth: () => ({ token: device.token() }) });
  wire(client);
  const ballot = ballotPanel(client, $("ballot"), { signIn: signIn(client), onVoted: hideRemind });
  client.on("status", (st) => {
    if (st === "online") resendPending(client, hideRemind);
    ballot.draw();
  });
  stop = goLive(client, {
    panels: [headerPanel(client), signinPanel(client, $("signin")), ballot, itemPanel(client, $("item")), resultsPanel(client, $("results")),
      agendaPanel(client, $("agenda"))],
    stores: [vote],
    staff: false,
    refused: (text, why) => {
      if (why.error !== "revoked") $("ballot").replaceChildren(h("div", { class: "card idle" }, h("p", { class: "big-note" }, text)));
    },
    onTick: () => ballot.draw(), // rebuilds only when the time runs out
  });
}

async function main() {
  chrome();
  onLangChange(() => { if (!$("pairing").hidden) showPairing(); });
  const failed = await pairFromLink();
  if (failed) showPairing(failed);
  else if (device.token()) startLive();
  else showPairing();
}

main();
