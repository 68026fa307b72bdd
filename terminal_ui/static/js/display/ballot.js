// The ballot on the hall display: while it is open, votes needed, time left and how many have voted
// (never what they chose); after the close, the outcome, a chart and the announcement. Everything fits
// 1920×1080: the ballot's title is shown only where it differs from the item's, and a result of several
// questions (persons, objects, projects) puts the outcome above a chart as wide as the panel, whose rows
// carry what the announcement reads out line by line.
import { h } from "../core/dom.js";
import { t } from "../core/i18n.js";
import { Panel } from "../core/panel.js";
import { countdown, timeUp } from "../views/countdown.js";
import { ballotChips, methodLabel, neededText } from "../views/labels.js";
import { resultBars } from "../views/bars.js";
import { announcement, outcomeHeadline, resultTable, turnoutLine } from "../views/result.js";
import { finalList } from "../views/candidates.js";
import { withdrawnBlock } from "../views/withdraw.js";

/** At most this many questions are charted on the hall display; more are shown as a table. */
const HALL_ROWS = 12;

function head(b, itemTitle) {
  const word = { open: "display.voting_now", withdrawn: "withdraw.withdrawn" }[b.status] || "display.result";
  const status = h("span", { class: `chip ${{ open: "live", withdrawn: "warn" }[b.status] || "done"}` }, t(word));
  return h("div", { class: "hall-ballot-head" }, ballotChips(b, { lead: status, method: true }),
    b.title !== itemTitle ? h("h2", { class: "hall-ballot-title" }, b.title) : null);
}

function stat(label, value) {
  return h("div", { class: "hall-stat" }, h("span", { class: "hall-stat-l" }, label), value);
}

function live(client, b, itemTitle) {
  return h("section", { class: "hall-live" }, head(b, itemTitle),
    h("div", { class: "hall-live-grid" },
      stat(neededText(b, "display"), h("span", { class: "hall-stat-n" }, b.needed)),
      stat(t("display.time_left"), b.deadline
        ? countdown(client, b.deadline, { cls: "hall-stat-n" })
        : h("span", { class: "hall-stat-n dim" }, "—")),
      h("div", { class: "hall-stat wide", id: "hall-progress" })),
    timeUp(client, b) ? h("p", { class: "hall-time-up", role: "status" }, t("ballot.time_up")) : null,
    h("p", { class: "hall-note" }, t("display.secret_note")));
}

function closed(b, itemTitle) {
  const r = b.result;
  if (!r) {
    const wait = b.counting ? t("ballot.decrypted_of", { received: b.counting.received, needed: b.counting.needed })
      : t("seat.counting");
    return h("section", {}, head(b, itemTitle), h("p", { class: "hall-wait" }, wait));
  }
  const many = r.questions.length > 1;
  const chart = r.questions.length > HALL_ROWS ? resultTable(b, r) : resultBars(b, r, { max: HALL_ROWS });
  return h("section", { class: `hall-result kind-${r.kind}${many ? " many" : ""}` }, head(b, itemTitle),
    h("div", { class: "hall-result-grid" },
      h("div", { class: "hall-verdict" }, outcomeHeadline(r, { extraClass: "giant" }),
        h("p", { class: "hall-turnout" }, turnoutLine(r)),
        b.method_used && b.method_used !== "tablet" ? h("p", { class: "hall-turnout" }, methodLabel(b.method_used)) : null),
      h("div", { class: "hall-chart" }, chart)),
    // the final list over all rounds; after one round the chart itself shows who is chosen
    b.round > 1 ? finalList(b, "final-list hall-final") : null,
    many ? null : h("p", { class: "hall-announcement" }, announcement(r)));
}

function progress(b) {
  const voted = b.voted ?? 0;
  const present = b.present ?? 0;
  const pct = present ? Math.min(100, (100 * voted) / present) : 0;
  return [
    h("span", { class: "hall-stat-l" }, t("display.voted")),
    h("span", { class: "hall-stat-n" }, String(voted), h("small", {}, ` / ${present}`)),
    h("div", { class: "progress-track hall-track", role: "progressbar", "aria-valuemin": "0", "aria-valuemax": String(present),
      "aria-valuenow": String(voted), "aria-label": t("display.voted") }, h("div", { class: "progress-fill", style: `width:${pct}%` })),
  ];
}

/** The title of the item on the agenda now ("" between items). */
function itemTitle(client) {
  const ag = (client.state && client.state.agenda) || { items: [] };
  const item = (ag.items || []).find((i) => i.id === ag.current_item_id);
  return item ? item.title : "";
}

export function ballotPanel(client, el) {
  const ballot = () => (client.state && client.state.ballot) || null;
  const progressPanel = new Panel({
    el: () => document.getElementById("hall-progress"),
    reads: ["ballot"],
    key: () => ballot() && [ballot().voted ?? 0, ballot().present ?? 0],
    build: () => progress(ballot()),
  });
  return new Panel({
    el,
    reads: ["ballot", "agenda"],
    key: () => ballot() && [{ ...ballot(), voted: undefined, non_voters: undefined }, itemTitle(client)],
    build: () => {
      const b = ballot();
      if (!b) return h("p", { class: "hall-wait" }, t("display.waiting"));
      if (b.status === "withdrawn") return h("section", {}, head(b, itemTitle(client)), withdrawnBlock(b, "hall-withdrawn"));
      return b.status === "open" ? live(client, b, itemTitle(client)) : closed(b, itemTitle(client));
    },
    children: [progressPanel],
  });
}
