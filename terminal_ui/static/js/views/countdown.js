// The countdown of an open round, ticking from the server's clock (the tablet's may be wrong).
import { h } from "../core/dom.js";
import { fmtClock } from "../core/format.js";

/** A countdown element for ``deadline`` (ISO), refreshed every second by tickCountdowns. */
export function countdown(client, deadline, { cls = "", ...attrs } = {}) {
  return h("span", { class: `countdown ${cls}`.trim(), "data-deadline": deadline, ...attrs },
    fmtClock(client.secondsLeft(deadline)));
}

/** Refresh every countdown on the page (elements .countdown[data-deadline]) from the server clock. */
export function tickCountdowns(client) {
  for (const el of document.querySelectorAll(".countdown[data-deadline]")) {
    const left = client.secondsLeft(el.dataset.deadline);
    el.textContent = fmtClock(left);
    el.classList.toggle("urgent", left != null && left <= 30);
  }
}

/** Whether the round's time has run out (its deadline passed on the server's clock). */
export function timeUp(client, ballot) {
  return Boolean(ballot && ballot.deadline && client.secondsLeft(ballot.deadline) === 0);
}
