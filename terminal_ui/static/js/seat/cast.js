// Sending the confirmed vote. It is kept (with its cast_id) until acknowledged, so a dropped link or a
// reload sends the same cast again and it counts once; the tablet shows "已表决" only after the ack.
import { errorText, t } from "../core/i18n.js";
import { hasVoted, newCastId } from "../live/client.js";
import { device } from "./device.js";
import { draft, setDraft, vote } from "./vote.js";

async function send(client, pending, onVoted) {
  vote.set({ sending: true, castError: null });
  const ack = await client.call("cast", { ballot_id: pending.ballot_id, choice: pending.choice, cast_id: pending.cast_id },
    { retry: true });
  const still = device.pending();
  if (still && still.cast_id === pending.cast_id) device.dropPending();
  const state = client.state;
  if (!(ack && ack.ok)) {
    setDraft({ stage: "choose" }, { sending: false, castError: errorText(ack) || t("error.generic") });
    return;
  }
  const choice = ack.choice || pending.choice;
  if (state && state.ballot && state.ballot.round_id === pending.round_id) {
    client.setLocal("me", { ...state.me, vote: { round_id: pending.round_id, voted: true, receipt: ack.receipt,
      choice: state.ballot.secret ? null : choice } });
  }
  setDraft({ roundId: pending.round_id, choice: {}, stage: "choose" },
    { sending: false, changing: false, justVoted: { round_id: pending.round_id, choice } });
  onVoted();
}

/** The member confirmed: keep the cast until it is acknowledged, then send it. */
export function submit(client, b, onVoted) {
  if (vote.get("sending")) return;
  const pending = { round_id: b.round_id, ballot_id: b.id, choice: { ...draft().choice }, cast_id: newCastId() };
  device.setPending(pending);
  send(client, pending, onVoted);
}

/** A cast confirmed before a reload or a dropped link: send it again with its own cast_id. */
export function resendPending(client, onVoted) {
  const pending = device.pending();
  const state = client.state;
  if (!pending || vote.get("sending") || !state || !state.ballot) return;
  if (state.ballot.round_id !== pending.round_id || state.ballot.status !== "open") return;
  if (hasVoted(state) && !vote.get("changing")) return;
  send(client, pending, onVoted);
}
