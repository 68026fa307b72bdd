// The chair's commands and the inline confirmations some of them need first (closing a ballot, a
// re-vote, opening without quorum, closing the sitting). What is being confirmed is a Store, so the
// panels that show a confirmation redraw when it changes.
import { h } from "../core/dom.js";
import { errorText, t } from "../core/i18n.js";
import { ackOk, toast } from "../core/notify.js";
import { Store } from "../core/store.js";

/** {kind: "override"|"close"|"revote"|"further"|"close_sitting"|"open_empty", id, message, revote, runoff, extra,
 * reason, passed, error} or null. */
export const asking = new Store({ pending: null });

export function pending() {
  return asking.get("pending");
}

/** Show a confirmation (or none) and put the keyboard on its first button. */
export function ask(p) {
  asking.set({ pending: p });
  const focus = document.querySelector(".inline-confirm [data-autofocus]");
  if (focus) focus.focus();
}

export function confirmBox(message, label, onYes, tone = "primary") {
  return h("div", { class: "inline-confirm", role: "alertdialog", "aria-label": message },
    h("p", {}, message),
    h("div", { class: "confirm-actions" },
      h("button", { class: `btn ${tone}`, "data-autofocus": "", "data-fk": "confirm-yes", onclick: async (e) => {
        e.currentTarget.disabled = true;
        await onYes();
      } }, label),
      h("button", { class: "btn ghost", "data-fk": "confirm-no", onclick: () => ask(null) }, t("common.cancel"))));
}

const queued = new Set();
let chain = Promise.resolve();

/** Send commands one after the other, in the order the chair gave them; resolves with the
 * acknowledgement. The same command tapped again while it is still under way is sent once (null). */
export async function command(client, name, payload) {
  const key = JSON.stringify([name, payload ?? null]);
  if (queued.has(key)) return null;
  queued.add(key);
  const turn = chain.then(() => client.call(name, payload)).finally(() => queued.delete(key));
  chain = turn.catch(() => null);
  return turn;
}

/**
 * A command whose success is a toast (``ok(ack)`` gives its text) and whose refusal is shown;
 * ``confirmed`` commands close their confirmation.
 */
export async function run(client, name, payload, { ok = null, confirmed = false } = {}) {
  const ack = await command(client, name, payload);
  if (!ack) return;
  if (confirmed) ask(null);
  if (ackOk(ack) && ok) toast(ok(ack), "ok");
}

/** Withdraw (撤回) an item or a ballot with the reason given: null when done, else the refusal's words. */
export async function withdraw(client, kind, id, reason) {
  const ack = await command(client, `withdraw_${kind}`, { [`${kind}_id`]: id, reason });
  return !ack || ack.ok ? null : errorText(ack) || t("error.generic");
}

function overrideMessage(ack) {
  return t("chair.override_message", { reason: errorText(ack) });
}

/**
 * Open a ballot (or its re-vote, or ``runoff``: the round that fills the places a selection or election
 * left -- the run-off among the tied, an election's 另行选举 with ``extra`` candidates). Without quorum
 * the server refuses; the chair may then say explicitly to go ahead (the override is audited).
 */
export async function open(client, id, { revote = false, runoff = false, extra = null, override = false, reason = "",
  confirmPassed = false } = {}) {
  const payload = override ? { ballot_id: id, override_quorum: true } : { ballot_id: id };
  if (revote) Object.assign(payload, { reason, confirm_passed: confirmPassed });
  if (runoff && extra !== null) payload.extra = extra;
  const ack = await command(client, runoff ? "open_runoff" : revote ? "revote" : "open_ballot", payload);
  if (!ack) return;
  if (ack.ok) {
    ask(null);
    toast(t(runoff ? "chair.runoff_opened" : revote ? "chair.revote_opened" : "chair.opened"), "ok");
  } else if (ack.error === "no_quorum" && !override) {
    ask({ kind: "override", id, revote, runoff, extra, reason, confirmPassed, message: overrideMessage(ack) });
  } else if (runoff && pending() && pending().kind === "further") {
    ask({ ...pending(), error: ack });
  } else if (revote && ack.error === "confirm_passed_required") {
    ask({ kind: "revote", id, passed: true, reason, error: ack });
  } else if (revote) {
    ask({ kind: "revote", id, passed: pending() && pending().passed, reason, error: ack });
  } else {
    ask(null);
    ackOk(ack);
  }
}
