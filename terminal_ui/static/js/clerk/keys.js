// The 监票人 key ceremony of the sitting (for ballots whose box the scrutineers hold): the clerk ticks the
// scrutineers among the members and the threshold; each scrutineer types their own PIN (twice) at the
// console; the server deals the key and answers one key card per scrutineer (a QR code and its text),
// shown and printed here once and kept nowhere. Later, a scrutineer decrypts on their own seat with
// their card and PIN.
import { api } from "../core/api.js";
import { h } from "../core/dom.js";
import { t } from "../core/i18n.js";
import { Panel } from "../core/panel.js";
import { get, guarded } from "./data.js";
import { printArea } from "./sheet.js";

const PIN = /^[0-9]{6,12}$/;
let chosen = new Set(); // person ids ticked
let dealt = null; // the ceremony's answer: its cards, shown until the page is left

const members = () => get("people").filter((p) => p.current && p.role === "member");

function keyCard(c, answer) {
  return h("figure", { class: "qr-card key-card-print" },
    h("img", { src: c.qr, alt: t("clerk.key_card_alt", { name: c.name }), width: "220", height: "220" }),
    h("figcaption", {},
      h("strong", {}, t("clerk.key_card_of", { index: c.index, name: c.name })),
      h("span", { class: "small" }, answer.sitting.title),
      h("span", { class: "small muted" }, t("clerk.key_card_threshold", { k: answer.k, n: answer.n, key: answer.key })),
      h("code", { class: "card-text" }, c.card)));
}

function cardsView(answer) {
  return h("div", { class: "dealt" },
    h("p", { class: "notice warn", role: "alert" }, t("clerk.key_cards_once")),
    h("div", { class: "qr-grid" }, answer.cards.map((c) => keyCard(c, answer))),
    h("button", { class: "btn primary", "data-fk": "print-key-cards", onclick: () => printArea(
      h("h1", {}, t("clerk.key_cards"), " · ", answer.sitting.title),
      h("div", { class: "qr-grid print" }, answer.cards.map((c) => keyCard(c, answer)))) }, t("clerk.print_key_cards")));
}

function ceremonyForm(redraw) {
  const people = members();
  const pins = {};
  const problem = h("p", { class: "form-error", role: "alert", hidden: true });
  const k = h("select", { id: "key-k" });
  const kLabel = h("label", { for: "key-k" });
  const button = h("button", { class: "btn primary", type: "submit", "data-fk": "deal-keys" }, t("clerk.deal_keys"));
  // Ticking a scrutineer shows their PIN fields and updates the threshold's choices, in place (what was
  // typed for the others stays).
  const refresh = () => {
    const n = chosen.size;
    const was = Number(k.value) || 2;
    k.replaceChildren(...Array.from({ length: Math.max(1, n) }, (_, i) => h("option", { value: String(i + 1) }, `${i + 1}`)));
    k.value = String(Math.min(Math.max(1, n), was));
    kLabel.textContent = t("clerk.key_threshold", { n });
    button.disabled = n === 0;
    for (const [id, inputs] of Object.entries(pins)) for (const el of inputs) el.hidden = !chosen.has(Number(id));
  };
  const rows = people.map((p) => {
    const tick = h("input", { type: "checkbox", id: `holder-${p.id}`, checked: chosen.has(p.id), onchange: (ev) => {
      if (ev.target.checked) chosen.add(p.id); else chosen.delete(p.id);
      refresh();
    } });
    const pin = h("input", { type: "password", inputmode: "numeric", autocomplete: "off", maxlength: "12",
      id: `holder-pin-${p.id}`, "aria-label": t("clerk.holder_pin", { name: p.name }), hidden: !chosen.has(p.id) });
    const again = h("input", { type: "password", inputmode: "numeric", autocomplete: "off", maxlength: "12",
      id: `holder-pin2-${p.id}`, "aria-label": t("clerk.holder_pin_again", { name: p.name }), hidden: !chosen.has(p.id) });
    pins[p.id] = [pin, again];
    return h("li", { class: "holder-row" },
      h("label", { for: tick.id }, tick, " ", p.seat ? `${p.seat} · ${p.name}` : p.name), pin, again);
  });
  const submit = async (ev) => {
    ev.preventDefault();
    const holders = [];
    for (const id of chosen) {
      const [a, b] = pins[id];
      const who = people.find((p) => p.id === id);
      const fail = !PIN.test(a.value) ? "clerk.holder_pin_invalid" : a.value !== b.value ? "clerk.holder_pin_differs" : null;
      if (fail) {
        problem.hidden = false;
        problem.textContent = t(fail, { name: who ? who.name : String(id) });
        return;
      }
      holders.push({ person_id: id, pin: a.value });
    }
    const answer = await guarded(() => api("POST", `/api/sittings/${get("sittingId")}/key-ceremony`,
      { k: Number(k.value), holders }), t("clerk.keys_dealt"));
    for (const [a, b] of Object.values(pins)) { a.value = ""; b.value = ""; }
    if (!answer) return;
    dealt = answer;
    chosen = new Set();
    redraw();
  };
  const form = h("form", { class: "key-ceremony", onsubmit: submit },
    h("p", { class: "muted" }, t("clerk.key_ceremony_help")),
    h("ul", { class: "holder-list" }, rows),
    h("div", { class: "form-row" }, kLabel, k),
    problem, button);
  refresh();
  return form;
}

function holdersLine(kh) {
  return h("p", {}, t("clerk.key_holders_now", { k: kh.k, n: kh.n, key: kh.key }), " ",
    kh.holders.map((x) => `${x.index}. ${x.name}`).join(t("list.sep")));
}

export function keysPanel(client, el) {
  const panel = new Panel({
    el,
    reads: ["sitting", "sittingId", "people"],
    key: () => [get("sittingId"), client.state && client.state.sitting && [client.state.sitting.status, client.state.sitting.key_holders],
      members().map((p) => p.id), dealt && dealt.key],
    build: () => {
      if (!get("sittingId") || !client.state || !client.state.sitting) return [];
      const s = client.state.sitting;
      const kh = s.key_holders;
      return h("section", { class: "card", "aria-labelledby": "keys-title" },
        h("h2", { id: "keys-title" }, t("clerk.key_ceremony")),
        kh ? holdersLine(kh) : h("p", { class: "muted" }, t("clerk.no_key_holders")),
        dealt && kh && dealt.key === kh.key ? cardsView(dealt) : null,
        s.status === "closed" ? null
          : h("details", { class: "form-details", open: !kh }, h("summary", {}, t(kh ? "clerk.deal_again" : "clerk.deal_keys")),
            ceremonyForm(() => panel.draw())));
    },
  });
  return panel;
}
