// Attendance and quorum on the chair's console: the figures, who is not present and why, and the
// alert over the current item when the sitting has lost its quorum (before the sitting opens, a quorum
// not yet reached is a neutral note: the hall is still filling).
import { h } from "../core/dom.js";
import { t } from "../core/i18n.js";
import { Panel } from "../core/panel.js";
import { attendanceFigures } from "../views/attendance.js";
import { statusLabel } from "../views/labels.js";

function notPresent(att) {
  const notHere = (att.people || []).filter((p) => p.role === "member" && !["present", "video"].includes(p.status));
  if (!notHere.length) return null;
  return h("details", { class: "absent-list" },
    h("summary", {}, t("chair.not_present", { n: notHere.length })),
    h("ul", {}, notHere.map((p) => h("li", {},
      h("span", {}, p.name), h("span", { class: `status-tag st-${p.status}` }, statusLabel(p.status)),
      p.reason ? h("span", { class: "muted small" }, p.reason) : null))));
}

export function attendancePanels(state, els) {
  const att = () => state().attendance;
  const planned = () => Boolean(state().sitting && state().sitting.status === "planned");
  const figures = new Panel({
    el: els.att,
    reads: ["attendance", "sitting"],
    key: () => [att(), planned()],
    build: () => (att() ? [attendanceFigures(att(), { planned: planned() }), notPresent(att())]
      : h("p", { class: "muted" }, t("common.loading"))),
  });
  const lost = () => Boolean(state().sitting && state().sitting.status === "open" && att() && !att().quorum_held);
  const alert = new Panel({
    el: els.alert,
    reads: ["attendance", "sitting"],
    key: () => [lost(), att() && att().attending, att() && att().quorum_needed],
    build: () => (lost()
      ? h("div", { class: "alert danger", role: "alert" },
        h("strong", {}, t("chair.quorum_lost_title")), " ",
        t("chair.quorum_lost_text", { present: att().attending, needed: att().quorum_needed }))
      : []),
  });
  return [figures, alert];
}
