// Attendance as the clerk records it: present by video, on leave (with the reason) or absent;
// members who sign in on a tablet are present without the clerk. A plenary's deputies are listed by
// delegation (代表团), each under its own 应到 / 实到 / 请假 / 缺席 (attendance.delegations).
import { h, headRow } from "../core/dom.js";
import { bodyWord, t } from "../core/i18n.js";
import { ackOk, toast } from "../core/notify.js";
import { Panel } from "../core/panel.js";
import { statusLabel } from "../views/labels.js";

const STATUSES = ["present", "video", "leave", "absent"];
const edits = {}; // person_id -> {status?, reason?} not saved yet

const words = (client) => client.state.sitting.body.words;

function row(client, p, closed, redraw) {
  const edit = edits[p.person_id] || {};
  const status = edit.status ?? p.status;
  const reason = edit.reason ?? p.reason ?? "";
  const dirty = edit.status !== undefined || edit.reason !== undefined;
  const sel = h("select", { id: `att-status-${p.person_id}`, "data-fk": `att-status-${p.person_id}`, disabled: closed,
    "aria-label": `${p.name} ${t("clerk.status")}`,
    onchange: (e) => { edits[p.person_id] = { ...edit, status: e.target.value }; redraw(); } },
  STATUSES.map((st) => h("option", { value: st, selected: st === status }, statusLabel(st))));
  const input = h("input", { id: `att-reason-${p.person_id}`, "data-fk": `att-reason-${p.person_id}`, value: reason, disabled: closed,
    "aria-label": `${p.name} ${t("clerk.reason")}`, placeholder: status === "leave" ? t("clerk.reason_placeholder") : "",
    oninput: (e) => { edits[p.person_id] = { ...(edits[p.person_id] || {}), reason: e.target.value }; } });
  const save = async () => {
    const now = edits[p.person_id] || {};
    const ack = await client.call("set_attendance", { person_id: p.person_id, status: now.status ?? p.status,
      reason: now.reason ?? p.reason ?? "" });
    if (!ackOk(ack)) return;
    delete edits[p.person_id];
    toast(t("clerk.attendance_saved", { name: p.name }), "ok", 2500);
    redraw();
  };
  return h("tr", { class: `st-${status}${dirty ? " dirty" : ""}` },
    h("td", {}, p.seat || ""), h("th", { scope: "row" }, p.name, p.title ? h("span", { class: "muted small" }, ` ${p.title}`) : null),
    h("td", {}, p.role === "observer" ? t("seat.observer_tag") : bodyWord(words(client))),
    h("td", {}, sel), h("td", {}, input),
    h("td", {}, h("button", { class: "btn small", "data-fk": `att-save-${p.person_id}`, disabled: closed, onclick: save }, t("common.save"))));
}

const COLUMNS = 6;

/** A delegation's heading row: its name and counts (from the server's attendance.delegations). */
function groupHead(d) {
  const name = d.delegation || t("clerk.no_delegation");
  return h("tr", { class: "att-group" }, h("th", { colspan: String(COLUMNS), scope: "rowgroup" },
    h("span", { class: "att-group-name" }, name), " ",
    h("span", { class: "att-group-counts" }, t("clerk.delegation_counts", d))));
}

/** The table body: one group per delegation, then those of none and the observers; or one list. */
function bodies(client, people, closed, redraw) {
  const groups = (client.state.attendance && client.state.attendance.delegations) || [];
  const line = (p) => row(client, p, closed, redraw);
  if (!groups.length) return h("tbody", {}, people.map(line));
  const key = (p) => p.delegation || null;
  const members = people.filter((p) => p.role !== "observer");
  const observers = people.filter((p) => p.role === "observer");
  const out = groups.map((d) => h("tbody", { class: "att-delegation" }, groupHead(d),
    members.filter((p) => key(p) === d.delegation).map(line)));
  if (observers.length) {
    out.push(h("tbody", { class: "att-delegation" }, h("tr", { class: "att-group" },
      h("th", { colspan: String(COLUMNS), scope: "rowgroup" }, h("span", { class: "att-group-name" }, t("clerk.observers")))),
    observers.map(line)));
  }
  return out;
}

export function attendancePanel(client, el) {
  const panel = new Panel({
    el,
    reads: ["attendance", "sitting"],
    key: () => [client.state && client.state.attendance, client.state && client.state.sitting.status, edits],
    build: () => {
      if (!client.state) return [];
      const people = (client.state.attendance && client.state.attendance.people) || [];
      const closed = client.state.sitting.status === "closed";
      return h("section", { class: "card", "aria-labelledby": "att-title" },
        h("h2", { id: "att-title" }, t("clerk.attendance")),
        h("p", { class: "muted small" }, t("clerk.attendance_help", { members: bodyWord(words(client), "members") })),
        h("table", { class: "data-table att-table" },
          headRow(["clerk.seat", "clerk.name", "clerk.role", "clerk.status", "clerk.reason", ""], t),
          bodies(client, people, closed, () => panel.draw())));
    },
  });
  return panel;
}
