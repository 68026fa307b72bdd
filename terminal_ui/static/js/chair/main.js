// The chair's console: attendance and quorum, the agenda, opening/timing/closing ballots, progress,
// reminders, re-votes, the speaker queue and the announcement to read out after each close; the
// chair's own vote when their account is linked to a member; the live seat map of the hall.
import { h } from "../core/dom.js";
import { t } from "../core/i18n.js";
import { Panel } from "../core/panel.js";
import { liveHall } from "../live/hall.js";
import { goLive, LiveClient, sittingFromUrl, sittingHeader, staffPage } from "../live/start.js";
import { elsewherePanel } from "../views/picker.js";
import { agendaPanel } from "./agenda.js";
import { attendancePanels } from "./attendance.js";
import { asking } from "./commands.js";
import { currentPanel } from "./current.js";
import { keyboard } from "./keys.js";
import { myVote, myVotePanel } from "./myvote.js";
import { resultsPanel } from "./results.js";
import { sittingPanel } from "./sitting.js";
import { speakersPanel } from "./speakers.js";

const $ = (id) => document.getElementById(id);

function titlePanel(client) {
  const sitting = () => (client.state && client.state.sitting) || {};
  return new Panel({
    reads: ["sitting"],
    key: () => [sitting().title, sitting().body && sitting().body.name],
    build: () => {
      sittingHeader(sitting());
      document.title = `${t("chair.page_title")} · ${sitting().title || ""}`;
    },
  });
}

async function main() {
  await staffPage({ roles: ["chair"], app: "chair-app" });
  // a sitting named in the address was picked: the console stays on it (and offers, never makes, a switch)
  const picked = sittingFromUrl();
  const client = new LiveClient({ sittingId: picked, follow: picked == null });
  const state = () => client.state || {};
  keyboard(client);
  liveHall(client, $("hall-body"), { bodyId: () => state().sitting && state().sitting.body.id });
  goLive(client, {
    panels: [
      titlePanel(client),
      elsewherePanel(client, $("elsewhere")),
      ...attendancePanels(state, { att: $("att-body"), alert: $("quorum-alert") }),
      currentPanel(client, $("current-panel")),
      myVotePanel(client, $("my-vote")),
      speakersPanel(client, $("speakers-body")),
      resultsPanel(client, $("results-body")),
      sittingPanel(client, $("sitting-body")),
      agendaPanel(client, $("agenda-body")),
    ],
    stores: [asking, myVote],
    refused: (text) => $("current-panel").replaceChildren(h("p", { class: "notice warn" }, text)),
  });
}

main();
