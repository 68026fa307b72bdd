// Copying a previous sitting as the next one: its agenda, ballots and their settings (and, if asked,
// its documents), without attendance, rounds or results; the clerk gives the new title and date.
import { api } from "../core/api.js";
import { h } from "../core/dom.js";
import { fmtDate } from "../core/format.js";
import { t } from "../core/i18n.js";
import { Panel } from "../core/panel.js";
import { chooseSitting, get, guarded, loadSittings } from "./data.js";

/** The sitting to copy by default: the latest closed one, else the latest. */
function latest(sittings) {
  const byDate = [...sittings].sort((a, b) => (a.date < b.date ? 1 : a.date > b.date ? -1 : b.id - a.id));
  return byDate.find((s) => s.status === "closed") || byDate[0];
}

function copyForm(sittings) {
  const from = h("select", { id: "copy-from" }, sittings.map((s) => h("option", { value: String(s.id), selected: s === latest(sittings) },
    `${s.title} · ${fmtDate(s.date)} · ${t(`sitting.${s.status}`)}`)));
  const title = h("input", { id: "copy-title", required: true, placeholder: t("clerk.sitting_title_placeholder") });
  const date = h("input", { id: "copy-date", type: "date", required: true });
  const docs = h("input", { id: "copy-docs", type: "checkbox" });
  const field = (el, key, cls = null) => h("div", { class: cls }, h("label", { for: el.id }, t(key)), el);
  return h("form", { class: "form-grid", onsubmit: async (e) => {
    e.preventDefault();
    const out = await guarded(() => api("POST", `/api/sittings/${from.value}/copy`, {
      title: title.value.trim(), date: date.value, documents: docs.checked }), t("clerk.sitting_copied"));
    if (!out) return;
    await guarded(loadSittings);
    await chooseSitting(out.id);
  } },
  field(from, "clerk.copy_from", "span2"), field(title, "clerk.sitting_title", "span2"), field(date, "clerk.date"),
  h("div", { class: "check" }, docs, h("label", { for: docs.id }, t("clerk.copy_documents"))),
  h("p", { class: "muted small span2" }, t("clerk.copy_help")),
  h("div", {}, h("button", { class: "btn primary", type: "submit", id: "copy-submit" }, t("clerk.copy_sitting"))));
}

export function copyPanel(el) {
  return new Panel({
    el,
    reads: ["bodyId", "sittings"],
    key: () => [get("bodyId"), get("sittings").map((s) => [s.id, s.title, s.date, s.status])],
    build: () => {
      const sittings = get("sittings");
      if (!get("bodyId") || !sittings.length) return [];
      return h("section", { class: "card", "aria-labelledby": "copy-title-h" },
        h("details", { class: "form-details", id: "copy-details" },
          h("summary", { id: "copy-title-h" }, t("clerk.copy_sitting_heading")), copyForm(sittings)));
    },
  });
}
