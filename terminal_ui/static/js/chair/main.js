// The chair's console: attendance and quorum, the agenda, opening/timing/closing ballots, progress,
// reminders, re-votes, the speaker queue and the announcement to read out after each close; the
// chair's own vote when their account is linked to a member; the live seat map of the hall.
import { h } from "../core/dom.js";
import { t } from "../core/i18n.js";
import { Panel } from "../core/panel.js";
import { liveHall } from "../live/hall.js";
import { goLive, LiveClient, sittingFromUrl, staffPage } from "../live/start.js";
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
  const title = () => (client.state && client.state.sitting && client.state.sitting.title) || "";
  return new Panel({
    reads: ["sitting"],
    key: title,
    build: () => {
      $("top-title").textContent = title();
      document.title = `${t("chair.page_title")} · ${title()}`;
    },
  });
}

async function main() {
  await staffPage({ roles: ["chair"], app: "chair-app" });
  const client = new LiveClient({ sittingId: sittingFromUrl() });
  const state = () => client.state || {};
  keyboard(client);
  liveHall(client, $("hall-body"), { bodyId: () => state().sitting && state().sitting.body.id });
  goLive(client, {
    panels: [
      titlePanel(client),
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
