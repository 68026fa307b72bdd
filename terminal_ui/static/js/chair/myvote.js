// The chair's own vote, when the chair's account is linked to a member (the snapshot then carries
// ``me``, as on a seat): their attendance, signing in when the console joins an opened sitting where
// they are still absent, and casting their ballot with the seat's ``cast`` (one vote per member, from
// the console or their seat). Where the round's tablets encrypt, the console encrypts the same way.
import { h } from "../core/dom.js";
import { errorText, t } from "../core/i18n.js";
import { Panel } from "../core/panel.js";
import { Store } from "../core/store.js";
import { hasVoted, newCastId } from "../live/client.js";
import { optionLabel, receiptText, statusLabel } from "../views/labels.js";

/** The choice so far in the open round, the cast on its way (kept with its cast_id) and a refusal. */
const mine = new Store({ roundId: null, choice: {}, sending: null, error: null });

function syncRound(b) {
  const roundId = b && b.status === "open" ? b.round_id : null;
  if (mine.get("roundId") !== roundId) mine.set({ roundId, choice: {}, sending: null, error: null });
}

async function encrypted(b, choice) {
  if (!(b.box && b.box.encrypt === "tablet")) return null;
  const { encryptBallot } = await import("../ballotbox/ballot.js");
  return encryptBallot(b.box.layout, b.box.keys, b.box.context, choice);
}

async function cast(client, b) {
  if (mine.get("sending")) return;
  const choice = { ...mine.get("choice") };
  let ballot = null;
  try {
    ballot = await encrypted(b, choice);
  } catch (err) {
    console.error("encrypting the ballot failed", err);
    mine.set({ error: t("chair.my_vote_encrypt_failed") });
    return;
  }
  const payload = { ballot_id: b.id, cast_id: newCastId(), ...(ballot ? { ballot } : { choice }) };
  mine.set({ sending: payload, error: null });
  const ack = await client.call("cast", payload, { retry: true });
  if (!(ack && ack.ok)) {
    mine.set({ sending: null, error: errorText(ack) || t("error.generic") });
    return;
  }
  const state = client.state;
  if (state && state.ballot && state.ballot.round_id === b.round_id) {
    client.setLocal("me", { ...state.me, vote: { round_id: b.round_id, voted: true, receipt: ack.receipt,
      choice: b.secret ? null : (ack.choice || null) } });
  }
  mine.set({ sending: null, choice: {} });
}

function questionRow(q) {
  const chosen = mine.get("choice")[q.id];
  return h("div", { class: "my-question", role: "group", "aria-label": q.label || t("chair.my_vote") },
    q.label ? h("p", { class: "my-question-label" }, q.label) : null,
    h("div", { class: "my-options" }, q.options.map((o) => h("button", {
      type: "button", class: `btn ${chosen === o.code ? "primary" : "secondary"} my-option`,
      "aria-pressed": chosen === o.code ? "true" : "false", "data-option": o.code,
      onclick: () => mine.set({ choice: { ...mine.get("choice"), [q.id]: o.code }, error: null }),
    }, optionLabel(o)))));
}

function ballotBlock(client, state) {
  const b = state.ballot;
  const me = state.me;
  if (!b || b.status !== "open") return h("p", { class: "muted small" }, t("chair.my_vote_none"));
  if (!me.entitled) return h("p", { class: "muted small" }, t("chair.my_vote_not_entitled"));
  if (hasVoted(state)) {
    return h("p", { class: "notice ok", id: "my-vote-done" }, t("chair.my_vote_done"),
      me.vote.receipt ? h("span", { class: "small" }, " ", t("chair.my_vote_receipt", { receipt: receiptText(me.vote.receipt) })) : null);
  }
  if (b.method === "hands") return h("p", { class: "muted small" }, t("chair.my_vote_hands"));
  if (!["present", "video"].includes(me.attendance)) return h("p", { class: "notice warn" }, t("chair.my_vote_sign_in_first"));
  const questions = b.questions || [];
  const complete = questions.every((q) => mine.get("choice")[q.id]);
  return [
    ...questions.map(questionRow),
    mine.get("error") ? h("p", { class: "notice warn", role: "alert" }, mine.get("error")) : null,
    h("button", { class: "btn primary", id: "my-vote-cast", disabled: !complete || Boolean(mine.get("sending")),
      onclick: () => cast(client, b) }, t("chair.my_vote_cast")),
  ];
}

function build(client, el) {
  const state = client.state || {};
  const me = state.me;
  el.hidden = !me;
  if (!me) return [];
  syncRound(state.ballot);
  const open = state.sitting && state.sitting.status === "open";
  const present = ["present", "video"].includes(me.attendance);
  return [
    h("h2", { id: "my-vote-h" }, t("chair.my_vote"), " · ", me.name),
    h("p", { class: "my-attendance" }, h("span", { class: `status-tag st-${me.attendance}` }, statusLabel(me.attendance)),
      open && !present ? h("button", { class: "btn small secondary", id: "my-sign-in",
        onclick: () => client.call("sign_in", {}, { retry: true }) }, t("chair.my_sign_in")) : null),
    open ? ballotBlock(client, state) : null,
  ];
}

/** Sign the chair in when the console joins an opened sitting where they are recorded absent (once per
 * sitting: a chair the clerk marked absent again is not signed in behind their back). */
function signInOnJoin(client) {
  const done = new Set();
  client.on("state", (state) => {
    const s = state && state.sitting;
    const me = state && state.me;
    if (!s || !me || s.status !== "open" || me.attendance !== "absent" || done.has(s.id)) return;
    done.add(s.id);
    client.call("sign_in", {}, { retry: true });
  });
}

export function myVotePanel(client, el) {
  signInOnJoin(client);
  const state = () => client.state || {};
  return new Panel({
    el,
    reads: ["me", "ballot", "sitting", "roundId", "choice", "sending", "error"],
    key: () => [state().me, state().ballot, state().sitting && state().sitting.status, mine.get("choice"),
      mine.get("sending"), mine.get("error")],
    build: () => build(client, el),
  });
}

export { mine as myVote };
