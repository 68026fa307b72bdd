// Importing a roster from CSV or Excel: the file is checked first and every problem listed by row;
// only a file without problems can be imported, all of it at once.
import { api } from "../core/api.js";
import { h, headRow } from "../core/dom.js";
import { pick, t } from "../core/i18n.js";
import { toast } from "../core/notify.js";
import { Panel } from "../core/panel.js";
import { get, guarded, loadPeople } from "./data.js";
import { roleText } from "./people.js";

const ACCEPT = ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
let preview = null; // the server's check of the file
let file = null;

/** Send the chosen file to ``url`` (a check or an import); the answer, or undefined after a refusal. */
export function uploadFile(url, chosen) {
  const form = new FormData();
  form.append("file", chosen);
  return guarded(() => api("POST", url, undefined, { form }));
}

const upload = (path) => uploadFile(`/api/bodies/${get("bodyId")}/roster/${path}`, file);

/** A file input and its check button; ``checked(file)`` runs with the chosen file. */
export function fileForm(id, label, buttonId, checked) {
  const input = h("input", { id, type: "file", accept: ACCEPT });
  return h("form", { class: "form-row", onsubmit: async (e) => {
    e.preventDefault();
    if (input.files.length) await checked(input.files[0]);
  } },
  h("div", { class: "grow" }, h("label", { for: id }, t(label)), input),
  h("button", { class: "btn secondary", type: "submit", id: buttonId }, t("clerk.roster_check")));
}

function checkForm(redraw) {
  return fileForm("roster-file", "clerk.roster_file", "roster-check", async (chosen) => {
    file = chosen;
    const out = await upload("preview");
    if (out) { preview = out; redraw(); }
  });
}

/** Every problem of a checked file, by row (0: the file as a whole); ``fields`` names the columns. */
export function problemsTable(problems, { id = "roster-problems", fields = (f) => t(`field.${f}`) } = {}) {
  return h("table", { class: "data-table problems", id },
    h("caption", {}, t("clerk.problems")),
    headRow(["clerk.row", "clerk.field", "clerk.problem"], t),
    h("tbody", {}, problems.map((x) => h("tr", {}, h("td", { class: "num" }, x.row || t("clerk.whole_file")),
      h("td", {}, x.field ? fields(x.field) : ""), h("td", {}, pick(x.zh, x.en))))));
}

function rowsTable(rows, open) {
  const grouped = rows.some((r) => r.delegation);
  return h("details", { open }, h("summary", {}, t("clerk.valid_rows", { n: rows.length })),
    h("table", { class: "data-table" },
      headRow(["clerk.row", "clerk.name", "clerk.role", ...(grouped ? ["clerk.delegation"] : []), "clerk.seat", "clerk.title",
        "clerk.joined_on"], t),
      h("tbody", {}, rows.map((r) => h("tr", {}, h("td", { class: "num" }, r.row), h("td", {}, r.name),
        h("td", {}, roleText(r.role)), grouped ? h("td", {}, r.delegation || "") : null, h("td", {}, r.seat || ""),
        h("td", {}, r.title || ""), h("td", {}, r.joined_on || ""))))));
}

function previewView(redraw) {
  const problems = preview.problems || [];
  const doImport = async () => {
    const out = await upload("import");
    if (!out) return;
    toast(t("clerk.imported", { n: out.imported }), "ok");
    preview = null;
    redraw();
    await guarded(loadPeople);
  };
  return h("div", { class: "preview" },
    h("p", { class: `notice ${problems.length ? "warn" : "ok"}`, role: "status" },
      t("clerk.preview_summary", { file: file ? file.name : "", n: preview.count, m: problems.length })),
    problems.length ? problemsTable(problems) : null,
    preview.rows && preview.rows.length ? rowsTable(preview.rows, !problems.length) : null,
    h("div", { class: "form-row" },
      h("button", { class: "btn primary", id: "roster-import", disabled: !preview.ok || !preview.count, onclick: doImport },
        t("clerk.roster_import", { n: preview.count })),
      h("button", { class: "btn ghost", onclick: () => { preview = null; redraw(); } }, t("common.cancel"))));
}

export function importPanel(el) {
  const panel = new Panel({
    el,
    reads: ["bodyId"],
    key: () => [get("bodyId"), preview],
    build: () => {
      if (!get("bodyId")) return [];
      const redraw = () => panel.draw();
      return h("section", { class: "card", "aria-labelledby": "import-title" },
        h("h2", { id: "import-title" }, t("clerk.import")),
        h("p", { class: "muted small" }, t("clerk.import_help")),
        checkForm(redraw), preview ? previewView(redraw) : null);
    },
  });
  return panel;
}
