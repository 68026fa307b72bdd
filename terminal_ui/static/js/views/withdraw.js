// Withdrawal (撤回) on every page: the chair's and the clerk's dialog that asks for the reason, which of
// an agenda's items and ballots may still be withdrawn, and the note that says something was withdrawn
// and why (seat, chair, hall display, clerk).
import { h } from "../core/dom.js";
import { t } from "../core/i18n.js";
import { toast } from "../core/notify.js";

/** A ballot may be withdrawn while its latest round has no result and the sitting is not closed. */
export function canWithdrawBallot(b, sittingStatus) {
  return sittingStatus !== "closed" && ["draft", "open", "counting"].includes(b.status);
}

/** An item may be withdrawn unless it was dealt with or withdrawn, or a ballot of it has a result. */
export function canWithdrawItem(item, sittingStatus) {
  return sittingStatus !== "closed" && !["done", "withdrawn"].includes(item.status)
    && !(item.ballots || []).some((b) => b.status === "closed");
}

/** "已撤回 · 撤回理由：…" under a withdrawn item or ballot ("" when it was not withdrawn). */
export function withdrawnNote(x, cls = "") {
  if (x.status !== "withdrawn") return null;
  return h("p", { class: `withdrawn-note ${cls}`.trim() },
    h("strong", {}, t("withdraw.withdrawn")), " ", t("withdraw.reason_line", { reason: x.withdrawn_reason || "" }));
}

/** The ballot on screen once withdrawn: no result, ever; the reason stated. */
export function withdrawnBlock(b, cls = "") {
  return h("div", { class: `withdrawn-block ${cls}`.trim(), role: "status" },
    h("p", { class: "withdrawn-big" }, t("withdraw.withdrawn")),
    h("p", { class: "withdrawn-why" }, t("withdraw.reason_line", { reason: b.withdrawn_reason || "" })),
    h("p", { class: "muted" }, t("withdraw.no_result")));
}

/**
 * The dialog that withdraws ``target`` ({kind: "item"|"ballot", id, title}) once the reason is given:
 * ``send(reason)`` answers null when done, else the refusal's words, shown in the dialog (the reason is
 * required: the server refuses an empty one).
 */
function openWithdrawDialog(target, send) {
  const id = `withdraw-reason-${target.kind}-${target.id}`;
  const reason = h("textarea", { id, class: "withdraw-reason", rows: 3, maxlength: 200, "data-fk": "withdraw-reason" });
  const error = h("p", { class: "form-error", role: "alert", id: "withdraw-error" });
  const submit = h("button", { type: "submit", class: "btn danger", "data-fk": "withdraw-yes" }, t("withdraw.submit"));
  const dialog = h("dialog", { class: "withdraw-dialog", "aria-labelledby": "withdraw-title" });
  const close = () => { dialog.close(); dialog.remove(); };
  const form = h("form", { onsubmit: async (e) => {
    e.preventDefault();
    submit.disabled = true;
    error.textContent = "";
    const refused = await send(reason.value);
    submit.disabled = false;
    if (refused) {
      error.textContent = refused;
      reason.focus();
      return;
    }
    close();
    toast(t("withdraw.done", { title: target.title }), "ok");
  } },
  h("h2", { id: "withdraw-title" }, t(target.kind === "item" ? "withdraw.item_title" : "withdraw.ballot_title")),
  h("p", {}, t(target.kind === "item" ? "withdraw.item_text" : "withdraw.ballot_text", { title: target.title })),
  h("label", { for: id }, t("withdraw.reason")), reason, error,
  h("div", { class: "confirm-actions" }, submit,
    h("button", { type: "button", class: "btn ghost", "data-fk": "withdraw-no", onclick: close }, t("common.cancel"))));
  dialog.append(form);
  dialog.addEventListener("cancel", (e) => { e.preventDefault(); close(); });
  document.body.append(dialog);
  dialog.showModal();
  reason.focus();
  return dialog;
}

/** The small "撤回" button that opens the dialog. */
export function withdrawButton(target, send) {
  return h("button", { type: "button", class: "btn ghost small withdraw-btn", "data-fk": `withdraw-${target.kind}-${target.id}`,
    "aria-label": t("common.labelled", { label: t("withdraw.action"), value: target.title }),
    onclick: () => openWithdrawDialog(target, send) }, t("withdraw.action"));
}
