// The roster of the chosen body: members and observers (列席), with their seat, title, dates and PIN;
// adding a person and setting a PIN.
import { api } from "../core/api.js";
import { focusId, h, headRow } from "../core/dom.js";
import { bodyWord, t } from "../core/i18n.js";
import { Panel } from "../core/panel.js";
import { body, get, guarded, loadPeople } from "./data.js";
import { bound, changedFields, editKey, errorLine, isEditing, send, startEditing } from "./editing.js";

const FIELDS = ["name", "role", "seat", "delegation", "title", "joined_on", "left_on"];
const stored = (p) => Object.fromEntries(FIELDS.map((k) => [k, p[k] || ""]));

/** Member or observer, as the tables say it (a member in the chosen body's words: 组成人员, 代表 …). */
const memberText = () => bodyWord(body() && body().words);
export const roleText = (role) => (role === "observer" ? t("seat.observer_tag") : memberText());

function addForm() {
  const f = {
    name: h("input", { id: "p-name", required: true }),
    role: h("select", { id: "p-role" }, h("option", { value: "member" }, memberText()), h("option", { value: "observer" }, t("seat.observer_tag"))),
    seat: h("input", { id: "p-seat", size: "4" }),
    title: h("input", { id: "p-title" }),
    joined_on: h("input", { id: "p-joined", type: "date" }),
    delegation: h("input", { id: "p-delegation", size: "10" }),
  };
  return h("form", { class: "form-row", onsubmit: async (e) => {
    e.preventDefault();
    const person = { name: f.name.value.trim(), role: f.role.value };
    for (const key of ["seat", "title", "joined_on", "delegation"]) if (f[key].value.trim()) person[key] = f[key].value.trim();
    if (await guarded(() => api("POST", `/api/bodies/${get("bodyId")}/people`, person), t("clerk.person_added"))) await guarded(loadPeople);
  } },
  h("div", { class: "grow" }, h("label", { for: "p-name" }, t("clerk.name")), f.name),
  h("div", {}, h("label", { for: "p-role" }, t("clerk.role")), f.role),
  h("div", {}, h("label", { for: "p-seat" }, t("clerk.seat")), f.seat),
  h("div", {}, h("label", { for: "p-title" }, t("clerk.title")), f.title),
  h("div", {}, h("label", { for: "p-joined" }, t("clerk.joined_on")), f.joined_on),
  h("div", {}, h("label", { for: "p-delegation" }, t("clerk.delegation")), f.delegation),
  h("button", { class: "btn primary", type: "submit" }, t("clerk.add_person")));
}

function pinCell(p) {
  const input = h("input", { class: "pin-input", type: "password", inputmode: "numeric", pattern: "[0-9]{4,8}", size: "6",
    "aria-label": `${p.name} ${t("clerk.pin")}`, placeholder: p.has_pin ? "••••" : t("clerk.pin_none") });
  return h("form", { class: "inline-form", onsubmit: async (e) => {
    e.preventDefault();
    if (await guarded(() => api("PUT", `/api/people/${p.id}/pin`, { pin: input.value.trim() }), t("clerk.pin_saved"))) {
      input.value = "";
      await guarded(loadPeople);
    }
  } }, input, h("button", { class: "btn small", type: "submit" }, t("clerk.set_pin")));
}

/** Correcting a roster entry: name, member or observer, seat, title, the dates of membership. */
function editForm(p) {
  const key = `person:${p.id}`;
  const input = (name, attrs = {}) => bound(key, name, h("input", { id: `pe-${name}`, "data-fk": `pe-${name}`, ...attrs }));
  const f = {
    name: input("name", { required: true }),
    role: bound(key, "role", h("select", { id: "pe-role" }, h("option", { value: "member" }, memberText()),
      h("option", { value: "observer" }, t("seat.observer_tag")))),
    seat: input("seat", { size: "4" }), delegation: input("delegation"), title: input("title"),
    joined_on: input("joined_on", { type: "date", required: true }), left_on: input("left_on", { type: "date" }),
  };
  const labels = { name: "clerk.name", role: "clerk.role", seat: "clerk.seat", delegation: "clerk.delegation", title: "clerk.title", joined_on: "clerk.joined_on",
    left_on: "clerk.left_on" };
  return h("form", { class: "form-grid person-edit", "aria-labelledby": "pe-heading", onsubmit: (e) => {
    e.preventDefault();
    const changed = changedFields(key, stored(p));
    if (!Object.keys(changed).length) { startEditing(null); return; }
    for (const k of ["seat", "left_on"]) if (changed[k] === "") changed[k] = null;
    send(key, () => api("PATCH", `/api/people/${p.id}`, changed), t("clerk.person_saved"), () => guarded(loadPeople));
  } },
  h("h3", { id: "pe-heading", class: "span-all" }, t("clerk.edit_person", { name: p.name })),
  FIELDS.map((k) => h("div", { class: k === "name" || k === "title" ? "span2" : null }, h("label", { for: f[k].id }, t(labels[k])), f[k])),
  errorLine(key),
  h("div", { class: "form-actions span-all" },
    h("button", { class: "btn primary", type: "submit", id: "pe-save" }, t("clerk.save_changes")),
    h("button", { class: "btn ghost", type: "button", onclick: () => startEditing(null) }, t("common.cancel"))));
}

function editButton(p) {
  return h("button", { type: "button", class: "btn small ghost", id: `edit-person-${p.id}`, "data-fk": `edit-person-${p.id}`,
    "aria-label": `${t("clerk.edit")} ${p.name}`, onclick: () => {
      startEditing(`person:${p.id}`, stored(p));
      focusId("pe-name");
    } }, t("clerk.edit"));
}

export function peoplePanel(el) {
  return new Panel({
    el,
    reads: ["people", "bodyId", "editing"],
    key: () => [get("bodyId"), get("people"), editKey()[0]],
    build: () => {
      if (!get("bodyId")) return [];
      const people = get("people");
      const grouped = people.some((p) => p.delegation); // a plenary's deputies are grouped by delegation
      return h("section", { class: "card", "aria-labelledby": "people-title" },
        h("h2", { id: "people-title" }, t("clerk.roster"), h("span", { class: "muted small" }, ` · ${t("clerk.count_people", { n: people.length })}`)),
        h("div", { class: "table-scroll" }, h("table", { class: "data-table" },
          headRow(["clerk.seat", "clerk.name", "clerk.role", ...(grouped ? ["clerk.delegation"] : []), "clerk.title",
            "clerk.joined_on", "clerk.left_on", "clerk.pin"], t),
          h("tbody", {}, people.map((p) => h("tr", { class: p.current ? "" : "dim", "data-person": String(p.id) },
            h("td", {}, p.seat || ""),
            h("th", { scope: "row" }, p.name, isEditing(`person:${p.id}`) ? null : [" ", editButton(p)]), h("td", {}, roleText(p.role)),
            grouped ? h("td", {}, p.delegation || "") : null, h("td", {}, p.title), h("td", {}, p.joined_on), h("td", {}, p.left_on || ""),
            h("td", {}, pinCell(p))))))),
        people.filter((p) => isEditing(`person:${p.id}`)).map(editForm),
        h("details", { class: "form-details" }, h("summary", {}, t("clerk.add_person")), addForm()));
    },
  });
}
