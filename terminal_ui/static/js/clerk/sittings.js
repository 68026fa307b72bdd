// The body's sittings: which one the console works on, creating the next one, and correcting one (its
// title, date, place and names) before any of its ballots has opened, or deleting one never opened.
import { api } from "../core/api.js";
import { focusId, h, headRow } from "../core/dom.js";
import { fmtDate } from "../core/format.js";
import { t } from "../core/i18n.js";
import { Panel } from "../core/panel.js";
import { chooseSitting, get, guarded, loadSittings, reloadSittings } from "./data.js";
import { bound, changedFields, deleteButton, editKey, errorLine, isEditing, send, startEditing } from "./editing.js";

const FIELDS = ["title", "date", "place", "chair_name", "clerk_name"];
const LABELS = { title: "clerk.sitting_title", date: "clerk.date", place: "clerk.place", chair_name: "clerk.chair_name",
  clerk_name: "clerk.clerk_name" };

/** A sitting may be corrected while planned, or open with no ballot opened (known for the one on screen). */
function editable(s) {
  if (s.status === "planned") return true;
  const agenda = get("agenda");
  return s.status === "open" && agenda && agenda.sitting.id === s.id && !agenda.items.some((i) => i.ballots.some((b) => b.rounds.length));
}

function editForm(s) {
  const key = `sitting:${s.id}`;
  const input = (name, attrs = {}) => bound(key, name, h("input", { id: `se-${name}`, "data-fk": `se-${name}`, ...attrs }));
  const f = { title: input("title", { required: true }), date: input("date", { type: "date", required: true, disabled: s.status !== "planned" }),
    place: input("place"), chair_name: input("chair_name"), clerk_name: input("clerk_name") };
  const stored = Object.fromEntries(FIELDS.map((k) => [k, s[k] || ""]));
  return h("form", { class: "form-grid sitting-edit", "aria-labelledby": "se-heading", onsubmit: (e) => {
    e.preventDefault();
    const changed = changedFields(key, stored);
    if (!Object.keys(changed).length) { startEditing(null); return; }
    send(key, () => api("PATCH", `/api/sittings/${s.id}`, changed), t("clerk.sitting_saved"), () => guarded(reloadSittings));
  } },
  h("h3", { id: "se-heading", class: "span-all" }, t("clerk.edit_sitting")),
  FIELDS.map((k) => h("div", { class: k === "title" ? "span2" : null }, h("label", { for: f[k].id }, t(LABELS[k])), f[k])),
  s.status === "planned" ? null : h("p", { class: "muted small span-all" }, t("clerk.date_fixed")),
  errorLine(key),
  h("div", { class: "form-actions span-all" },
    h("button", { class: "btn primary", type: "submit", id: "se-save" }, t("clerk.save_changes")),
    h("button", { class: "btn ghost", type: "button", onclick: () => startEditing(null) }, t("common.cancel"))));
}

function createForm() {
  const f = {
    title: h("input", { id: "s-title", required: true, placeholder: t("clerk.sitting_title_placeholder") }),
    date: h("input", { id: "s-date", type: "date", required: true, value: new Date().toISOString().slice(0, 10) }),
    place: h("input", { id: "s-place" }),
    chair: h("input", { id: "s-chair" }),
    clerk: h("input", { id: "s-clerk" }),
  };
  const field = (key, label, cls = null) => h("div", { class: cls }, h("label", { for: f[key].id }, t(label)), f[key]);
  return h("form", { class: "form-grid", onsubmit: async (e) => {
    e.preventDefault();
    const out = await guarded(() => api("POST", `/api/bodies/${get("bodyId")}/sittings`, {
      title: f.title.value.trim(), date: f.date.value, place: f.place.value.trim(), chair_name: f.chair.value.trim(),
      clerk_name: f.clerk.value.trim(),
    }), t("clerk.sitting_created"));
    if (!out) return;
    await guarded(loadSittings);
    chooseSitting(out.id);
  } },
  field("title", "clerk.sitting_title", "span2"), field("date", "clerk.date"), field("place", "clerk.place"),
  field("chair", "clerk.chair_name"), field("clerk", "clerk.clerk_name"),
  h("div", {}, h("button", { class: "btn primary", type: "submit" }, t("clerk.create_sitting"))));
}

function table(sittings) {
  const current = get("sittingId");
  return h("table", { class: "data-table" },
    headRow(["clerk.sitting_title", "clerk.date", "clerk.status", "clerk.items", ""], t),
    h("tbody", {}, sittings.map((s) => h("tr", { class: s.id === current ? "selected" : "" },
      h("th", { scope: "row" }, s.title), h("td", {}, fmtDate(s.date)), h("td", {}, t(`sitting.${s.status}`)),
      h("td", { class: "num" }, s.items),
      h("td", {}, h("span", { class: "row-actions" }, s.id === current ? h("span", { class: "chip" }, t("clerk.working_on"))
        : h("button", { class: "btn small", onclick: () => chooseSitting(s.id) }, t("clerk.choose")),
      editable(s) && !isEditing(`sitting:${s.id}`) ? h("button", { type: "button", class: "btn small ghost", id: `edit-sitting-${s.id}`,
        "aria-label": `${t("clerk.edit")} ${s.title}`, onclick: () => {
          startEditing(`sitting:${s.id}`, Object.fromEntries(FIELDS.map((k) => [k, s[k] || ""])));
          focusId("se-title");
        } }, t("clerk.edit")) : null,
      s.status === "planned" ? deleteButton(`delete-sitting:${s.id}`, `${t("clerk.delete")} ${s.title}`, `/api/sittings/${s.id}`,
        t("clerk.sitting_deleted"), () => guarded(reloadSittings)) : null))))));
}

export function sittingsPanel(el) {
  return new Panel({
    el,
    reads: ["bodyId", "sittings", "sittingId", "agenda", "editing", "armed"],
    key: () => [get("bodyId"), get("sittings"), get("sittingId"), get("sittings").map(editable), editKey()],
    build: () => {
      if (!get("bodyId")) return h("p", { class: "notice" }, t("clerk.create_body_first"));
      const sittings = get("sittings");
      return h("section", { class: "card", "aria-labelledby": "sittings-title" },
        h("h2", { id: "sittings-title" }, t("clerk.sittings")),
        sittings.length ? table(sittings) : h("p", { class: "muted" }, t("clerk.no_sitting")),
        sittings.filter((s) => isEditing(`sitting:${s.id}`) && editable(s)).map(editForm),
        h("details", { class: "form-details", open: !sittings.length }, h("summary", {}, t("clerk.create_sitting")), createForm()));
    },
  });
}
