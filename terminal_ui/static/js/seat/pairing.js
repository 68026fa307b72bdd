// Pairing the tablet with a member: the one-time code of the clerk's QR card (/seat?pair=…), or the
// seat number and the member's PIN. The answer's device token is kept for every later connection.
import { api, failText, session } from "../core/api.js";
import { h } from "../core/dom.js";
import { t } from "../core/i18n.js";
import { device } from "./device.js";

async function pair(payload) {
  await session();
  const data = await api("POST", "/api/pair", payload);
  device.setToken(data.token);
  return data;
}

/** The pairing form in ``box``; ``onPaired`` runs once the tablet has its token. */
export function pairingForm(box, message, onPaired) {
  const body = new URLSearchParams(location.search).get("body") || device.body() || "1";
  const seat = h("input", { id: "pair-seat", name: "seat", inputmode: "text", autocomplete: "off", required: true, "data-fk": "seat" });
  const pin = h("input", { id: "pair-pin", name: "pin", type: "password", inputmode: "numeric",
    autocomplete: "one-time-code", pattern: "[0-9]{4,8}", required: true, "data-fk": "pin" });
  const bodyInput = h("input", { id: "pair-body", name: "body", type: "number", min: "1", value: body });
  const err = h("p", { class: "form-error", role: "alert" }, message || "");
  const form = h("form", { class: "card pair-card", "aria-labelledby": "pair-title" },
    h("h1", { id: "pair-title" }, t("seat.pair_title")),
    h("p", { class: "muted" }, t("seat.pair_help")),
    h("div", { class: "pair-fields" },
      h("div", {}, h("label", { for: "pair-seat" }, t("seat.seat_no")), seat),
      h("div", {}, h("label", { for: "pair-pin" }, t("seat.pin")), pin)),
    h("details", { class: "pair-more" }, h("summary", {}, t("seat.more")),
      h("label", { for: "pair-body" }, t("seat.body_id")), bodyInput),
    err,
    h("button", { class: "btn primary huge", type: "submit" }, t("seat.pair_submit")));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    err.textContent = "";
    const bodyId = parseInt(bodyInput.value, 10) || 1;
    try {
      await pair({ body_id: bodyId, seat: seat.value.trim(), pin: pin.value.trim() });
      device.setBody(bodyId);
      onPaired();
    } catch (ex) {
      err.textContent = failText(ex);
      pin.value = "";
      pin.focus();
    }
  });
  box.replaceChildren(form);
  seat.focus();
}

/** A QR link (?pair=<code>) pairs at once; the code leaves the address so a reload does not reuse it. */
export async function pairFromLink() {
  const params = new URLSearchParams(location.search);
  const code = params.get("pair");
  if (!code) return null;
  params.delete("pair");
  const rest = params.toString();
  history.replaceState(null, "", location.pathname + (rest ? `?${rest}` : ""));
  try {
    await pair({ code });
    return null;
  } catch (ex) {
    return failText(ex);
  }
}
