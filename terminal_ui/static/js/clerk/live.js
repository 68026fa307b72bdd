// The live sitting on the clerk's console: its status (and opening it, asking first when nobody has
// signed in yet), the attendance figures.
import { h } from "../core/dom.js";
import { dotted, fmtDate } from "../core/format.js";
import { t } from "../core/i18n.js";
import { ackOk, toast } from "../core/notify.js";
import { Panel } from "../core/panel.js";
import { Store } from "../core/store.js";
import { attendanceFigures } from "../views/attendance.js";
import { get } from "./data.js";

/** Whether the clerk is being asked to open a sitting nobody has signed in to yet. */
export const opening = new Store({ emptyHall: false });

async function openSitting(client, confirm) {
  const ack = await client.call("open_sitting", confirm ? { confirm: true } : {});
  if (ack && !ack.ok && ack.error === "nobody_present" && !confirm) {
    opening.set({ emptyHall: true });
    return;
  }
  opening.set({ emptyHall: false });
  if (ackOk(ack)) toast(t("chair.sitting_opened"), "ok");
}

function openButton(client) {
  if (opening.get("emptyHall")) {
    return h("div", { class: "inline-confirm", role: "alertdialog", "aria-label": t("chair.open_empty_confirm") },
      h("p", {}, t("chair.open_empty_confirm")),
      h("div", { class: "confirm-actions" },
        h("button", { class: "btn primary", "data-fk": "confirm-yes", onclick: () => openSitting(client, true) },
          t("chair.open_anyway")),
        h("button", { class: "btn ghost", "data-fk": "confirm-no", onclick: () => opening.set({ emptyHall: false }) },
          t("common.cancel"))));
  }
  return h("button", { class: "btn primary", "data-fk": "open-sitting", onclick: () => openSitting(client, false) },
    t("chair.open_sitting"));
}

function card(client, state) {
  const s = state.sitting;
  const open = s.status === "planned" ? openButton(client) : null;
  return h("div", { class: "card" },
    h("div", { class: "panel-head" },
      h("div", {}, h("h2", {}, s.title),
        h("p", { class: "muted" }, dotted(fmtDate(s.date), s.place, s.chair_name && t("common.labelled", { label: t("clerk.chair_name"), value: s.chair_name })))),
      h("div", { class: "sitting-status" }, h("span", { class: `status-tag st-sitting-${s.status}` }, t(`sitting.${s.status}`)), open)),
    attendanceFigures(state.attendance, { compact: true, planned: s.status === "planned" }));
}

export function sittingPanel(client, el) {
  return new Panel({
    el,
    reads: ["sitting", "attendance", "sittingId", "emptyHall"],
    key: () => [get("sittingId"), client.state && client.state.sitting, opening.get("emptyHall"),
      client.state && client.state.attendance && { ...client.state.attendance, people: undefined }],
    build: () => {
      if (!get("sittingId")) return h("p", { class: "notice" }, t("clerk.create_sitting_first"));
      if (!client.state) return h("p", { class: "muted" }, t("common.loading"));
      return card(client, client.state);
    },
  });
}
