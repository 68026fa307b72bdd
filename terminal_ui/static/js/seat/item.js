// The current item on the tablet: its title, its papers (opened in the viewer) and asking to speak.
import { h } from "../core/dom.js";
import { dotted, fmtDate, fmtSize } from "../core/format.js";
import { t } from "../core/i18n.js";
import { ackOk, toast } from "../core/notify.js";
import { Panel } from "../core/panel.js";
import { device } from "./device.js";
import { openDocument } from "./viewer.js";

function sittingLine(s) {
  return h("p", { class: "muted small" }, dotted(fmtDate(s.date), s.place));
}

function speaking(client, item, mine, queue) {
  const req = mine[0];
  if (req && req.status === "granted") return h("p", { class: "speak-state granted", role: "status" }, t("seat.speak_granted"));
  if (req) {
    const pos = queue.findIndex((s) => s.id === req.id) + 1;
    return h("div", { class: "speak-state" }, h("span", {}, t("seat.speak_waiting", { n: pos || 1 })),
      h("button", { class: "btn ghost", "data-fk": "withdraw",
        onclick: async () => ackOk(await client.call("speaker", { request_id: req.id, move: "withdraw" })) }, t("seat.speak_withdraw")));
  }
  return h("button", { class: "btn secondary big", "data-fk": "speak", onclick: async () => {
    if (ackOk(await client.call("speak", { item_id: item.id }))) toast(t("seat.speak_sent"), "ok");
  } }, t("seat.speak"));
}

function documents(docs) {
  if (!docs.length) return h("p", { class: "muted" }, t("seat.no_documents"));
  return h("ul", { class: "doc-list" }, docs.map((d) => h("li", {},
    h("button", { class: "btn doc", "data-fk": `doc-${d.id}`, onclick: () => openDocument(d, device.token()) },
      h("span", { class: "doc-icon", "aria-hidden": "true" }, "PDF"),
      h("span", {}, d.filename), h("span", { class: "muted small" }, fmtSize(d.size))))));
}

export function itemPanel(client, el) {
  const view = () => {
    const s = client.state || {};
    const ag = s.agenda || { items: [] };
    const me = s.me || {};
    return {
      sitting: s.sitting || {},
      item: (ag.items || []).find((i) => i.id === ag.current_item_id) || null,
      mine: (s.speakers || []).filter((x) => x.person_id === me.person_id),
      queue: (s.speakers || []).filter((x) => x.status === "waiting"),
    };
  };
  return new Panel({
    el,
    reads: ["agenda", "speakers", "sitting", "me"],
    key: () => { const v = view(); return [v.item, v.mine, v.queue.map((x) => x.id), v.sitting.status, v.sitting.date, v.sitting.place]; },
    build: () => {
      if (!client.state) return [];
      const { sitting, item, mine, queue } = view();
      if (!item) {
        return h("div", { class: "card" }, h("h2", {}, t("seat.current_item")),
          h("p", { class: "muted" }, t(sitting.status === "planned" ? "seat.not_started" : "seat.no_item")), sittingLine(sitting));
      }
      return h("div", { class: "card item-card" },
        h("p", { class: "eyebrow" }, t("seat.current_item"), " · ", t("agenda.item_no", { n: item.position })),
        h("h2", { class: "item-title" }, item.title),
        sittingLine(sitting),
        h("div", { class: "item-actions" }, speaking(client, item, mine, queue)),
        h("h3", {}, t("seat.documents")),
        documents(item.documents || []));
    },
  });
}
