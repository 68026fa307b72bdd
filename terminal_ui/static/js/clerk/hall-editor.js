// Drawing the hall: rows × seats, a click turns a place into a gap (an aisle) or back into a seat, two
// clicks pick the corners of a block that gets a zone (主席台, a 代表团), a seat's label can be typed, and
// every seat numbered at once (排-座, or 1, 2, 3 … across the hall). Saved whole (PUT /api/bodies/<id>/hall).
import { api } from "../core/api.js";
import { h } from "../core/dom.js";
import { t } from "../core/i18n.js";
import { Panel } from "../core/panel.js";
import { Store } from "../core/store.js";
import { get, guarded } from "./data.js";

const MAX = 60;
/** The draft the clerk edits: the map, the tool, the zone chosen, a block's first corner, the seat picked. */
export const draft = new Store({ hall: null, tool: "gap", zone: null, anchor: null, picked: null, dirty: false, forBody: null });

const blank = (rows, cols, fill) => Array.from({ length: rows }, (_, r) => Array.from({ length: cols }, (_c, c) => fill(r, c)));
const copy = (hall) => JSON.parse(JSON.stringify(hall));

/** A new hall: every place a seat, numbered 排-座. */
function newHall(rows = 10, cols = 20) {
  return { rows, cols, seats: blank(rows, cols, (r, c) => label(r, c)), zones: [], zone_of: blank(rows, cols, () => null) };
}

const label = (r, c) => `${r + 1}-${String(c + 1).padStart(2, "0")}`;

/** Load the body's map into the draft (a new one when none is drawn yet). */
export async function loadDraft(force = false) {
  const id = get("bodyId");
  if (!id || (!force && draft.get("forBody") === id && draft.get("hall"))) return;
  const out = await guarded(() => api("GET", `/api/bodies/${id}/hall`));
  if (!out) return;
  draft.set({ hall: out.hall ? copy(out.hall) : newHall(), forBody: id, dirty: false, anchor: null, picked: null });
}

function change(fn) {
  const hall = copy(draft.get("hall"));
  fn(hall);
  draft.set({ hall, dirty: true });
}

function resize(rows, cols) {
  change((hall) => {
    const old = hall;
    const seats = blank(rows, cols, (r, c) => (r < old.rows && c < old.cols ? old.seats[r][c] : ""));
    const zoneOf = blank(rows, cols, (r, c) => (r < old.rows && c < old.cols ? old.zone_of[r][c] : null));
    Object.assign(hall, { rows, cols, seats, zone_of: zoneOf });
  });
  draft.set({ anchor: null, picked: null });
}

/** Number every seat: 排-座 (counting only seats, not gaps) or one count across the hall. */
function autoNumber(scheme) {
  change((hall) => {
    let n = 0;
    for (let r = 0; r < hall.rows; r += 1) {
      let k = 0;
      for (let c = 0; c < hall.cols; c += 1) {
        if (hall.seats[r][c] === null) continue;
        k += 1;
        n += 1;
        hall.seats[r][c] = scheme === "running" ? String(n) : `${r + 1}-${String(k).padStart(2, "0")}`;
      }
    }
  });
}

function clickCell(r, c) {
  const tool = draft.get("tool");
  if (tool === "gap") {
    change((hall) => {
      hall.seats[r][c] = hall.seats[r][c] === null ? "" : null;
      if (hall.seats[r][c] === null) hall.zone_of[r][c] = null;
    });
  } else if (tool === "zone") {
    const anchor = draft.get("anchor");
    if (!anchor) { draft.set({ anchor: [r, c] }); return; }
    const zone = draft.get("zone");
    change((hall) => {
      for (let i = Math.min(anchor[0], r); i <= Math.max(anchor[0], r); i += 1) {
        for (let j = Math.min(anchor[1], c); j <= Math.max(anchor[1], c); j += 1) {
          if (hall.seats[i][j] !== null) hall.zone_of[i][j] = zone;
        }
      }
    });
    draft.set({ anchor: null });
  } else {
    draft.set({ picked: [r, c] });
  }
}

function zoneColours() {
  const style = getComputedStyle(document.documentElement);
  return [1, 2, 3, 4, 5, 6].map((i) => style.getPropertyValue(`--zone-${i}`).trim()).filter(Boolean);
}

function addZone(name, colour) {
  if (!name) return;
  change((hall) => { hall.zones.push({ name, colour }); });
  draft.set({ zone: draft.get("hall").zones.length - 1, tool: "zone" });
}

function removeZone(i) {
  change((hall) => {
    hall.zones.splice(i, 1);
    hall.zone_of = hall.zone_of.map((row) => row.map((z) => (z === null || z === i ? null : z > i ? z - 1 : z)));
  });
  draft.set({ zone: null });
}

async function save() {
  const out = await guarded(() => api("PUT", `/api/bodies/${get("bodyId")}/hall`, { layout: draft.get("hall") }),
    t("hall.saved"));
  if (out) draft.set({ dirty: false });
}

function sizeForm(hall) {
  const rows = h("input", { id: "hall-rows", type: "number", min: "1", max: String(MAX), value: String(hall.rows) });
  const cols = h("input", { id: "hall-cols", type: "number", min: "1", max: String(MAX), value: String(hall.cols) });
  return h("form", { class: "form-row", onsubmit: (e) => {
    e.preventDefault();
    const r = Math.min(MAX, Math.max(1, parseInt(rows.value, 10) || 1));
    const c = Math.min(MAX, Math.max(1, parseInt(cols.value, 10) || 1));
    resize(r, c);
  } },
  h("div", {}, h("label", { for: "hall-rows" }, t("hall.rows")), rows),
  h("div", {}, h("label", { for: "hall-cols" }, t("hall.cols")), cols),
  h("button", { class: "btn secondary", type: "submit", id: "hall-resize" }, t("hall.resize")));
}

function toolBar() {
  const tool = draft.get("tool");
  const radio = (value) => h("label", { class: "radio-chip" },
    h("input", { type: "radio", name: "hall-tool", value, id: `hall-tool-${value}`, checked: tool === value,
      onchange: () => draft.set({ tool: value, anchor: null, picked: null }) }), t(`hall.tool_${value}`));
  const scheme = h("select", { id: "hall-scheme", "aria-label": t("hall.scheme") },
    h("option", { value: "rows" }, t("hall.scheme_rows")), h("option", { value: "running" }, t("hall.scheme_running")));
  return h("div", { class: "form-row hall-tools" },
    h("fieldset", { class: "radio-row" }, h("legend", {}, t("hall.tool")), radio("gap"), radio("zone"), radio("label")),
    h("div", {}, scheme),
    h("button", { class: "btn secondary", type: "button", id: "hall-number", onclick: () => autoNumber(scheme.value) },
      t("hall.auto_number")));
}

function zonesBox(hall) {
  const chosen = draft.get("zone");
  const name = h("input", { id: "zone-name", maxlength: "40" });
  const colours = zoneColours();
  const colour = h("input", { id: "zone-colour", type: "color", value: colours[hall.zones.length % colours.length] || "" });
  const item = (z, i) => h("li", {},
    h("label", { class: "radio-chip" }, h("input", { type: "radio", name: "hall-zone", checked: chosen === i,
      onchange: () => draft.set({ zone: i, tool: "zone" }) }), swatch(z.colour), z.name),
    h("button", { class: "btn ghost small", type: "button", onclick: () => removeZone(i) }, t("hall.zone_remove")));
  return h("div", { class: "hall-zones" },
    h("ul", { class: "plain-list", id: "hall-zone-list" },
      h("li", {}, h("label", { class: "radio-chip" }, h("input", { type: "radio", name: "hall-zone", checked: chosen === null,
        onchange: () => draft.set({ zone: null }) }), t("hall.zone_none"))),
      hall.zones.map(item)),
    h("form", { class: "form-row", onsubmit: (e) => { e.preventDefault(); addZone(name.value.trim(), colour.value); } },
      h("div", { class: "grow" }, h("label", { for: "zone-name" }, t("hall.zone_name")), name),
      h("div", {}, h("label", { for: "zone-colour" }, t("hall.zone_colour")), colour),
      h("button", { class: "btn secondary", type: "submit", id: "zone-add" }, t("hall.zone_add"))));
}

function swatch(colour) {
  const el = h("span", { class: "sm-zone-chip", "aria-hidden": "true" });
  el.style.setProperty("--zone", colour);
  return el;
}

function labelForm(hall) {
  const picked = draft.get("picked");
  if (!picked || draft.get("tool") !== "label") return null;
  const [r, c] = picked;
  if (hall.seats[r][c] === null) return null;
  const input = h("input", { id: "seat-label", maxlength: "20", value: hall.seats[r][c] });
  return h("form", { class: "form-row", onsubmit: (e) => {
    e.preventDefault();
    change((x) => { x.seats[r][c] = input.value.trim(); });
  } },
  h("div", {}, h("label", { for: "seat-label" }, t("hall.label_of", { row: r + 1, seat: c + 1 })), input),
  h("button", { class: "btn secondary", type: "submit", id: "seat-label-set" }, t("common.ok")));
}

function editorGrid(hall) {
  const anchor = draft.get("anchor");
  const picked = draft.get("picked");
  const grid = h("div", { class: "sm-grid hall-editor-grid" });
  grid.style.setProperty("--sm-cols", String(hall.cols));
  for (let r = 0; r < hall.rows; r += 1) {
    const row = h("div", { class: "sm-row" }, h("span", { class: "sm-rowno", "aria-hidden": "true" }, String(r + 1)));
    for (let c = 0; c < hall.cols; c += 1) {
      const seat = hall.seats[r][c];
      const zi = hall.zone_of[r][c];
      const mark = (anchor && anchor[0] === r && anchor[1] === c) || (picked && picked[0] === r && picked[1] === c);
      const el = h("button", { type: "button", class: `sm-cell ed-cell${seat === null ? " ed-gap" : " sm-seat"}${mark ? " picked" : ""}`,
        dataset: { r: String(r), c: String(c) }, "aria-label": seat === null ? t("hall.gap_at", { row: r + 1, seat: c + 1 })
          : `${seat || "?"}${zi !== null && hall.zones[zi] ? ` · ${hall.zones[zi].name}` : ""}` },
      seat === null ? "" : h("span", { class: "sm-label" }, seat || "?"));
      if (zi !== null && hall.zones[zi]) el.style.setProperty("--zone", hall.zones[zi].colour);
      row.append(el);
    }
    grid.append(row);
  }
  grid.addEventListener("click", (e) => {
    const cell = e.target.closest(".ed-cell");
    if (cell) clickCell(parseInt(cell.dataset.r, 10), parseInt(cell.dataset.c, 10));
  });
  return h("div", { class: "sm-box" }, grid);
}

function summary(hall) {
  const labels = new Set(hall.seats.flat().filter((x) => x));
  const seats = hall.seats.flat().filter((x) => x !== null).length;
  const away = (get("people") || []).filter((p) => p.current !== false && p.seat && !labels.has(p.seat));
  return h("p", { class: `notice small ${away.length ? "warn" : ""}`, id: "hall-summary" },
    t("hall.summary", { n: seats, m: hall.rows * hall.cols - seats, k: away.length }),
    away.length ? ` ${away.slice(0, 12).map((p) => t("hall.away", { name: p.name, seat: p.seat })).join(" ")}` : "");
}

export function hallEditorPanel(el) {
  return new Panel({
    el,
    reads: ["bodyId", "hall", "tool", "zone", "anchor", "picked", "dirty", "people"],
    key: () => [get("bodyId"), draft.state],
    build: () => {
      const hall = draft.get("hall");
      if (!get("bodyId")) return [];
      if (!hall) return h("p", { class: "muted" }, t("common.loading"));
      return h("section", { class: "card", "aria-labelledby": "hall-editor-title" },
        h("h2", { id: "hall-editor-title" }, t("hall.editor")),
        h("p", { class: "muted small" }, t("hall.editor_help")),
        sizeForm(hall), toolBar(), zonesBox(hall), labelForm(hall), summary(hall), editorGrid(hall),
        h("div", { class: "form-row" },
          h("button", { class: "btn primary", type: "button", id: "hall-save", disabled: !draft.get("dirty"), onclick: save },
            t("hall.save")),
          h("button", { class: "btn ghost", type: "button", disabled: !draft.get("dirty"), onclick: () => loadDraft(true) },
            t("hall.discard"))));
    },
  });
}
