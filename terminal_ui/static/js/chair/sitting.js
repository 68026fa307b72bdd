// The sitting: its status, opening and closing it (closing asks first), and the choice of sitting.
import { h } from "../core/dom.js";
import { dotted, fmtDate } from "../core/format.js";
import { t } from "../core/i18n.js";
import { Panel } from "../core/panel.js";
import { sittingPicker } from "../views/picker.js";
import { ask, confirmBox, pending, run } from "./commands.js";

function action(client, s) {
  if (s.status === "planned") {
    return h("button", { class: "btn primary", "data-fk": "open-sitting",
      onclick: () => run(client, "open_sitting", {}, { ok: () => t("chair.sitting_opened") }) }, t("chair.open_sitting"));
  }
  if (s.status !== "open") return null;
  if (pending() && pending().kind === "close_sitting") {
    return confirmBox(t("chair.close_sitting_confirm"), t("chair.close_sitting"),
      () => run(client, "close_sitting", {}, { confirmed: true }), "danger");
  }
  return h("button", { class: "btn ghost", "data-fk": "close-sitting",
    onclick: () => ask({ kind: "close_sitting" }) }, t("chair.close_sitting"));
}

export function sittingPanel(client, el) {
  const sitting = () => (client.state && client.state.sitting) || {};
  return new Panel({
    el,
    reads: ["sitting", "pending"],
    key: () => [sitting(), Boolean(pending() && pending().kind === "close_sitting")],
    build: () => {
      const s = sitting();
      return [
        h("p", { class: "sitting-title" }, s.title || ""),
        h("p", { class: "muted small" }, dotted(s.body && s.body.name, fmtDate(s.date), s.place)),
        h("div", { class: "sitting-status" },
          h("span", { class: `status-tag st-sitting-${s.status}` }, t(`sitting.${s.status}`)), action(client, s)),
        sittingPicker(client, s.id),
      ];
    },
  });
}
