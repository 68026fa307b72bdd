// The live seat map of a console (the chair's, the clerk's): the hall drawn for the sitting's body
// (GET /api/bodies/<id>/hall, then the ``hall`` push), the tablets online (the same answer, then the
// ``tablets`` push) and the attendance and ballot of the live state. The map's cells are built once per
// drawn hall; every push after that only changes the seats whose state changed.
import { api } from "../core/api.js";
import { h } from "../core/dom.js";
import { onLangChange } from "../core/i18n.js";
import { legend, SeatMap, seatStates } from "../views/seatmap.js";

/**
 * Show the live map in ``el`` (a legend box and the map's own scrolling box). ``bodyId()`` is the body
 * whose hall is shown (the sitting's). Returns ``reload()``: read the body's hall again (another body
 * chosen, a map saved or imported here).
 */
export function liveHall(client, el, { bodyId }) {
  const legendBox = h("div", { class: "sm-legend-box" });
  const mapBox = h("div", { class: "sm-box", tabindex: "0" });
  el.replaceChildren(legendBox, mapBox);
  const map = new SeatMap(mapBox);
  let online = [];
  let loadedFor = null;
  let legendKey = null;

  const state = () => client.state || {};
  const refresh = () => {
    const s = state();
    const states = seatStates(s.attendance && s.attendance.people, online, s.ballot);
    const key = JSON.stringify([Boolean(map.hall), map.hall && map.hall.zones, states.named, states.secret]);
    if (key !== legendKey) {
      legendKey = key;
      legendBox.replaceChildren(map.hall ? legend(map.hall, states) : "");
    }
    if (map.hall) map.update(states);
  };
  const load = async () => {
    const id = bodyId();
    if (!id || id === loadedFor) return;
    loadedFor = id;
    try {
      const out = await api("GET", `/api/bodies/${id}/hall`);
      online = out.online || [];
      map.setHall(out.hall);
    } catch (_) {
      loadedFor = null; // tried again at the next snapshot
      return;
    }
    refresh();
  };
  client.on("state", (_s, changed) => {
    if (changed.has("sitting")) load();
    if (changed.has("attendance") || changed.has("ballot")) refresh();
  });
  client.on("hall", (msg) => {
    if (msg.body_id !== bodyId()) return;
    map.setHall(msg.hall);
    legendKey = null;
    refresh();
  });
  client.on("tablets", (msg) => {
    if (msg.body_id !== bodyId() || !Array.isArray(msg.online)) return;
    online = msg.online;
    refresh();
  });
  onLangChange(() => {
    map.setHall(map.hall);
    legendKey = null;
    refresh();
  });
  load();
  return () => {
    loadedFor = null;
    return load();
  };
}
