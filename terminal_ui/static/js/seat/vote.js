// The member's vote in the round on screen: the choice so far and its stage (choose, confirm), whether
// a cast is on its way, its refusal, a change of a named vote, and the acknowledged choice. A Store:
// the ballot panel redraws when any of it changes; the draft survives pushes, reconnects and reloads.
import { hasVoted } from "../live/client.js";
import { Store } from "../core/store.js";
import { device } from "./device.js";

const fresh = (roundId) => ({ roundId, choice: {}, stage: "choose" });

export const vote = new Store({
  draft: device.draft() || fresh(null),
  sending: false,
  castError: null,
  changing: false, // re-voting where the ballot allows changing
  justVoted: null, // {round_id, choice} of this tablet's acknowledged cast (named ballots show it)
});

export const draft = () => vote.get("draft");

/** Replace parts of the draft (and keep it across a reload). */
export function setDraft(patch, more = {}) {
  const next = { ...draft(), ...patch };
  device.setDraft(next);
  vote.set({ draft: next, ...more });
}

export function choose(questionId, code, stage = draft().stage) {
  setDraft({ choice: { ...draft().choice, [questionId]: code }, stage }, { castError: null });
}

export function unchoose(questionId) {
  const choice = { ...draft().choice };
  delete choice[questionId];
  setDraft({ choice }, { castError: null });
}

export function startOver(roundId, choice = {}) {
  setDraft({ ...fresh(roundId), choice });
}

/** Drop a draft of an earlier round; a confirmed cast already acknowledged needs no resending. */
export function syncWith(state) {
  const b = state.ballot;
  const roundId = b && b.status === "open" ? b.round_id : null;
  if (draft().roundId !== roundId) {
    device.setDraft(fresh(roundId));
    vote.set({ draft: fresh(roundId), castError: null, changing: false });
  }
  const just = vote.get("justVoted");
  if (just && (!b || just.round_id !== b.round_id)) vote.set({ justVoted: null });
  const pending = device.pending();
  if (pending && (!b || pending.round_id !== b.round_id || b.status !== "open" || (hasVoted(state) && !vote.get("changing")))) {
    device.dropPending();
  }
}
