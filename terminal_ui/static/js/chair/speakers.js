// The speaker queue: who asked to speak, in order; the chair gives the floor and ends each speech.
import { h } from "../core/dom.js";
import { t } from "../core/i18n.js";
import { Panel } from "../core/panel.js";
import { run } from "./commands.js";

function speaker(client, s) {
  const move = (m) => () => run(client, "speaker", { request_id: s.id, move: m });
  return h("li", { class: `speaker st-${s.status}` },
    h("span", { class: "speaker-name" }, s.seat ? `${s.seat} ` : "", s.name,
      s.role === "observer" ? h("span", { class: "chip" }, t("seat.observer_tag")) : null),
    s.status === "granted"
      ? [h("span", { class: "status-tag st-open" }, t("chair.speaking")),
        h("button", { class: "btn ghost", "data-fk": `done-${s.id}`, onclick: move("done") }, t("chair.speaker_done"))]
      : h("button", { class: "btn secondary", "data-fk": `grant-${s.id}`, onclick: move("grant") }, t("chair.speaker_grant")));
}

export function speakersPanel(client, el) {
  const list = () => (client.state && client.state.speakers) || [];
  return new Panel({
    el,
    reads: ["speakers"],
    key: list,
    build: () => (list().length
      ? h("ol", { class: "speaker-list" }, list().map((s) => speaker(client, s)))
      : h("p", { class: "muted" }, t("chair.no_speakers"))),
  });
}
