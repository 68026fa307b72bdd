// The chair's reminder to a member who has not voted yet: a banner for half a minute (and a buzz).
import { h } from "../core/dom.js";
import { t } from "../core/i18n.js";
import { hasVoted } from "../live/client.js";

const banner = document.getElementById("remind");
let timer = null;

export function hideRemind() {
  banner.hidden = true;
}

export function showRemind(state) {
  if (!state || hasVoted(state)) return;
  banner.hidden = false;
  banner.replaceChildren(h("p", {}, t("seat.remind")), h("button", { class: "btn ghost", onclick: hideRemind }, t("common.ok")));
  clearTimeout(timer);
  timer = setTimeout(hideRemind, 30000);
  if (navigator.vibrate) navigator.vibrate(200);
}
