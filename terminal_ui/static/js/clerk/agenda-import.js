// Importing the agenda of the chosen sitting from CSV or Excel, like the roster: the file is checked
// first, every problem listed by row, the items shown as they will be added; only a file without
// problems can be imported, all of it at once, after the sitting's items.
import { h, headRow } from "../core/dom.js";
import { t } from "../core/i18n.js";
import { toast } from "../core/notify.js";
import { Panel } from "../core/panel.js";
import { kindLabel, methodLabel, secrecyLabel } from "../views/labels.js";
import { get, guarded, loadAgenda } from "./data.js";
import { fileForm, problemsTable, uploadFile } from "./import.js";

let preview = null; // the server's check of the file, and the sitting it was checked for
let file = null;

const upload = (path) => uploadFile(`/api/sittings/${get("sittingId")}/agenda/${path}`, file);

function checkForm(redraw) {
  return fileForm("agenda-file", "clerk.agenda_file", "agenda-check", async (chosen) => {
    file = chosen;
    const out = await upload("preview");
    if (out) { preview = { ...out, sittingId: get("sittingId") }; redraw(); }
  });
}

function ballotText(r) {
  if (!r.method) return t("clerk.no_ballot");
  return [methodLabel(r.method), r.secret == null ? null : secrecyLabel(r.secret),
    r.timer_seconds ? t("clerk.timer_s", { n: r.timer_seconds }) : null].filter(Boolean).join(" · ");
}

function rowsTable(rows) {
  return h("table", { class: "data-table", id: "agenda-rows" },
    h("caption", {}, t("clerk.agenda_rows", { n: rows.length })),
    headRow(["clerk.row", "clerk.position", "clerk.item_title", "clerk.item_kind", "clerk.ballot_of_row"], t),
    h("tbody", {}, rows.map((r) => h("tr", {}, h("td", { class: "num" }, r.row), h("td", { class: "num" }, r.position ?? ""),
      h("td", {}, r.title), h("td", {}, kindLabel(r.kind)), h("td", {}, ballotText(r))))));
}

function previewView(redraw) {
  const problems = preview.problems || [];
  const doImport = async () => {
    const out = await upload("import");
    if (!out) return;
    toast(t("clerk.agenda_imported", { n: out.imported, m: out.ballots }), "ok");
    preview = null;
    redraw();
    await guarded(loadAgenda);
  };
  return h("div", { class: "preview" },
    h("p", { class: `notice ${problems.length ? "warn" : "ok"}`, role: "status", id: "agenda-summary" },
      t("clerk.agenda_preview_summary", { file: file ? file.name : "", n: preview.count, m: problems.length })),
    problems.length ? problemsTable(problems, { id: "agenda-problems", fields: (f) => t(`agenda_field.${f}`) }) : null,
    preview.rows && preview.rows.length ? rowsTable(preview.rows) : null,
    h("div", { class: "form-row" },
      h("button", { class: "btn primary", id: "agenda-import", disabled: !preview.ok, onclick: doImport },
        t("clerk.agenda_import", { n: preview.count })),
      h("button", { class: "btn ghost", onclick: () => { preview = null; redraw(); } }, t("common.cancel"))));
}

export function agendaImportPanel(el) {
  const panel = new Panel({
    el,
    reads: ["sittingId", "agenda"],
    key: () => { const a = get("agenda"); return [get("sittingId"), a && a.sitting.status, preview]; },
    build: () => {
      const agenda = get("agenda");
      if (!agenda || agenda.sitting.status === "closed") return [];
      if (preview && preview.sittingId !== get("sittingId")) preview = null;
      const redraw = () => panel.draw();
      return h("section", { class: "card", "aria-labelledby": "agenda-import-title" },
        h("details", { class: "form-details", open: Boolean(preview) }, h("summary", { id: "agenda-import-title" }, t("clerk.agenda_import_heading")),
          h("p", { class: "muted small" }, t("clerk.agenda_import_help")),
          checkForm(redraw), preview ? previewView(redraw) : null));
    },
  });
  return panel;
}
