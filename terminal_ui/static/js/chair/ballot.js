// The ballot on the chair's console: while open, the timer, how many have voted (and, on a named
// ballot, who has not), reminders, more time and the close; after the close, the outcome, the
// announcement to read out and the figures.
import { h } from "../core/dom.js";
import { pick, t } from "../core/i18n.js";
import { Panel } from "../core/panel.js";
import { finalList } from "../views/candidates.js";
import { countdown, timeUp } from "../views/countdown.js";
import { ballotChips, methodLabel, neededText } from "../views/labels.js";
import { resultBars } from "../views/bars.js";
import { announcement, outcomeHeadline, resultTable, turnoutLine } from "../views/result.js";
import { withdrawnBlock } from "../views/withdraw.js";
import { ask, confirmBox, pending, run } from "./commands.js";

const EXTEND_SECONDS = [30, 60, 120];

/** A show of hands has no tablets to count nor members to remind: the chair waits for the clerk's count,
 * then closes. */
function handsWait(b) {
  return h("p", { class: `notice hands-wait ${b.hands_entered ? "ok" : "info"}`, role: "status" },
    t(b.hands_entered ? "chair.hands_entered" : "chair.hands_waiting"));
}

/** The close's question: a show of hands; video votes the clerk has not entered (they are recorded as
 * 视频出席未录入, never 未按); or the tablets' 未按. */
function closeMessage(b) {
  if (b.method === "hands") return t("chair.close_confirm_hands");
  if (b.video_pending) return t("chair.close_confirm_video", { n: b.video_pending });
  return t("chair.close_confirm_text");
}

function closeButton(b, closing, disabled = false) {
  const message = closeMessage(b);
  return h("button", { class: "btn danger big", "data-fk": "close", disabled: closing || disabled,
    onclick: () => ask({ kind: "close", id: b.id, message }) }, t("chair.close_ballot"));
}

function closeAction(b, closing, disabled) {
  return h("div", { class: "live-actions", role: "group", "aria-label": t("chair.ballot_actions") },
    closeButton(b, closing, disabled));
}

function actions(client, b, closing) {
  const extend = (n) => run(client, "extend", { ballot_id: b.id, seconds: n }, { ok: () => t("chair.extended", { n }) });
  return h("div", { class: "live-actions", role: "group", "aria-label": t("chair.ballot_actions") },
    h("button", { class: "btn secondary", "data-fk": "remind",
      onclick: () => run(client, "remind", { ballot_id: b.id }, { ok: (ack) => t("chair.reminded", { n: ack.reminded ?? 0 }) }) },
    t("chair.remind")),
    EXTEND_SECONDS.map((n) => h("button", { class: "btn ghost", "data-fk": `extend-${n}`, onclick: () => extend(n) },
      t("chair.extend", { n }))),
    closeButton(b, closing));
}

/** Time is up: the chair is asked to close (or told that the body's rules close the round by itself). */
function timeUpPrompt(b, closing) {
  if (b.auto_close) return h("p", { class: "notice warn time-up", role: "alert" }, t("chair.time_up_auto"));
  return h("div", { class: "notice warn time-up", role: "alert" },
    h("p", {}, h("strong", {}, t("ballot.time_up")), " ", t("chair.time_up_prompt")),
    h("button", { class: "btn danger", "data-fk": "close-now", disabled: closing,
      onclick: () => ask({ kind: "close", id: b.id, message: closeMessage(b) }) }, t("chair.close_ballot")));
}

export function liveBallot(client, b) {
  const closing = Boolean(pending() && pending().kind === "close" && pending().id === b.id);
  const status = h("span", { class: "chip live" }, t("ballot.status_open"));
  return h("section", { class: "live-ballot", "aria-labelledby": "live-title" },
    h("div", { class: "live-head" },
      h("div", {},
        ballotChips(b, { lead: status }),
        h("h3", { id: "live-title" }, b.title),
        h("p", { class: "muted" }, neededText(b), " · ", pick(b.threshold_zh, b.threshold_en))),
      h("div", { class: "timer-box" },
        h("span", { class: "muted small" }, t("chair.time_left")),
        b.deadline
          ? countdown(client, b.deadline, { cls: "big", role: "timer" })
          : h("span", { class: "countdown big none" }, t("chair.no_timer")))),
    timeUp(client, b) ? timeUpPrompt(b, closing) : null,
    b.method === "hands" ? handsWait(b) : h("div", { class: "progress-box", id: "chair-progress" }),
    b.method === "hands" ? closeAction(b, closing, !b.hands_entered) : actions(client, b, closing),
    closing ? confirmBox(pending().message, t("chair.close_ballot"),
      () => run(client, "close_ballot", { ballot_id: b.id, ...(b.video_pending ? { confirm_video: true } : {}) },
        { ok: () => t("chair.closed"), confirmed: true }), "danger") : null);
}

function nonVoters(b) {
  if (b.secret) return h("p", { class: "muted small" }, t("chair.secret_no_names"));
  if (!b.non_voters || !b.non_voters.length) return h("p", { class: "muted small" }, t("chair.all_voted"));
  return h("div", { class: "non-voters" }, h("p", { class: "muted small" }, t("chair.non_voters", { n: b.non_voters.length })),
    h("ul", { class: "name-chips" }, b.non_voters.map((p) => h("li", {}, p.seat ? `${p.seat} ${p.name}` : p.name))));
}

/** Members attending by video whose votes the clerk enters: waiting for it (视频出席，待录入), never 未按. */
function videoWaiting(b) {
  if (b.video_votes !== "clerk" || b.video_pending === undefined) return null;
  if (!b.video_pending) {
    return b.hands_entered ? h("p", { class: "notice ok small video-wait", role: "status" }, t("chair.video_entered")) : null;
  }
  const names = b.video_waiting || [];
  return h("div", { class: "notice info video-wait", role: "status" },
    h("p", {}, t("chair.video_waiting", { n: b.video_pending })),
    names.length ? h("ul", { class: "name-chips" }, names.map((p) => h("li", {}, p.seat ? `${p.seat} ${p.name}` : p.name))) : null);
}

/** How many have voted, redrawn by every progress push without touching the rest of the panel. */
export function progressPanel(client) {
  const ballot = () => client.state && client.state.ballot;
  return new Panel({
    el: () => document.getElementById("chair-progress"),
    reads: ["ballot"],
    key: () => {
      const b = ballot();
      return b && [b.voted ?? 0, b.present ?? 0, b.non_voters, b.secret, b.video_pending, b.video_waiting, b.hands_entered];
    },
    build: () => {
      const b = ballot();
      const voted = b.voted ?? 0;
      const present = b.present ?? 0;
      const pct = present ? Math.min(100, Math.round((100 * voted) / present)) : 0;
      return [
        h("p", { class: "progress-figure" }, h("span", { class: "muted" }, t("chair.voted_label")),
          h("strong", {}, voted), h("span", { class: "of" }, ` / ${present}`)),
        h("div", { class: "progress-track", role: "progressbar", "aria-valuemin": "0", "aria-valuemax": String(present),
          "aria-valuenow": String(voted), "aria-label": t("chair.voted_label") }, h("div", { class: "progress-fill", style: `width:${pct}%` })),
        nonVoters(b),
        videoWaiting(b),
      ];
    },
  });
}

/** A round the 监票人 decrypt: how many have, and who (the chair waits, or moves on to the next item). */
function counting(b) {
  const c = b.counting;
  return h("section", { class: "closed-ballot counting", "aria-labelledby": "closed-title" },
    h("div", { class: "closed-head" },
      h("div", {}, h("p", { class: "eyebrow" }, t("chair.result_of")), h("h3", { id: "closed-title" }, b.title),
        h("p", { class: "muted" }, t("chair.counting_ballots", { n: c.ballots }))),
      h("p", { class: "outcome huge", id: "decrypted-of", role: "status" },
        t("ballot.decrypted_of", { received: c.received, needed: c.needed }))),
    h("p", { class: "muted" }, t("chair.counting_help")));
}

/** A ballot withdrawn (撤回) while on screen: its round ended uncounted, with the reason stated. */
function withdrawnBallot(b) {
  return h("section", { class: "closed-ballot withdrawn", "aria-labelledby": "closed-title" },
    h("div", { class: "closed-head" },
      h("div", {}, b.round > 1 ? h("p", { class: "eyebrow" }, t("ballot.round_n", { n: b.round })) : null,
        h("h3", { id: "closed-title" }, b.title))),
    withdrawnBlock(b));
}

/** A selection or election whose rounds leave places: to a run-off, a further election, or unfilled. */
function standingNote(b) {
  const st = b.standing;
  if (!st || !["runoff", "further", "unfilled"].includes(st.next)) return null;
  return h("p", { class: "notice warn standing-note", role: "status" },
    t(`chair.standing_${st.next}`, { places: st.places, chosen: st.chosen.length, open: st.open }));
}

export function closedBallot(b) {
  if (b.status === "withdrawn") return withdrawnBallot(b);
  const r = b.result;
  if (!r && b.counting) return counting(b);
  if (!r) return h("p", { class: "muted" }, t("seat.counting"));
  const method = b.method_used && b.method_used !== "tablet" ? ` · ${methodLabel(b.method_used)}` : "";
  const chart = r.kind === "resolution" || (r.kind === "appointment" && r.questions.length === 1);
  return h("section", { class: "closed-ballot", "aria-labelledby": "closed-title" },
    h("div", { class: "closed-head" },
      h("div", {}, h("p", { class: "eyebrow" }, t("chair.result_of"), b.round > 1 ? ` · ${t("ballot.round_n", { n: b.round })}` : ""),
        h("h3", { id: "closed-title" }, b.title),
        h("p", { class: "muted" }, turnoutLine(r), method)),
      outcomeHeadline(r, { extraClass: "huge" })),
    h("div", { class: "script" },
      h("p", { class: "script-label" }, t("chair.script")),
      h("p", { class: "script-text", id: "announcement" }, announcement(r))),
    standingNote(b), finalList(b),
    chart ? resultBars(b, r) : resultTable(b, r));
}
