// The body's sittings: which one the console works on, and creating the next one.
import { api } from "../core/api.js";
import { h, headRow } from "../core/dom.js";
import { fmtDate } from "../core/format.js";
import { t } from "../core/i18n.js";
import { Panel } from "../core/panel.js";
import { chooseSitting, get, guarded, loadSittings } from "./data.js";

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
      h("td", {}, s.id === current ? h("span", { class: "chip" }, t("clerk.working_on"))
        : h("button", { class: "btn small", onclick: () => chooseSitting(s.id) }, t("clerk.choose")))))));
}

export function sittingsPanel(el) {
  return new Panel({
    el,
    reads: ["bodyId", "sittings", "sittingId"],
    key: () => [get("bodyId"), get("sittings"), get("sittingId")],
    build: () => {
      if (!get("bodyId")) return h("p", { class: "notice" }, t("clerk.create_body_first"));
      const sittings = get("sittings");
      return h("section", { class: "card", "aria-labelledby": "sittings-title" },
        h("h2", { id: "sittings-title" }, t("clerk.sittings")),
        sittings.length ? table(sittings) : h("p", { class: "muted" }, t("clerk.no_sitting")),
        h("details", { class: "form-details", open: !sittings.length }, h("summary", {}, t("clerk.create_sitting")), createForm()));
    },
  });
}
