// The seat map of the hall as the chair and the clerk watch it: one cell per place of the drawn hall
// (a seat with its label, or a gap), the zones (主席台, a 代表团's block) as coloured bands, and on each
// seat its person's state: signed in, on leave or not signed in (fill and pattern), the tablet online or
// offline (a filled or hollow dot) and, during a named ballot, voted or not (a tick). During a secret
// ballot no seat shows anything about voting. The cells are built once per drawn hall; a push changes
// only the classes of the seats whose state changed (a seat's words are written when it is pointed at,
// focused or tapped, and kept up to date from then on).
import { h } from "../core/dom.js";
import { t } from "../core/i18n.js";

const PRESENT = ["present", "video"];
const CELLS_PER_TASK = 60;

/** What a seat shows, from the live state: its person, attendance, tablet and vote (as class names). */
export function seatStates(people, online, ballot) {
  const onlineSet = new Set(online || []);
  const named = Boolean(ballot && ballot.status === "open" && !ballot.secret && Array.isArray(ballot.non_voters));
  const waiting = named ? new Set(ballot.non_voters.map((p) => p.person_id)) : null;
  const bySeat = new Map();
  for (const p of people || []) {
    if (!p.seat) continue;
    const here = PRESENT.includes(p.status);
    const att = here ? "in" : p.status === "leave" ? "leave" : "out";
    let vote = "";
    if (named && p.role === "member" && here) vote = waiting.has(p.person_id) ? "wait" : "done";
    bySeat.set(p.seat, { person: p, att, tab: onlineSet.has(p.person_id) ? "on" : "off", vote });
  }
  return { bySeat, named, secret: Boolean(ballot && ballot.status === "open" && ballot.secret) };
}

function hoverText(label, s) {
  if (!s) return t("hall.seat_empty", { seat: label });
  const parts = [label, s.person.name, t(`hall.att_${s.att}`), t(`hall.tab_${s.tab}`)];
  if (s.vote) parts.push(t(`hall.vote_${s.vote}`));
  return parts.join(" · ");
}

export class SeatMap {
  /** @param {HTMLElement} el  the box the map lives in (it scrolls inside it) */
  constructor(el, { onPick = null } = {}) {
    this.el = el;
    this.hall = null;
    this.cells = new Map(); // label -> {el, cls, title}
    this.detail = h("p", { class: "sm-detail", role: "status", "aria-live": "polite" });
    this.onPick = onPick;
    this.picked = null;
    this.last = null;
  }

  /** Build the cells of ``hall`` (once per drawn hall). */
  setHall(hall) {
    this.hall = hall;
    this.cells = new Map();
    this.picked = null;
    if (!hall) {
      this.el.replaceChildren(h("p", { class: "muted" }, t("hall.none")));
      return;
    }
    const grid = h("div", { class: "sm-grid", role: "grid", "aria-label": t("hall.map_label") });
    grid.style.setProperty("--sm-cols", String(hall.cols)); // a width of its own: a row added lays out alone
    const proto = h("button", { type: "button", class: "sm-cell sm-seat", role: "gridcell" },
      h("span", { class: "sm-label" }), h("span", { class: "sm-dot", "aria-hidden": "true" }),
      h("span", { class: "sm-tick", "aria-hidden": "true" }));
    const rows = [];
    for (let r = 0; r < hall.rows; r += 1) {
      const row = h("div", { class: "sm-row", role: "row" });
      row.append(h("span", { class: "sm-rowno", "aria-hidden": "true" }, String(r + 1)));
      for (let c = 0; c < hall.cols; c += 1) row.append(this._cell(hall, r, c, proto));
      rows.push(row);
    }
    // A large hall is put on the page a few rows per frame, so that no task styles and lays out the
    // whole of it at once (the cells exist already: a push in between changes them all the same).
    const generation = (this.generation = (this.generation || 0) + 1);
    const perTask = Math.max(1, Math.floor(CELLS_PER_TASK / hall.cols));
    const attach = (from) => {
      if (generation !== this.generation) return;
      grid.append(...rows.slice(from, from + perTask));
      if (from + perTask < rows.length) requestAnimationFrame(() => setTimeout(() => attach(from + perTask)));
    };
    attach(0);
    grid.addEventListener("click", (e) => {
      const cell = e.target.closest(".sm-seat");
      if (cell && cell.dataset.seat) this._pick(cell.dataset.seat);
    });
    const words = (e) => {
      const el = e.target.closest && e.target.closest(".sm-seat");
      const cell = el && this.cells.get(el.dataset.seat);
      if (cell) this._title(el.dataset.seat, cell);
    };
    grid.addEventListener("pointerover", words);
    grid.addEventListener("focusin", words);
    this.el.replaceChildren(h("div", { class: "sm-scroll" }, grid), this.detail);
    if (this.last) this.update(this.last);
  }

  _cell(hall, r, c, proto) {
    const label = hall.seats[r][c];
    if (label === null) return h("span", { class: "sm-cell sm-gap", role: "gridcell", "aria-hidden": "true" });
    const zi = hall.zone_of ? hall.zone_of[r][c] : null;
    const zone = zi === null || zi === undefined ? null : hall.zones[zi];
    const el = proto.cloneNode(true);
    el.dataset.seat = label;
    el.firstChild.textContent = label;
    if (zone) {
      el.classList.add("sm-zoned");
      el.style.setProperty("--zone", zone.colour);
    }
    if (label) this.cells.set(label, { el, cls: "", key: "", title: "", zone, state: null, titled: false });
    return el;
  }

  /** Apply the live state: only the seats whose state changed are touched. */
  update(states) {
    this.last = states;
    for (const [label, cell] of this.cells) {
      const s = states.bySeat.get(label);
      const cls = s ? `att-${s.att} tab-${s.tab}${s.vote ? ` vote-${s.vote}` : ""}` : "unseated";
      if (cls !== cell.cls) {
        if (cell.cls) cell.el.classList.remove(...cell.cls.split(" "));
        cell.el.classList.add(...cls.split(" "));
        cell.cls = cls;
      }
      cell.state = s;
      if (cell.titled) this._title(label, cell); // words only for a seat pointed at or focused once

    }
    if (this.picked) this._pick(this.picked);
  }

  /** The seat's words (its hover text and accessible name), written when it is first pointed at. */
  _title(label, cell) {
    const s = cell.state;
    const key = s ? `${cell.cls}|${s.person.name}` : cell.cls;
    if (key === cell.key) return;
    cell.key = key;
    cell.titled = true;
    cell.title = hoverText(label, s) + (cell.zone ? ` · ${cell.zone.name}` : "");
    cell.el.title = cell.title;
    cell.el.setAttribute("aria-label", cell.title);
  }

  _pick(label) {
    const before = this.picked && this.cells.get(this.picked);
    if (before) before.el.classList.remove("picked");
    this.picked = label;
    const cell = this.cells.get(label);
    if (cell) {
      cell.el.classList.add("picked");
      this._title(label, cell);
    }
    this.detail.textContent = cell ? cell.title : "";
    if (this.onPick) this.onPick(label);
  }
}

/** The legend: each state as a sample cell (fill, pattern, dot, tick) and its words; the zones. */
export function legend(hall, { secret = false, named = false } = {}) {
  const sample = (cls, key) => h("li", {}, h("span", { class: `sm-cell sm-seat sm-sample ${cls}`, "aria-hidden": "true" },
    h("span", { class: "sm-label" }, ""), h("span", { class: "sm-dot" }), h("span", { class: "sm-tick" })), t(key));
  const zones = hall && hall.zones && hall.zones.length
    ? hall.zones.map((z) => {
      const chip = h("span", { class: "sm-zone-chip", "aria-hidden": "true" });
      chip.style.setProperty("--zone", z.colour);
      return h("li", {}, chip, z.name);
    }) : [];
  return h("div", { class: "sm-legend" },
    h("ul", { class: "sm-legend-list", "aria-label": t("hall.legend") },
      sample("att-in no-dot", "hall.att_in"), sample("att-leave no-dot", "hall.att_leave"),
      sample("att-out no-dot", "hall.att_out"), sample("unseated no-dot", "hall.unseated"),
      sample("att-none tab-on", "hall.tab_on"), sample("att-none tab-off", "hall.tab_off"),
      named ? sample("att-none no-dot vote-done", "hall.vote_done") : null,
      named ? sample("att-none no-dot vote-wait", "hall.vote_wait") : null,
      ...zones),
    secret ? h("p", { class: "notice small sm-secret" }, t("hall.secret_note")) : null);
}
