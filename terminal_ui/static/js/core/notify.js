// Short-lived messages in the page's toast area, and acknowledgements that may be refusals.
import { h } from "./dom.js";
import { errorText, t } from "./i18n.js";

/** A short-lived message in the page's toast area (aria-live). */
export function toast(text, kind = "info", ms = 5000) {
  let area = document.getElementById("toasts");
  if (!area) {
    area = h("div", { id: "toasts", class: "toasts", role: "status", "aria-live": "polite" });
    document.body.append(area);
  }
  const el = h("div", { class: `toast ${kind}` }, text);
  area.append(el);
  setTimeout(() => el.remove(), ms);
}

/** Show an acknowledgement's refusal (or nothing when it succeeded); returns ack.ok. */
export function ackOk(ack) {
  if (ack && ack.ok) return true;
  toast(errorText(ack) || t("error.generic"), "error", 8000);
  return false;
}
