// The live sitting on the clerk's console: its status (and opening it), the attendance figures.
import { h } from "../core/dom.js";
import { dotted, fmtDate } from "../core/format.js";
import { t } from "../core/i18n.js";
import { ackOk, toast } from "../core/notify.js";
import { Panel } from "../core/panel.js";
import { attendanceFigures } from "../views/attendance.js";
import { get } from "./data.js";

function card(client, state) {
  const s = state.sitting;
  const open = s.status === "planned"
    ? h("button", { class: "btn primary", "data-fk": "open-sitting", onclick: async () => {
      if (ackOk(await client.call("open_sitting", {}))) toast(t("chair.sitting_opened"), "ok");
    } }, t("chair.open_sitting"))
    : null;
  return h("div", { class: "card" },
    h("div", { class: "panel-head" },
      h("div", {}, h("h2", {}, s.title),
        h("p", { class: "muted" }, dotted(fmtDate(s.date), s.place, s.chair_name && t("common.labelled", { label: t("clerk.chair_name"), value: s.chair_name })))),
      h("div", { class: "sitting-status" }, h("span", { class: `status-tag st-sitting-${s.status}` }, t(`sitting.${s.status}`)), open)),
    attendanceFigures(state.attendance, { compact: true }));
}

export function sittingPanel(client, el) {
  return new Panel({
    el,
    reads: ["sitting", "attendance", "sittingId"],
    key: () => [get("sittingId"), client.state && client.state.sitting,
      client.state && client.state.attendance && { ...client.state.attendance, people: undefined }],
    build: () => {
      if (!get("sittingId")) return h("p", { class: "notice" }, t("clerk.create_sitting_first"));
      if (!client.state) return h("p", { class: "muted" }, t("common.loading"));
      return card(client, client.state);
    },
  });
}
