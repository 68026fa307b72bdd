// The seat map from a file (CSV or Excel, one line per seat: 排, 座, 座位号, 区域, 颜色): checked first,
// every problem listed by line, the map it makes shown; only a file without problems is imported.
import { h } from "../core/dom.js";
import { t } from "../core/i18n.js";
import { toast } from "../core/notify.js";
import { Panel } from "../core/panel.js";
import { SeatMap, seatStates } from "../views/seatmap.js";
import { get } from "./data.js";
import { loadDraft } from "./hall-editor.js";
import { fileForm, problemsTable, uploadFile } from "./import.js";

let preview = null;
let file = null;

const upload = (path) => uploadFile(`/api/bodies/${get("bodyId")}/hall/${path}`, file);

function previewMap(hall) {
  const box = h("div", { class: "sm-box", id: "hall-preview-map" });
  const map = new SeatMap(box);
  map.setHall(hall);
  map.update(seatStates([], [], null));
  return box;
}

function previewView(redraw, after) {
  const problems = preview.problems || [];
  const doImport = async () => {
    const out = await upload("import");
    if (!out) return;
    toast(t("hall.imported", { n: out.seats }), "ok");
    preview = null;
    redraw();
    await loadDraft(true);
    after();
  };
  return h("div", { class: "preview" },
    h("p", { class: `notice ${problems.length ? "warn" : "ok"}`, role: "status", id: "hall-preview-summary" },
      t("hall.preview_summary", { file: file ? file.name : "", n: preview.seats, z: preview.zones, m: problems.length })),
    problems.length ? problemsTable(problems, { id: "hall-problems", fields: (f) => t(`hall.field_${f}`) }) : null,
    preview.hall ? previewMap(preview.hall) : null,
    h("div", { class: "form-row" },
      h("button", { class: "btn primary", id: "hall-import", disabled: !preview.ok, onclick: doImport },
        t("hall.import_button", { n: preview.seats })),
      h("button", { class: "btn ghost", onclick: () => { preview = null; redraw(); } }, t("common.cancel"))));
}

/** ``after()`` runs once a map was imported (the live map reloads). */
export function hallImportPanel(el, after) {
  const panel = new Panel({
    el,
    reads: ["bodyId"],
    key: () => [get("bodyId"), preview],
    build: () => {
      if (!get("bodyId")) return [];
      const redraw = () => panel.draw();
      return h("section", { class: "card", "aria-labelledby": "hall-import-title" },
        h("h2", { id: "hall-import-title" }, t("hall.import")),
        h("p", { class: "muted small" }, t("hall.import_help")),
        fileForm("hall-file", "hall.file", "hall-check", async (chosen) => {
          file = chosen;
          const out = await upload("preview");
          if (out) { preview = out; redraw(); }
        }),
        preview ? previewView(redraw, after) : null);
    },
  });
  return panel;
}
