// The speaker queue: who asked to speak, in the chair's order; the chair gives the floor, ends each
// speech, and moves a waiting speaker up or down. The speech on the floor shows its time left, from the
// grant, for as long as the body's rules give (on the server's clock).
import { h } from "../core/dom.js";
import { t } from "../core/i18n.js";
import { Panel } from "../core/panel.js";
import { speechClock } from "../views/countdown.js";
import { run } from "./commands.js";

/** The waiting speakers' ids with the one at ``index`` moved by ``step`` (-1 up, +1 down). */
function moved(waiting, index, step) {
  const ids = waiting.map((s) => s.id);
  const [id] = ids.splice(index, 1);
  ids.splice(index + step, 0, id);
  return ids;
}

function speaker(client, s, itemId, waiting) {
  const move = (m) => () => run(client, "speaker", { request_id: s.id, move: m });
  const name = h("span", { class: "speaker-name" }, s.seat ? `${s.seat} ` : "", s.name,
    s.role === "observer" ? h("span", { class: "chip" }, t("seat.observer_tag")) : null);
  if (s.status === "granted") {
    return h("li", { class: "speaker st-granted" }, name,
      h("span", { class: "status-tag st-open" }, t("chair.speaking")), speechClock(client, s),
      h("button", { class: "btn ghost", "data-fk": `done-${s.id}`, onclick: move("done") }, t("chair.speaker_done")));
  }
  const i = waiting.indexOf(s);
  const reorder = (step) => () => run(client, "speaker_order", { item_id: itemId, order: moved(waiting, i, step) });
  return h("li", { class: "speaker st-waiting" }, name,
    h("span", { class: "speaker-moves" },
      h("button", { class: "btn ghost small", "data-fk": `up-${s.id}`, disabled: i === 0, onclick: reorder(-1),
        "aria-label": t("chair.speaker_up", { name: s.name }), title: t("chair.speaker_up", { name: s.name }) }, "↑"),
      h("button", { class: "btn ghost small", "data-fk": `down-${s.id}`, disabled: i === waiting.length - 1,
        onclick: reorder(1), "aria-label": t("chair.speaker_down", { name: s.name }),
        title: t("chair.speaker_down", { name: s.name }) }, "↓")),
    h("button", { class: "btn secondary", "data-fk": `grant-${s.id}`, onclick: move("grant") }, t("chair.speaker_grant")));
}

export function speakersPanel(client, el) {
  const list = () => (client.state && client.state.speakers) || [];
  const itemId = () => (client.state && client.state.agenda && client.state.agenda.current_item_id) || null;
  return new Panel({
    el,
    reads: ["speakers", "agenda"],
    key: () => [list(), itemId()],
    build: () => {
      const all = list();
      const waiting = all.filter((s) => s.status === "waiting");
      return all.length
        ? h("ol", { class: "speaker-list" }, all.map((s) => speaker(client, s, itemId(), waiting)))
        : h("p", { class: "muted" }, t("chair.no_speakers"));
    },
  });
}
