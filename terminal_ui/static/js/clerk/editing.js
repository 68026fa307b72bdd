// Correcting what was entered, as the agenda, sittings and people panels share it: which record is
// open for editing (one at a time), the values typed into it (kept through a push that redraws the
// panel), the deletion waiting for its second press, and sending a correction so that a refusal is
// shown in the form and a success takes the old errors away.
import { api, failText } from "../core/api.js";
import { h } from "../core/dom.js";
import { t } from "../core/i18n.js";
import { toast } from "../core/notify.js";
import { Store } from "../core/store.js";

/** editing: "item:4" (the record open for editing); armed: "delete-item:4" (the deletion asked once). */
export const edits = new Store({ editing: null, armed: null });
const drafts = {}; // "item:4" -> {fields: {title: "…"}, error: "…"}

export const isEditing = (key) => edits.get("editing") === key;

/** Open ``key`` for editing with ``values`` (the stored ones), or close it (null). */
export function startEditing(key, values) {
  if (key) drafts[key] = { fields: { ...values }, error: "" };
  edits.set({ editing: key, armed: null });
}

export function draft(key) {
  return drafts[key] || (drafts[key] = { fields: {}, error: "" });
}

/** An input (or select) bound to the draft's field: what is typed survives a redraw. */
export function bound(key, name, el) {
  const d = draft(key);
  if (d.fields[name] !== undefined && d.fields[name] !== null) el.value = d.fields[name];
  el.addEventListener(el.tagName === "SELECT" ? "change" : "input", () => { d.fields[name] = el.value; });
  return el;
}

/** The fields of the draft that differ from the stored ``values`` (strings compared trimmed). */
export function changedFields(key, values) {
  const out = {};
  for (const [name, value] of Object.entries(draft(key).fields)) {
    const typed = typeof value === "string" ? value.trim() : value;
    if (typed !== (values[name] ?? "")) out[name] = typed;
  }
  return out;
}

/** The form's error line, showing the draft's last refusal. */
export function errorLine(key) {
  return h("p", { class: "form-error", role: "alert", id: `err-${key.replace(":", "-")}` }, draft(key).error);
}

/**
 * Send a correction; on success toast ``okText`` (which clears the old errors), close the form and
 * run ``after``; on a refusal show the server's message in the form (and a toast) and change nothing.
 */
export async function send(key, request, okText, after) {
  const d = draft(key);
  try {
    await request();
  } catch (ex) {
    d.error = failText(ex);
    const line = document.getElementById(`err-${key.replace(":", "-")}`);
    if (line) line.textContent = d.error;
    toast(d.error, "error", 9000);
    return false;
  }
  d.error = "";
  toast(okText, "ok");
  if (isEditing(key)) startEditing(null);
  if (after) await after();
  return true;
}

/**
 * A deletion asked twice: the first press turns the button into "确认删除" and "取消"; the second
 * deletes. A refusal is a toast (nothing was deleted).
 */
export function deleteButton(key, label, request, okText, after) {
  const armed = edits.get("armed") === key;
  const id = key.replace(":", "-");
  if (!armed) {
    return h("button", { type: "button", class: "btn small ghost", id, "data-fk": id, "aria-label": label,
      onclick: () => { edits.set({ armed: key }); document.getElementById(`${id}-yes`)?.focus(); } }, t("clerk.delete"));
  }
  return h("span", { class: "confirm-inline", role: "group", "aria-label": label },
    h("button", { type: "button", class: "btn small danger", id: `${id}-yes`, "data-fk": `${id}-yes`, onclick: async () => {
      try {
        await api("DELETE", request);
      } catch (ex) {
        edits.set({ armed: null });
        toast(failText(ex), "error", 9000);
        return;
      }
      edits.set({ armed: null });
      toast(okText, "ok");
      if (after) await after();
    } }, t("clerk.confirm_delete")),
    h("button", { type: "button", class: "btn small ghost", id: `${id}-no`, onclick: () => edits.set({ armed: null }) }, t("common.cancel")));
}

/** The key of the panels' drawing: what is open and what is armed. */
export const editKey = () => [edits.get("editing"), edits.get("armed")];
