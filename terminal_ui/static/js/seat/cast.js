// Sending the confirmed vote. It is kept (with its cast_id) until acknowledged, so a dropped link or a
// reload sends the same cast again and it counts once; the tablet shows "已表决" only after the ack.
// In a round whose tablets encrypt (ballot.box.encrypt == "tablet"), the choice is encrypted here, once,
// when the member confirms (../ballotbox/ballot.js), and the cast carries the encrypted ballot instead:
// a retry sends the same ballot with the same cast_id.
import { errorText, t } from "../core/i18n.js";
import { hasVoted, newCastId } from "../live/client.js";
import { device } from "./device.js";
import { draft, setDraft, vote } from "./vote.js";

async function send(client, pending, onVoted) {
  vote.set({ sending: true, castError: null });
  const payload = pending.ballot ? { ballot_id: pending.ballot_id, ballot: pending.ballot, cast_id: pending.cast_id }
    : { ballot_id: pending.ballot_id, choice: pending.choice, cast_id: pending.cast_id };
  const ack = await client.call("cast", payload, { retry: true });
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

/** The member's choice encrypted for the round's box, or null where the server encrypts. */
async function encrypted(b, choice) {
  if (!(b.box && b.box.encrypt === "tablet")) return null;
  const { encryptBallot } = await import("../ballotbox/ballot.js");
  return encryptBallot(b.box.layout, b.box.keys, b.box.context, choice);
}

/** The member confirmed: keep the cast until it is acknowledged, then send it. */
export async function submit(client, b, onVoted) {
  if (vote.get("sending")) return;
  vote.set({ sending: true, castError: null });
  const choice = { ...draft().choice };
  let ballot = null;
  try {
    ballot = await encrypted(b, choice);
  } catch (err) {
    console.error("encrypting the ballot failed", err);
    setDraft({ stage: "choose" }, { sending: false, castError: t("seat.encrypt_failed") });
    return;
  }
  const pending = { round_id: b.round_id, ballot_id: b.id, choice, cast_id: newCastId(), ...(ballot ? { ballot } : {}) };
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
