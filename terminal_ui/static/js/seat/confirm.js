// The steps after choosing: the line that says what the choice amounts to, the confirmation with a
// summary of the choice, and "已表决" with the receipt (and the choice itself on a named ballot).
import { h } from "../core/dom.js";
import { t } from "../core/i18n.js";
import { optionLabel, receiptText } from "../views/labels.js";
import { complete, defaultOption, readyText } from "./limits.js";
import { isChecklist, writtenNames } from "./form.js";
import { draft, setDraft, startOver, vote } from "./vote.js";

export { receiptText };

/** The member's choice in words: the option of a resolution, the marked names, or each answer. */
function summary(b, choice) {
  const qs = b.questions;
  if (b.kind === "resolution") {
    const o = qs[0].options.find((x) => x.code === choice[qs[0].id]);
    return h("p", { class: `summary-one opt-${o ? o.code : ""}` }, o ? optionLabel(o) : "");
  }
  if (isChecklist(b)) {
    const chosen = qs.filter((q) => choice[q.id]);
    if (!chosen.length) return h("p", { class: "summary-one" }, t("seat.blank_selection"));
    return h("ol", { class: "summary-list" }, chosen.map((q) => h("li", {}, q.label)));
  }
  return h("ul", { class: "summary-list" }, qs.map((q) => {
    const o = q.options.find((x) => x.code === choice[q.id]) || defaultOption(b, q);
    return h("li", {}, h("span", {}, q.label), h("strong", { class: `opt-text opt-${o ? o.code : "none"}` }, o ? optionLabel(o) : ""));
  }), writtenNames(b, choice).map((name) => h("li", { class: "writein" },
    h("span", {}, t("seat.writein_line", { name })), h("strong", { class: "opt-text opt-for" }, t("seat.writein_for")))));
}

/** Below a multi-question form: what the choice amounts to, and the way to the confirmation. */
export function submitBar(b) {
  const ready = complete(b, draft().choice);
  return h("div", { class: "submit-bar" },
    h("span", { class: "muted" }, readyText(b, draft().choice)),
    h("button", { class: "btn primary huge", "data-fk": "next", disabled: !ready,
      onclick: () => setDraft({ stage: "confirm" }) }, t("seat.next_confirm")));
}

export function confirmBar(b, onConfirm) {
  const sending = vote.get("sending");
  const back = () => setDraft(b.kind === "resolution" ? { stage: "choose", choice: {} } : { stage: "choose" });
  return h("div", { class: "confirm-bar", role: "region", "aria-label": t("seat.confirm_title") },
    h("div", { class: "confirm-text" }, h("p", { class: "confirm-title" }, t("seat.confirm_title")), summary(b, draft().choice)),
    h("div", { class: "confirm-actions" },
      h("button", { class: "btn ghost big", "data-fk": "back", disabled: sending, onclick: back }, t("seat.back")),
      h("button", { class: "btn primary huge", id: "confirm-btn", "data-fk": "confirm", disabled: sending, onclick: onConfirm },
        t(sending ? "seat.sending" : "seat.confirm"))),
    h("p", { class: "sending-note", id: "sending-note", "aria-live": "polite" }));
}

export function voted(b, me, { canChange }) {
  const v = me.vote || {};
  const just = vote.get("justVoted");
  const choice = !b.secret ? (v.choice || (just && just.choice)) : null;
  return h("div", { class: "voted", role: "status" },
    h("div", { class: "voted-mark", "aria-hidden": "true" }, "✓"),
    h("div", {},
      h("p", { class: "voted-title" }, t("seat.voted")),
      h("p", { class: "receipt" }, t("seat.receipt"), h("code", { class: "receipt-code", title: v.receipt || "" }, receiptText(v.receipt))),
      choice ? h("div", { class: "voted-choice" }, h("span", { class: "muted" }, t("seat.your_choice")), summary(b, choice)) : null,
      h("p", { class: "muted" }, t(b.secret ? "seat.voted_secret_note" : "seat.voted_note")),
      canChange
        ? h("button", { class: "btn ghost big", "data-fk": "change", onclick: () => {
          vote.set({ changing: true });
          startOver(b.round_id, { ...(choice || {}) });
        } }, t("seat.change_vote"))
        : null));
}
