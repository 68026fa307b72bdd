// Ballot templates of the chosen body: the built-in ones of its preset and those the clerk saved from
// the ballot form ("任命 — 逐人 — 无记名") or from a ballot of the agenda; listed here, each saved one
// with its deletion.
import { api } from "../core/api.js";
import { h, headRow } from "../core/dom.js";
import { pick, t } from "../core/i18n.js";
import { Panel } from "../core/panel.js";
import { Store } from "../core/store.js";
import { kindLabel, methodLabel, secrecyLabel } from "../views/labels.js";
import { get, guarded } from "./data.js";

export const templates = new Store({ templates: [] });
let shown = false; // the card stays open through the redraws a saved or deleted template brings

export async function loadTemplates() {
  const id = get("bodyId");
  templates.set({ templates: id ? (await api("GET", `/api/bodies/${id}/ballot-templates`)).templates : [] });
}

export const templateName = (tpl) => pick(tpl.name, tpl.name_en);

/** Save the settings under a name; resolves with the new id, or undefined after a refusal (toasted). */
export async function saveTemplate(name, settings) {
  const out = await guarded(() => api("POST", `/api/bodies/${get("bodyId")}/ballot-templates`, { name, settings }),
    t("clerk.template_saved"));
  if (out) await guarded(loadTemplates);
  return out && out.id;
}

/** A ballot of the agenda as a template: its spec (an appointment's names left out) and options. */
function settingsOf(ballot) {
  let spec = ballot.spec;
  if (spec.kind === "appointment") {
    const persons = spec.persons || [];
    spec = { kind: "appointment", combined: Boolean(spec.combined) };
    if (persons.length && persons.every((p) => p.action === "remove")) spec.action = "remove";
  }
  const out = { spec, secret: ballot.secret, method: ballot.method, allow_change: ballot.allow_change, procedural: ballot.procedural };
  if (ballot.timer_seconds) out.timer_seconds = ballot.timer_seconds;
  return out;
}

function fromBallotForm(agenda) {
  const ballots = agenda ? agenda.items.flatMap((i) => i.ballots) : [];
  if (!ballots.length) return null;
  const from = h("select", { id: "tpl-from-ballot" }, ballots.map((b) => h("option", { value: String(b.id) }, b.title)));
  const name = h("input", { id: "tpl-from-name", required: true, placeholder: t("clerk.template_name_placeholder") });
  return h("form", { class: "form-row", onsubmit: async (e) => {
    e.preventDefault();
    const ballot = ballots.find((b) => String(b.id) === from.value);
    if (ballot && await saveTemplate(name.value.trim(), settingsOf(ballot))) name.value = "";
  } },
  h("div", { class: "grow" }, h("label", { for: from.id }, t("clerk.template_from_ballot")), from),
  h("div", { class: "grow" }, h("label", { for: name.id }, t("clerk.template_name")), name),
  h("button", { class: "btn secondary", type: "submit", id: "tpl-from-save" }, t("clerk.save_template")));
}

function summary(settings) {
  const spec = settings.spec || {};
  const rows = (spec.objects || spec.candidates || []).length;
  return [kindLabel(spec.kind), settings.secret === undefined ? null : secrecyLabel(settings.secret), methodLabel(settings.method || "tablet"),
    settings.timer_seconds ? t("clerk.timer_s", { n: settings.timer_seconds }) : null,
    rows ? t("clerk.template_rows", { n: rows }) : null].filter(Boolean).join(" · ");
}

export function templatesPanel(el) {
  return new Panel({
    el,
    reads: ["bodyId", "templates", "agenda"],
    key: () => { const a = get("agenda"); return [get("bodyId"), templates.get("templates"), a && a.items.map((i) => i.ballots.map((b) => [b.id, b.title]))]; },
    build: () => {
      if (!get("bodyId")) return [];
      const list = templates.get("templates");
      return h("section", { class: "card", "aria-labelledby": "templates-title" },
        h("details", { class: "form-details", open: shown, ontoggle: (e) => { shown = e.target.open; } },
          h("summary", { id: "templates-title" }, t("clerk.templates")),
          h("p", { class: "muted small" }, t("clerk.templates_help")),
          h("table", { class: "data-table", id: "templates-table" },
            headRow(["clerk.template_name", "clerk.template_settings", ""], t),
            h("tbody", {}, list.map((tpl) => h("tr", {},
              h("th", { scope: "row" }, templateName(tpl)), h("td", {}, summary(tpl.settings)),
              h("td", {}, tpl.builtin ? h("span", { class: "chip" }, t("clerk.template_builtin"))
                : h("button", { class: "btn small ghost", "aria-label": `${t("common.remove")} ${tpl.name}`, onclick: async () => {
                  if (await guarded(() => api("DELETE", `/api/ballot-templates/${tpl.id}`), t("clerk.template_deleted"))) await guarded(loadTemplates);
                } }, t("common.remove"))))))),
          fromBallotForm(get("agenda"))));
    },
  });
}
