// The roster of the chosen body: members and observers (列席), with their seat, title, dates and PIN;
// adding a person and setting a PIN.
import { api } from "../core/api.js";
import { h, headRow } from "../core/dom.js";
import { bodyWord, t } from "../core/i18n.js";
import { Panel } from "../core/panel.js";
import { body, get, guarded, loadPeople } from "./data.js";

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

export function peoplePanel(el) {
  return new Panel({
    el,
    reads: ["people", "bodyId"],
    key: () => [get("bodyId"), get("people")],
    build: () => {
      if (!get("bodyId")) return [];
      const people = get("people");
      const grouped = people.some((p) => p.delegation); // a plenary's deputies are grouped by delegation
      return h("section", { class: "card", "aria-labelledby": "people-title" },
        h("h2", { id: "people-title" }, t("clerk.roster"), h("span", { class: "muted small" }, ` · ${t("clerk.count_people", { n: people.length })}`)),
        h("table", { class: "data-table" },
          headRow(["clerk.seat", "clerk.name", "clerk.role", ...(grouped ? ["clerk.delegation"] : []), "clerk.title",
            "clerk.joined_on", "clerk.left_on", "clerk.pin"], t),
          h("tbody", {}, people.map((p) => h("tr", { class: p.current ? "" : "dim" },
            h("td", {}, p.seat || ""), h("th", { scope: "row" }, p.name), h("td", {}, roleText(p.role)),
            grouped ? h("td", {}, p.delegation || "") : null, h("td", {}, p.title), h("td", {}, p.joined_on), h("td", {}, p.left_on || ""),
            h("td", {}, pinCell(p)))))),
        h("details", { class: "form-details" }, h("summary", {}, t("clerk.add_person")), addForm()));
    },
  });
}
