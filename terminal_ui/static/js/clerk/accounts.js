// Staff accounts (the administrator's): each account's role, the bodies it serves (none ticked: the only
// body), the member a chair sits as (counted present when their console joins the opened sitting, and
// voting from it), disabling and enabling; creating an account. Each change ends the account's sessions.
import { api } from "../core/api.js";
import { h, headRow } from "../core/dom.js";
import { t } from "../core/i18n.js";
import { Panel } from "../core/panel.js";
import { data, get, guarded } from "./data.js";

const ROLES = ["chair", "clerk", "display", "admin"];

export async function loadUsers() {
  await guarded(async () => data.set({ users: (await api("GET", "/api/users")).users }));
}

async function patch(u, body, okKey) {
  if (await guarded(() => api("PATCH", `/api/users/${u.id}`, body), t(okKey))) await loadUsers();
  else await loadUsers(); // a refusal: show what is stored again
}

function createForm() {
  const username = h("input", { id: "user-name", required: true, autocomplete: "off" });
  const display = h("input", { id: "user-display" });
  const password = h("input", { id: "user-password", type: "password", required: true, minlength: 8, autocomplete: "new-password" });
  const role = h("select", { id: "user-role" }, ROLES.map((r) => h("option", { value: r }, t(`role.${r}`))));
  return h("form", { class: "form-row", id: "user-create", onsubmit: async (e) => {
    e.preventDefault();
    const body = { username: username.value.trim(), password: password.value, role: role.value };
    if (display.value.trim()) body.display_name = display.value.trim();
    if (await guarded(() => api("POST", "/api/users", body), t("clerk.user_created"))) await loadUsers();
  } },
  h("div", {}, h("label", { for: "user-name" }, t("clerk.username")), username),
  h("div", {}, h("label", { for: "user-display" }, t("clerk.display_name")), display),
  h("div", {}, h("label", { for: "user-password" }, t("clerk.password")), password),
  h("div", {}, h("label", { for: "user-role" }, t("clerk.role")), role),
  h("button", { class: "btn primary", type: "submit" }, t("clerk.create_user")));
}

function bodiesCell(u) {
  if (u.role === "admin") return h("span", { class: "muted" }, t("clerk.all_bodies"));
  const boxes = get("bodies").map((b) => {
    const box = h("input", { type: "checkbox", "data-body": String(b.id), checked: u.bodies.includes(b.id),
      "aria-label": t("common.labelled", { label: u.username, value: b.name }),
      onchange: () => {
        const ticked = Array.from(box.closest("td").querySelectorAll("input[data-body]"))
          .filter((x) => x.checked).map((x) => parseInt(x.dataset.body, 10));
        patch(u, { bodies: ticked }, "clerk.user_saved");
      } });
    return h("label", { class: "check" }, box, " ", b.name);
  });
  return [h("div", { class: "user-bodies" }, boxes),
    // none ticked: the only body while there is one, no body once there are more (the account waits to be linked)
    u.bodies.length ? null : get("bodies").length > 1
      ? h("span", { class: "notice warn small", "data-fk": "no-bodies" }, t("clerk.no_bodies_linked"))
      : h("span", { class: "muted small" }, t("clerk.all_bodies"))];
}

function personCell(u) {
  if (u.role !== "chair") return h("span", { class: "muted" }, "—");
  const members = get("people").filter((p) => p.role === "member" && p.current);
  const options = [h("option", { value: "" }, t("clerk.no_person"))];
  if (u.person && !members.find((p) => p.id === u.person.id)) {
    options.push(h("option", { value: String(u.person.id) }, u.person.name));
  }
  for (const p of members) options.push(h("option", { value: String(p.id) }, p.seat ? `${p.seat} · ${p.name}` : p.name));
  const select = h("select", { class: "user-person", "data-user": u.username,
    "aria-label": t("common.labelled", { label: t("clerk.user_person"), value: u.username }),
    onchange: () => patch(u, { person_id: select.value ? parseInt(select.value, 10) : null }, "clerk.user_saved") },
  options);
  select.value = u.person_id ? String(u.person_id) : "";
  return select;
}

function activeCell(u) {
  const label = t(u.active ? "clerk.disable_user" : "clerk.enable_user");
  return h("button", { class: `btn small ${u.active ? "danger" : "secondary"}`,
    "aria-label": t("common.labelled", { label, value: u.username }),
    onclick: () => patch(u, { active: !u.active }, u.active ? "clerk.user_disabled" : "clerk.user_enabled") }, label);
}

function table() {
  // wide: it scrolls inside its own box on a phone, never the page
  return h("div", { class: "table-scroll" }, h("table", { class: "data-table", id: "users-table" },
    headRow(["clerk.username", "clerk.display_name", "clerk.role", "clerk.user_bodies", "clerk.user_person", "clerk.status", ""], t),
    h("tbody", {}, get("users").map((u) => h("tr", { class: u.active ? "" : "dim", "data-user": u.username },
      h("th", { scope: "row" }, u.username), h("td", {}, u.display_name), h("td", {}, t(`role.${u.role}`)),
      h("td", {}, bodiesCell(u)), h("td", {}, personCell(u)),
      h("td", {}, t(u.active ? "clerk.user_active" : "clerk.user_inactive")), h("td", {}, activeCell(u)))))));
}

export function accountsPanel(el) {
  return new Panel({
    el,
    reads: ["users", "bodies", "people"],
    key: () => [get("users"), get("bodies"), get("people")],
    build: () => [
      h("section", { class: "card", "aria-labelledby": "users-title" }, h("h2", { id: "users-title" }, t("clerk.users")),
        h("p", { class: "muted" }, t("clerk.users_help")), table()),
      h("section", { class: "card", "aria-labelledby": "user-new-title" },
        h("h2", { id: "user-new-title" }, t("clerk.create_user")), createForm()),
    ],
  });
}
