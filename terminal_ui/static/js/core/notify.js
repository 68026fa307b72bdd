// Short-lived messages in the page's toast area, and acknowledgements that may be refusals.
import { h } from "./dom.js";
import { errorText, t } from "./i18n.js";

/** The errors shown so far go once an action succeeds: what they said is no longer so. */
function clearErrors() {
  for (const el of document.querySelectorAll("#toasts .toast.error")) el.remove();
}

/** A short-lived message in the page's toast area (aria-live), at the top of the page where it covers
 * no button (and lets every tap through). A success ("ok") takes away the errors before it. */
export function toast(text, kind = "info", ms = 5000) {
  let area = document.getElementById("toasts");
  if (!area) {
    area = h("div", { id: "toasts", class: "toasts", role: "status", "aria-live": "polite" });
    document.body.append(area);
  }
  if (kind === "ok") clearErrors();
  const el = h("div", { class: `toast ${kind}` }, text);
  area.append(el);
  setTimeout(() => el.remove(), ms);
}

/** Show an acknowledgement's refusal (or, when it succeeded, take the old errors away); returns ack.ok. */
export function ackOk(ack) {
  if (ack && ack.ok) {
    clearErrors();
    return true;
  }
  toast(errorText(ack) || t("error.generic"), "error", 8000);
  return false;
}
