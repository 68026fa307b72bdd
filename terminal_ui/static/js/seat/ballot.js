// The ballot on the tablet: its head (kind, secrecy, round, votes needed, the countdown), then what
// the member can do now — sign in first, choose, confirm, "已表决" — or the result after the close.
import { h } from "../core/dom.js";
import { bodyWord, pick, t } from "../core/i18n.js";
import { Panel } from "../core/panel.js";
import { hasVoted } from "../live/client.js";
import { countdown, timeUp } from "../views/countdown.js";
import { ballotChips, neededText } from "../views/labels.js";
import { announcement, outcomeHeadline, resultTable, turnoutLine } from "../views/result.js";
import { withdrawnBlock } from "../views/withdraw.js";
import { submit } from "./cast.js";
import { confirmBar, receiptText, submitBar, voted } from "./confirm.js";
import { controls } from "./form.js";
import { countingBlock } from "./scrutineer.js";
import { draft, vote } from "./vote.js";

function head(client, b) {
  const right = b.status === "open"
    ? h("div", { class: "ballot-meta" },
      h("span", { class: "needed" }, neededText(b)),
      b.deadline ? countdown(client, b.deadline, { role: "timer", "aria-live": "off" }) : null)
    : h("div", { class: "ballot-meta" }, h("span", { class: `chip ${b.status === "withdrawn" ? "warn" : "done"}` },
      t(b.status === "withdrawn" ? "withdraw.withdrawn" : "ballot.closed")));
  return h("header", { class: "ballot-head" },
    h("div", {}, ballotChips(b), h("h2", { id: "ballot-title" }, b.title),
      h("p", { class: "muted small" }, pick(b.threshold_zh, b.threshold_en))),
    right);
}

function result(b, me, wasVoted) {
  const r = b.result;
  if (!r) return h("p", { class: "notice" }, t("seat.counting"));
  const mine = wasVoted && me.vote && me.vote.receipt
    ? h("p", { class: "muted" }, t("seat.your_receipt"), h("code", { class: "receipt-code", title: me.vote.receipt }, receiptText(me.vote.receipt))) : null;
  return h("div", { class: "result-block" },
    outcomeHeadline(r, { extraClass: "large" }),
    h("p", { class: "muted" }, turnoutLine(r)),
    resultTable(b, r),
    h("div", { class: "announcement" }, h("p", { class: "muted small" }, t("result.announcement")),
      h("p", { class: "announcement-text" }, announcement(r))),
    mine);
}

function itemDocuments(client, b) {
  const items = (client.state && client.state.agenda && client.state.agenda.items) || [];
  const item = items.find((i) => i.id === b.item_id);
  return (item && item.documents) || [];
}

function choosing(client, b, onVoted) {
  const confirming = draft().stage === "confirm";
  const err = vote.get("castError");
  let footer = null;
  if (confirming) footer = confirmBar(b, () => submit(client, b, onVoted));
  else if (b.kind !== "resolution") footer = submitBar(b);
  return [controls(b, confirming, itemDocuments(client, b)), err ? h("p", { class: "form-error", role: "alert" }, err) : null, footer];
}

function body(client, state, b, { signIn, onVoted }) {
  const me = state.me || {};
  if (me.role === "observer" || !me.entitled) {
    return h("p", { class: "notice" }, t(me.role === "observer" ? "seat.observer_no_vote" : "seat.not_entitled",
      { member: bodyWord(state.sitting && state.sitting.body.words) }));
  }
  if (b.method === "hands") return h("p", { class: "notice big-note" }, t("seat.hands_only"));
  if (!me.signed_in) {
    return h("div", { class: "notice warn" }, h("p", {}, t("seat.signin_first")),
      h("button", { class: "btn primary huge", "data-fk": "signin2", onclick: signIn }, t("seat.signin")));
  }
  const late = timeUp(client, b);
  if (me.attendance === "video" && b.video_votes === "clerk" && !hasVoted(state)) { // the clerk enters their votes
    return h("p", { class: "notice big-note video-by-clerk" }, t("seat.video_by_clerk"));
  }
  if (hasVoted(state) && !vote.get("changing")) return voted(b, me, { canChange: b.allow_change && !b.secret && !late });
  if (late) return h("p", { class: "notice warn big-note" }, t("seat.time_up"));
  return choosing(client, b, onVoted);
}

function build(client, handlers) {
  const state = client.state;
  const b = state.ballot;
  if (!b) {
    const closed = state.sitting && state.sitting.status === "closed";
    return h("div", { class: "card idle" }, h("p", { class: "big-note" }, t(closed ? "seat.sitting_closed" : "seat.no_ballot")));
  }
  if (b.status === "withdrawn") { // 撤回: no choice, no result, ever; the reason stated
    return h("article", { class: "card ballot withdrawn", "aria-labelledby": "ballot-title" }, head(client, b),
      withdrawnBlock(b, "large"));
  }
  if (b.status === "counting" && b.counting) {
    return h("article", { class: "card ballot closed", "aria-labelledby": "ballot-title" }, head(client, b),
      countingBlock(client, state, b));
  }
  if (b.status === "closed") {
    return h("article", { class: "card ballot closed", "aria-labelledby": "ballot-title" }, head(client, b),
      result(b, state.me || {}, hasVoted(state)));
  }
  return h("article", { class: "card ballot open", "aria-labelledby": "ballot-title" }, head(client, b),
    body(client, state, b, handlers), h("p", { class: "progress-line", id: "seat-progress" }));
}

/** The ballot panel; ``handlers``: signIn (the button when not signed in), onVoted (after the ack). */
export function ballotPanel(client, el, handlers) {
  const progress = new Panel({
    el: () => document.getElementById("seat-progress"),
    reads: ["ballot"],
    key: () => { const b = client.state && client.state.ballot; return b && [b.voted ?? 0, b.present ?? 0]; },
    build: () => t("ballot.progress_public", { voted: client.state.ballot.voted ?? 0, present: client.state.ballot.present ?? 0 }),
  });
  // "Sending… the link is down": while a confirmed cast waits for the network (redrawn on status changes).
  const sending = new Panel({
    el: () => document.getElementById("sending-note"),
    reads: ["sending"],
    key: () => [vote.get("sending"), client.status],
    build: () => (vote.get("sending") && client.status !== "online" ? t("seat.sending_offline") : []),
  });
  return new Panel({
    el,
    reads: ["ballot", "me", "sitting", "draft", "sending", "castError", "changing", "justVoted"],
    key: () => {
      const s = client.state;
      if (!s) return null;
      const b = s.ballot;
      const me = s.me || {};
      return [b && { ...b, voted: undefined, non_voters: undefined }, me.vote, me.signed_in, me.entitled, me.role,
        s.sitting && s.sitting.status, draft(), vote.get("sending"), vote.get("castError"), vote.get("changing"),
        vote.get("justVoted"), timeUp(client, b)];
    },
    build: () => (client.state ? build(client, handlers) : []),
    children: [progress, sending],
  });
}
