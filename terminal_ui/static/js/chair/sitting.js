// The sitting: its status, opening it (asking first when nobody has signed in yet) and closing it
// (asking first), and the choice of sitting.
import { h } from "../core/dom.js";
import { dotted, fmtDate } from "../core/format.js";
import { t } from "../core/i18n.js";
import { Panel } from "../core/panel.js";
import { sittingPicker } from "../views/picker.js";
import { ackOk, toast } from "../core/notify.js";
import { ask, command, confirmBox, pending, run } from "./commands.js";

/** Open the sitting; with nobody signed in yet the server asks first, and so does the console. */
async function openSitting(client, confirm) {
  const ack = await command(client, "open_sitting", confirm ? { confirm: true } : {});
  if (!ack) return;
  if (!ack.ok && ack.error === "nobody_present" && !confirm) {
    ask({ kind: "open_empty" });
    return;
  }
  ask(null);
  if (ackOk(ack)) toast(t("chair.sitting_opened"), "ok");
}

function action(client, s) {
  if (s.status === "planned") {
    if (pending() && pending().kind === "open_empty") {
      return confirmBox(t("chair.open_empty_confirm"), t("chair.open_anyway"), () => openSitting(client, true));
    }
    return h("button", { class: "btn primary", "data-fk": "open-sitting",
      onclick: () => openSitting(client, false) }, t("chair.open_sitting"));
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
    key: () => [sitting(), pending() && ["close_sitting", "open_empty"].includes(pending().kind) ? pending().kind : null],
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
