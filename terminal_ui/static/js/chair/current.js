// The current item: its ballots (open, re-vote), the ballot on screen (live or its result) and the
// confirmations the chair gives before opening without quorum or re-voting.
import { h } from "../core/dom.js";
import { bodyWord, errorText, t } from "../core/i18n.js";
import { Panel } from "../core/panel.js";
import { ballotChips } from "../views/labels.js";
import { canWithdrawBallot, withdrawButton, withdrawnNote } from "../views/withdraw.js";
import { closedBallot, liveBallot, progressPanel } from "./ballot.js";
import { ask, confirmBox, open, pending, run, withdraw } from "./commands.js";

function empty(title, help, vars = {}) {
  return h("div", { class: "empty-state" }, h("h2", {}, t(title)), h("p", { class: "muted" }, t(help, vars)));
}

function rowAction(client, x, openId) {
  if (x.status === "draft") {
    return h("button", { class: "btn primary", disabled: Boolean(openId), "data-fk": `open-${x.id}`,
      onclick: () => open(client, x.id) }, t("chair.open_ballot"));
  }
  if (x.status !== "closed") return null;
  return [nextRound(client, x, openId), h("button", { class: "btn ghost", disabled: Boolean(openId), "data-fk": `revote-${x.id}`,
    onclick: () => ask({ kind: "revote", id: x.id, passed: lastPassed(client, x.id) }) },
  t("chair.revote"))];
}

/** Where a selection or election on screen stands, when its rounds leave places to vote on: a run-off
 * among the tied (就票数相等的项目再次投票), or an election's 另行选举 (the chair may give more candidates). */
function standingOf(client, x) {
  const b = client.state && client.state.ballot;
  return b && b.id === x.id && b.status === "closed" && b.standing ? b.standing : null;
}

function nextRound(client, x, openId) {
  const st = standingOf(client, x);
  if (!st || (st.next !== "runoff" && st.next !== "further")) return null;
  if (st.next === "runoff") {
    return h("button", { class: "btn primary", disabled: Boolean(openId), "data-fk": `runoff-${x.id}`,
      onclick: () => open(client, x.id, { runoff: true }) }, t("chair.runoff"));
  }
  return h("button", { class: "btn primary", disabled: Boolean(openId), "data-fk": `further-${x.id}`,
    onclick: () => ask({ kind: "further", id: x.id }) }, t("chair.further"));
}

/** The further election's form: how many candidates beyond the open places (empty: the fewest allowed). */
function furtherBox(client, x, p) {
  const st = standingOf(client, x) || { open: 0 };
  const extra = h("input", { id: `further-extra-${x.id}`, type: "number", min: 1, max: 50, inputmode: "numeric",
    class: "further-extra", "data-autofocus": "", "data-fk": "further-extra" });
  extra.value = p.extra ?? "";
  const submit = async (e) => {
    e.preventDefault();
    const n = extra.value.trim() === "" ? null : Number(extra.value);
    ask({ ...p, extra: n, error: null });
    await open(client, x.id, { runoff: true, extra: n });
  };
  return h("form", { class: "inline-confirm further-form", role: "alertdialog", "aria-label": t("chair.further"), onsubmit: submit },
    h("p", {}, t("chair.further_text", { n: st.open })),
    h("label", { for: extra.id }, t("chair.further_extra")), extra,
    h("p", { class: "muted" }, t("chair.further_extra_help")),
    p.error ? h("p", { class: "notice warn", role: "alert" }, errorText(p.error)) : null,
    h("div", { class: "confirm-actions" },
      h("button", { type: "submit", class: "btn primary", "data-fk": "confirm-yes" }, t("chair.further")),
      h("button", { type: "button", class: "btn ghost", "data-fk": "confirm-no", onclick: () => ask(null) }, t("common.cancel"))));
}

/** Whether the ballot's last round passed (wholly or in part): its re-vote asks for an explicit yes. */
function lastPassed(client, ballotId) {
  const rounds = ((client.state && client.state.results) || []).filter((r) => r.ballot_id === ballotId);
  const last = rounds.reduce((a, r) => (!a || r.round > a.round ? r : a), null);
  return Boolean(last && (last.outcome === "passed" || last.outcome === "mixed"));
}

/** The re-vote's form: its reason (required, printed on the sheet) and, for a ballot that passed, the
 * chair's explicit confirmation; a refusal stays in the form, in words. */
function revoteBox(client, x, p) {
  const reason = h("textarea", { id: `revote-reason-${x.id}`, class: "revote-reason", rows: 2, maxlength: 300,
    required: true, "data-autofocus": "", "data-fk": "revote-reason" });
  reason.value = p.reason || "";
  const confirmBox = p.passed ? h("input", { type: "checkbox", id: `revote-passed-${x.id}`, "data-fk": "revote-passed" }) : null;
  const submit = async (e) => {
    e.preventDefault();
    await open(client, x.id, { revote: true, reason: reason.value.trim(), confirmPassed: Boolean(confirmBox && confirmBox.checked) });
  };
  return h("form", { class: "inline-confirm revote-form", role: "alertdialog", "aria-label": t("chair.revote"), onsubmit: submit },
    h("p", {}, t("chair.revote_confirm_text", { title: x.title })),
    h("label", { for: reason.id }, t("chair.revote_reason")), reason,
    p.passed ? h("p", { class: "notice warn" }, t("chair.revote_passed_warning")) : null,
    p.passed ? h("label", { class: "check" }, confirmBox, " ", t("chair.revote_passed_confirm")) : null,
    p.error ? h("p", { class: "notice warn", role: "alert" }, errorText(p.error)) : null,
    h("div", { class: "confirm-actions" },
      h("button", { type: "submit", class: "btn primary", "data-fk": "confirm-yes" }, t("chair.revote")),
      h("button", { type: "button", class: "btn ghost", "data-fk": "confirm-no", onclick: () => ask(null) }, t("common.cancel"))));
}

function ballotRow(client, x, openId) {
  const rounds = x.rounds > 1 ? h("span", { class: "chip" }, t("ballot.rounds_n", { n: x.rounds })) : null;
  const gone = canWithdrawBallot(x, "open")
    ? withdrawButton({ kind: "ballot", id: x.id, title: x.title }, (reason) => withdraw(client, "ballot", x.id, reason))
    : null;
  const row = h("li", { class: `ballot-row st-${x.status}` },
    h("div", {}, h("span", { class: "ballot-row-title" }, x.title), ballotChips(x, { method: true, round: 1, tail: rounds }),
      withdrawnNote(x)),
    h("span", { class: `status-tag st-${x.status}` }, t(`ballot.status_${x.status}`)),
    h("div", { class: "row-actions" }, rowAction(client, x, openId), gone));
  const p = pending();
  if (p && p.kind === "revote" && p.id === x.id) return [row, h("li", {}, revoteBox(client, x, p))];
  if (p && p.kind === "further" && p.id === x.id) return [row, h("li", {}, furtherBox(client, x, p))];
  return row;
}

function build(client, state, item) {
  const sitting = state.sitting || {};
  if (sitting.status !== "open") {
    return sitting.status === "closed" ? empty("chair.sitting_closed", "chair.sitting_closed_help")
      : empty("chair.sitting_planned", "chair.sitting_planned_help", { members: bodyWord(sitting.body && sitting.body.words, "members") });
  }
  const b = state.ballot;
  if (!item) return [empty("chair.no_current", "chair.no_current_help"), b && b.status === "withdrawn" ? closedBallot(b) : null];
  const openId = b && b.status === "open" ? b.id : null;
  const p = pending();
  const blocks = [h("header", { class: "panel-head" },
    h("div", {}, h("p", { class: "eyebrow" }, t("chair.current_item"), " · ", t("agenda.item_no", { n: item.position })),
      h("h2", { id: "current-title" }, item.title)),
    h("button", { class: "btn ghost", disabled: Boolean(openId), "data-fk": "finish",
      onclick: () => run(client, "finish_item", { item_id: item.id }) }, t("chair.finish_item")))];
  if (p && p.kind === "override") {
    blocks.push(confirmBox(p.message, t("chair.override_confirm"), () => open(client, p.id,
      { revote: p.revote, runoff: p.runoff, extra: p.extra, override: true, reason: p.reason, confirmPassed: p.confirmPassed })));
  }
  if (b && b.item_id === item.id) blocks.push(b.status === "open" ? liveBallot(client, b) : closedBallot(b));
  const ballots = item.ballots || [];
  if (!ballots.length) return [...blocks, h("p", { class: "muted" }, t("chair.no_ballots"))];
  return [...blocks, h("h3", { class: "section-title" }, t("chair.ballots_of_item")),
    h("ul", { class: "ballot-list" }, ballots.map((x) => ballotRow(client, x, openId)))];
}

export function currentPanel(client, el) {
  const state = () => client.state || {};
  const item = () => {
    const ag = state().agenda || { items: [] };
    return (ag.items || []).find((i) => i.id === ag.current_item_id) || null;
  };
  return new Panel({
    el,
    reads: ["agenda", "ballot", "sitting", "pending", "results"],
    key: () => {
      const b = state().ballot;
      return [item(), b && { ...b, voted: undefined, non_voters: undefined }, pending(), state().sitting && state().sitting.status];
    },
    build: () => build(client, state(), item()),
    children: [progressPanel(client)],
  });
}
