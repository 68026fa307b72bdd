// The ballot on the hall display: while it is open, votes needed, time left and how many have voted
// (never what they chose); after the close, the outcome, a chart and the announcement.
import { h } from "../core/dom.js";
import { t } from "../core/i18n.js";
import { Panel } from "../core/panel.js";
import { countdown, timeUp } from "../views/countdown.js";
import { ballotChips, methodLabel } from "../views/labels.js";
import { resultBars } from "../views/bars.js";
import { announcement, outcomeHeadline, resultTable, turnoutLine } from "../views/result.js";

function head(b) {
  const status = h("span", { class: `chip ${b.status === "open" ? "live" : "done"}` },
    t(b.status === "open" ? "display.voting_now" : "display.result"));
  return h("div", { class: "hall-ballot-head" }, ballotChips(b, { lead: status }),
    h("h2", { class: "hall-ballot-title" }, b.title));
}

function stat(label, value) {
  return h("div", { class: "hall-stat" }, h("span", { class: "hall-stat-l" }, label), value);
}

function live(client, b) {
  return h("section", { class: "hall-live" }, head(b),
    h("div", { class: "hall-live-grid" },
      stat(t("display.needed"), h("span", { class: "hall-stat-n" }, b.needed)),
      stat(t("display.time_left"), b.deadline
        ? countdown(client, b.deadline, { cls: "hall-stat-n" })
        : h("span", { class: "hall-stat-n dim" }, "—")),
      h("div", { class: "hall-stat wide", id: "hall-progress" })),
    timeUp(client, b) ? h("p", { class: "hall-time-up", role: "status" }, t("ballot.time_up")) : null,
    h("p", { class: "hall-note" }, t("display.secret_note")));
}

function closed(b) {
  const r = b.result;
  if (!r) return h("section", {}, head(b), h("p", { class: "hall-wait" }, t("seat.counting")));
  const showTable = r.kind === "evaluation" && r.questions.length > 8;
  return h("section", { class: `hall-result kind-${r.kind}` }, head(b),
    h("div", { class: "hall-result-grid" },
      h("div", { class: "hall-verdict" }, outcomeHeadline(r, { extraClass: "giant" }),
        h("p", { class: "hall-turnout" }, turnoutLine(r)),
        b.method_used && b.method_used !== "tablet" ? h("p", { class: "hall-turnout" }, methodLabel(b.method_used)) : null),
      h("div", { class: "hall-chart" }, showTable ? resultTable(b, r) : resultBars(b, r))),
    h("p", { class: "hall-announcement" }, announcement(r)));
}

function progress(b) {
  const voted = b.voted ?? 0;
  const present = b.present ?? 0;
  const pct = present ? Math.min(100, (100 * voted) / present) : 0;
  return [
    h("span", { class: "hall-stat-l" }, t("display.voted")),
    h("span", { class: "hall-stat-n" }, String(voted), h("small", {}, ` / ${present}`)),
    h("div", { class: "progress-track hall", role: "progressbar", "aria-valuemin": "0", "aria-valuemax": String(present),
      "aria-valuenow": String(voted), "aria-label": t("display.voted") }, h("div", { class: "progress-fill", style: `width:${pct}%` })),
  ];
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
    reads: ["ballot"],
    key: () => ballot() && { ...ballot(), voted: undefined, non_voters: undefined },
    build: () => {
      const b = ballot();
      if (!b) return h("p", { class: "hall-wait" }, t("display.waiting"));
      return b.status === "open" ? live(client, b) : closed(b);
    },
    children: [progressPanel],
  });
}
