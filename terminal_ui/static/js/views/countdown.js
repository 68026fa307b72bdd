// The countdown of an open round, ticking from the server's clock (the tablet's may be wrong); 时间到
// once the deadline has passed (the server also says so: the round's ``time_up`` and its push).
import { h } from "../core/dom.js";
import { fmtClock } from "../core/format.js";
import { t } from "../core/i18n.js";

function clockText(left) {
  return left === 0 ? t("ballot.time_up") : fmtClock(left);
}

/** A countdown element for ``deadline`` (ISO), refreshed every second by tickCountdowns. */
export function countdown(client, deadline, { cls = "", ...attrs } = {}) {
  const left = client.secondsLeft(deadline);
  return h("span", { class: `countdown ${cls} ${left === 0 ? "up" : ""}`.trim(), "data-deadline": deadline, ...attrs },
    clockText(left));
}

/** Refresh every countdown on the page (elements .countdown[data-deadline]) from the server clock. */
export function tickCountdowns(client) {
  for (const el of document.querySelectorAll(".countdown[data-deadline]")) {
    const left = client.secondsLeft(el.dataset.deadline);
    el.textContent = clockText(left);
    el.classList.toggle("urgent", left != null && left <= 30);
    el.classList.toggle("up", left === 0);
  }
}

/** Whether the open round's time has run out: the server said so (``time_up``), or its deadline passed
 * on the server's clock. */
export function timeUp(client, ballot) {
  if (!ballot || ballot.status === "closed") return false;
  return Boolean(ballot.time_up || (ballot.deadline && client.secondsLeft(ballot.deadline) === 0));
}

/** The note every console shows while an open round's time is up. */
export function timeUpNote(client, ballot, text = "ballot.time_up") {
  return timeUp(client, ballot) ? h("p", { class: "notice warn time-up", role: "alert" }, t(text)) : null;
}

/** The clock of the speech on the floor (a speakers entry with ``ends_at``): the time it has left on the
 * server's clock, from the grant, or 不限时 where the body sets no speaking time. */
export function speechClock(client, s) {
  if (!s.ends_at) return h("span", { class: "speech-clock muted" }, t("speakers.no_limit"));
  return countdown(client, s.ends_at, { cls: "speech-clock", "aria-label": t("speakers.time_left") });
}
