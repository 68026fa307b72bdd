// Pairing tablets: a QR card (one-time code) per person, printable; the tablets paired so far (online
// or offline, when last seen, whether their person has signed in; kept live by the devices push), and
// revoking one (it returns to its pairing screen at once); seats on which wrong PINs were typed, and
// clearing one (whoever was made to wait may try again at once).
import { api } from "../core/api.js";
import { h, headRow } from "../core/dom.js";
import { fmtDateTime } from "../core/format.js";
import { t } from "../core/i18n.js";
import { Panel } from "../core/panel.js";
import { body, get, guarded, loadDevices } from "./data.js";
import { roleText } from "./people.js";
import { printArea } from "./sheet.js";

let cards = {}; // person_id -> the pairing answer {code, qr, link, expires_in}

function expiry(pr) {
  const s = pr.expires_in || 0;
  return s >= 7200 ? t("clerk.expires_in_h", { n: Math.round(s / 3600) }) : t("clerk.expires_in", { n: Math.round(s / 60) });
}

function qrCard(p, pr) {
  return h("figure", { class: "qr-card" },
    h("img", { src: pr.qr, alt: t("clerk.qr_alt", { name: p.name }), width: "180", height: "180" }),
    h("figcaption", {}, h("strong", {}, p.seat ? `${p.seat} · ${p.name}` : p.name),
      h("span", { class: "small" }, t("clerk.code_line", { code: pr.code })),
      h("span", { class: "small muted" }, expiry(pr))));
}

const current = () => get("people").filter((p) => p.current);
const carded = () => current().filter((p) => cards[p.id]);

async function pair(people, redraw) {
  const next = { ...cards };
  for (const p of people) {
    const out = await guarded(() => api("POST", `/api/people/${p.id}/pairing`, {}));
    if (!out) break;
    next[p.id] = out;
  }
  cards = next;
  redraw();
  loadDevices();
}

function printCards() {
  printArea(h("h1", {}, t("clerk.qr_cards"), " · ", body() ? body().name : ""),
    h("div", { class: "qr-grid print" }, carded().map((p) => qrCard(p, cards[p.id]))));
}

function peopleTable(redraw) {
  return h("table", { class: "data-table" },
    headRow(["clerk.seat", "clerk.name", "clerk.role", "clerk.pairing_code", ""], t),
    h("tbody", {}, current().map((p) => {
      const pr = cards[p.id];
      const label = t(pr ? "clerk.pair_again" : "clerk.pair_one");
      return h("tr", {}, h("td", {}, p.seat || ""), h("th", { scope: "row" }, p.name), h("td", {}, roleText(p.role)),
        h("td", {}, pr ? h("code", {}, pr.code) : ""),
        h("td", {}, h("button", { class: "btn small", "aria-label": t("common.labelled", { label, value: p.name }), onclick: () => pair([p], redraw) }, label)));
    })));
}

function devicesTable() {
  const revoke = async (d) => {
    if (await guarded(() => api("POST", `/api/devices/${d.id}/revoke`, {}), t("clerk.revoked"))) loadDevices();
  };
  // wide: it scrolls inside its own box on a phone, never the page
  return h("div", { class: "table-scroll" }, h("table", { class: "data-table", id: "devices-table" },
    headRow(["clerk.seat", "clerk.name", "clerk.status", "clerk.device_link", "clerk.last_seen", "clerk.device_signed_in", "clerk.paired_at", ""], t),
    h("tbody", {}, get("devices").map((d) => h("tr", { class: d.status === "revoked" ? "dim" : "", "data-device": String(d.id) },
      h("td", {}, d.seat || ""), h("th", { scope: "row" }, d.name), h("td", {}, t(`device.${d.status}`)),
      h("td", { class: "device-link" }, d.status === "paired"
        ? h("span", { class: `link-state ${d.online ? "online" : "offline"}` }, t(d.online ? "clerk.device_online" : "clerk.device_offline"))
        : ""),
      h("td", { class: "device-seen" }, d.last_seen_at ? fmtDateTime(d.last_seen_at) : "—"),
      h("td", { class: "device-signed" }, d.signed_in == null ? "—" : t(d.signed_in ? "clerk.device_signed" : "clerk.device_not_signed")),
      h("td", {}, fmtDateTime(d.paired_at)),
      h("td", {}, d.status === "paired" || d.status === "pending"
        ? h("button", { class: "btn small danger", "aria-label": `${t("clerk.revoke")} ${d.name}`, onclick: () => revoke(d) }, t("clerk.revoke"))
        : null))))));
}

function lockoutsTable() {
  const unlock = async (l) => {
    if (await guarded(() => api("POST", `/api/people/${l.person_id}/pin/unlock`, {}), t("clerk.pin_unlocked"))) loadDevices();
  };
  return h("table", { class: "data-table", id: "pin-lockouts" },
    headRow(["clerk.seat", "clerk.name", "clerk.pin_wrong", ""], t),
    h("tbody", {}, get("pinLockouts").map((l) => h("tr", {},
      h("td", {}, l.seat), h("th", { scope: "row" }, l.name || ""),
      h("td", {}, t("clerk.pin_failures", { n: l.failures, sources: l.sources })),
      h("td", {}, l.person_id
        ? h("button", { class: "btn small", "aria-label": `${t("clerk.unlock_pin")} ${l.name || l.seat}`, onclick: () => unlock(l) }, t("clerk.unlock_pin"))
        : null)))));
}

function build(redraw) {
  if (!get("bodyId")) return h("p", { class: "notice" }, t("clerk.create_body_first"));
  const ready = carded();
  return [
    h("div", { class: "panel-head" }, h("p", { class: "muted" }, t("clerk.pairing_help")),
      h("div", { class: "form-row" },
        h("button", { class: "btn secondary", id: "pair-all", onclick: () => pair(current(), redraw) }, t("clerk.pair_all")),
        h("button", { class: "btn primary", id: "pair-print", disabled: !ready.length, onclick: printCards }, t("clerk.print_cards")))),
    ready.length ? h("section", { class: "card", "aria-labelledby": "cards-title" }, h("h2", { id: "cards-title" }, t("clerk.qr_cards")),
      h("div", { class: "qr-grid", id: "qr-cards" }, ready.map((p) => qrCard(p, cards[p.id])))) : null,
    h("section", { class: "card", "aria-labelledby": "pair-title" },
      h("h2", { id: "pair-title" }, t("clerk.pairing_people")), peopleTable(redraw)),
    get("pinLockouts").length ? h("section", { class: "card", "aria-labelledby": "lockouts-title" },
      h("h2", { id: "lockouts-title" }, t("clerk.pin_lockouts")), h("p", { class: "muted" }, t("clerk.pin_lockouts_help")),
      lockoutsTable()) : null,
    h("section", { class: "card", "aria-labelledby": "devices-title" }, h("h2", { id: "devices-title" }, t("clerk.devices")),
      get("devices").length ? devicesTable() : h("p", { class: "muted" }, t("clerk.no_devices"))),
  ];
}

export function pairingPanel(el) {
  const panel = new Panel({
    el,
    reads: ["bodyId", "people", "devices", "pinLockouts"],
    key: () => [get("bodyId"), get("people"), get("devices"), get("pinLockouts"), cards],
    build: () => build(() => panel.draw()),
  });
  return panel;
}
