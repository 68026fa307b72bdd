// Attendance figures as a row of big numbers (应到 实到 请假 缺席) and the quorum line.
import { h } from "../core/dom.js";
import { t } from "../core/i18n.js";

function figure(label, n, cls = "") {
  return h("div", { class: `figure ${cls}` }, h("span", { class: "figure-n" }, n ?? 0), h("span", { class: "figure-l" }, label));
}

/** ``planned``: the sitting is not open yet, so a quorum not (yet) reached is a neutral note, not an alarm. */
export function attendanceFigures(att, { compact = false, planned = false } = {}) {
  if (!att) return h("p", { class: "muted" }, t("common.loading"));
  const figures = h("div", { class: `figures${compact ? " compact" : ""}` },
    figure(t("att.entitled"), att.entitled),
    figure(t("att.attending"), att.attending, "em"),
    figure(t("status.leave"), att.leave),
    figure(t("status.absent"), att.absent));
  const held = att.quorum_held;
  const quorum = !held && planned
    ? h("p", { class: "quorum pending" }, h("span", { class: "quorum-icon", "aria-hidden": "true" }, "·"),
      t("att.quorum_pending", { n: att.quorum_needed }))
    : h("p", { class: `quorum ${held ? "ok" : "lost"}`, role: held ? null : "alert" },
      h("span", { class: "quorum-icon", "aria-hidden": "true" }, held ? "✓" : "!"),
      t(held ? "att.quorum_ok" : "att.quorum_lost", { n: att.quorum_needed }));
  const video = att.video ? h("p", { class: "muted small" }, t("att.video_note", { n: att.video })) : null;
  return [figures, video, quorum];
}
