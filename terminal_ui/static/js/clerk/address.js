// The public address printed on signed result sheets (their verification address and QR code) and on
// pairing slips: shown and changed here (admin, clerk). The server never takes it from a request.
import { api } from "../core/api.js";
import { h } from "../core/dom.js";
import { t } from "../core/i18n.js";
import { guarded } from "./data.js";

function describe(note, answer) {
  if (answer.source === "console") note.textContent = t("clerk.public_url_stored");
  else if (answer.source === "config") note.textContent = t("clerk.public_url_config", { url: answer.configured });
  else note.textContent = t("clerk.public_url_none");
}

/** The field and its save button; it loads the address in force when it is built. */
export function publicAddressForm() {
  const input = h("input", { id: "public-url", type: "url", inputmode: "url", autocomplete: "off",
    placeholder: "https://biaojue.example.cn" });
  const note = h("p", { class: "muted small", id: "public-url-note" });
  const load = async () => {
    try {
      const answer = await api("GET", "/api/settings/public-url");
      input.value = answer.source === "console" ? answer.public_url : "";
      describe(note, answer);
    } catch {
      note.textContent = "";
    }
  };
  load();
  return h("form", { class: "public-url", onsubmit: async (e) => {
    e.preventDefault();
    const url = input.value.trim() || null;
    const out = await guarded(() => api("PUT", "/api/settings/public-url", { url }), t("clerk.public_url_saved"));
    if (out) await load();
  } },
  h("div", { class: "form-row" },
    h("div", { class: "grow" }, h("label", { for: "public-url" }, t("clerk.public_url")), input),
    h("button", { class: "btn primary", type: "submit", id: "public-url-save" }, t("common.save"))),
  h("p", { class: "muted small" }, t("clerk.public_url_hint")), note);
}
