// The hall display (1920×1080): sitting, attendance and quorum, current item, ballot progress, and
// the result with a chart and 通过 / 未获通过 large enough to read across the hall.
import { h } from "../core/dom.js";
import { dotted, fmtDate, fmtTime } from "../core/format.js";
import { t } from "../core/i18n.js";
import { Panel } from "../core/panel.js";
import { goLive, LiveClient, sittingFromUrl, staffPage } from "../live/start.js";
import { attendanceFigures } from "../views/attendance.js";
import { speechClock } from "../views/countdown.js";
import { sittingPicker } from "../views/picker.js";
import { ballotPanel } from "./ballot.js";

const $ = (id) => document.getElementById(id);

function currentItem(state) {
  const ag = state.agenda || { items: [] };
  return (ag.items || []).find((i) => i.id === ag.current_item_id) || null;
}

function panels(client) {
  const state = () => client.state || {};
  const sitting = () => state().sitting || {};
  const heading = new Panel({
    reads: ["sitting"],
    key: () => sitting(),
    build: () => {
      const s = sitting();
      $("hall-body").textContent = (s.body && s.body.name) || "";
      $("hall-title").textContent = s.title || "";
      $("hall-date").textContent = dotted(fmtDate(s.date), s.place);
      document.title = `${t("display.page_title")} · ${s.title || ""}`;
    },
  });
  const attendance = new Panel({
    el: $("hall-att"),
    reads: ["attendance", "sitting"],
    key: () => [state().attendance && { ...state().attendance, people: undefined }, state().sitting && state().sitting.status],
    build: () => [h("h2", { class: "hall-h" }, t("display.attendance")), attendanceFigures(state().attendance,
      { planned: Boolean(state().sitting && state().sitting.status === "planned") })],
  });
  const item = new Panel({
    el: $("hall-item"),
    reads: ["agenda", "sitting"],
    key: () => {
      const i = currentItem(state());
      return [i && { id: i.id, title: i.title, position: i.position }, sitting().status];
    },
    build: () => itemView(currentItem(state()), sitting().status),
  });
  const speaking = () => ((state().speakers || []).find((s) => s.status === "granted") || null);
  const speaker = new Panel({
    el: $("hall-speaker"),
    reads: ["speakers"],
    key: () => speaking(),
    build: () => {
      const s = speaking();
      return s ? h("p", { class: "hall-speaking" }, h("span", { class: "hall-label" }, t("speakers.now")),
        h("span", { class: "hall-speaker-name" }, s.seat ? `${s.seat} ` : "", s.name), speechClock(client, s)) : null;
    },
  });
  const tools = new Panel({
    // the picker shows each sitting's state: drawn again when this one opens or closes
    el: $("hall-tools"), reads: ["sitting"], key: () => [sitting().id, sitting().status],
    build: () => sittingPicker(client, sitting().id),
  });
  return [heading, attendance, item, speaker, ballotPanel(client, $("hall-ballot")), tools];
}

function itemView(item, status) {
  if (item) {
    return [h("p", { class: "hall-label" }, t("display.current_item"), " · ", t("agenda.item_no", { n: item.position })),
      h("h1", { class: "hall-item-title" }, item.title)];
  }
  const waiting = { closed: "display.closed", open: "display.between_items" }[status] || "display.not_open";
  return [h("p", { class: "hall-label" }, t("display.current_item")), h("h1", { class: "hall-item-title muted" }, t(waiting))];
}

function clock(client) {
  const show = () => { $("hall-clock").textContent = fmtTime(new Date(client.now())); };
  show();
  setInterval(show, 1000);
}

function fullscreen() {
  $("fullscreen").addEventListener("click", () => {
    if (!document.fullscreenElement) document.documentElement.requestFullscreen().catch(() => {});
    else document.exitFullscreen();
  });
}

async function main() {
  await staffPage({ roles: ["display", "clerk", "chair", "admin"], app: "hall" });
  const client = new LiveClient({ sittingId: sittingFromUrl() });
  fullscreen();
  clock(client);
  goLive(client, {
    panels: panels(client),
    refused: (text) => $("hall-ballot").replaceChildren(h("p", { class: "hall-wait" }, text)),
  });
}

main();
