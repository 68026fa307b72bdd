// The results of the sitting: the signed sheets and exports of the whole sitting, then every closed
// round of every ballot with its figures, its announcement, its signed PDF and a printable sheet.
import { h } from "../core/dom.js";
import { fmtTime } from "../core/format.js";
import { lang, t } from "../core/i18n.js";
import { Panel } from "../core/panel.js";
import { ballotChips, methodLabel } from "../views/labels.js";
import { announcement, outcomeHeadline, resultTable, turnoutLine } from "../views/result.js";
import { closedBallots, get, loadAllResults } from "./data.js";
import { ballotOfResult } from "./options.js";
import { absenteesLine, handsLine, printResult } from "./sheet.js";

const FILES = [["summary.pdf", "clerk.file_summary", true], ["attendance.pdf", "clerk.file_attendance", true],
  ["bundle.pdf", "clerk.file_bundle", true], ["export.xlsx", "clerk.file_xlsx"], ["export.csv?table=results", "clerk.file_csv"],
  ["export.json", "clerk.file_json"]];
const inLang = () => (lang() === "en" ? "?lang=en" : "");

/** The signed sheets of the whole sitting and its exports, from the server's sheet routes. */
function sittingFiles(any) {
  const id = get("sittingId");
  return h("section", { class: "card", "aria-labelledby": "files-title" },
    h("h2", { id: "files-title" }, t("clerk.sitting_files")),
    any ? h("ul", { class: "file-links" }, FILES.map(([path, key, sheet]) => h("li", {},
      h("a", { href: `/api/sittings/${id}/${path}${sheet ? inLang() : ""}`, target: "_blank", rel: "noopener" }, t(key)))))
      : h("p", { class: "muted" }, t("chair.no_results")));
}

function round(b, answer, r) {
  const data = r.result.data;
  const absent = r.result.absentees && r.result.absentees.length;
  return h("div", { class: "round" },
    h("div", { class: "round-head" },
      h("h3", {}, t("ballot.round_n", { n: r.number }), " · ", `${fmtTime(r.opened_at)}–${fmtTime(r.closed_at)}`, " · ", methodLabel(r.result.method)),
      outcomeHeadline(data, { extraClass: "medium" }),
      h("a", { class: "btn small primary", href: `/api/ballots/${b.id}/rounds/${r.number}/sheet.pdf${inLang()}`,
        target: "_blank", rel: "noopener" }, t("clerk.sheet_pdf")),
      h("button", { class: "btn small", onclick: () => printResult(b, answer, r) }, t("clerk.print"))),
    h("p", { class: "muted" }, turnoutLine(data)),
    resultTable(ballotOfResult(b.spec, data), data),
    r.show_of_hands ? h("p", { class: "muted small" }, handsLine(r)) : null,
    h("p", { class: "announcement-text" }, announcement(data)),
    absent ? h("p", { class: "muted small" }, absenteesLine(r.result.absentees)) : null,
    h("p", { class: "muted small mono" }, t("clerk.audit_head", { id: r.result.audit_id, hash: (r.result.audit_head || "").slice(0, 16) })));
}

function ballotResults(b, answer) {
  const rounds = answer ? answer.rounds.filter((r) => r.result) : [];
  return h("section", { class: "card result-card", "aria-label": b.title },
    h("div", { class: "panel-head" },
      h("div", {}, h("p", { class: "eyebrow" }, `${b.item.position}. ${b.item.title}`), h("h2", {}, b.title), ballotChips(b, { round: 1 })),
      answer ? null : h("span", { class: "muted" }, t("common.loading"))),
    rounds.map((r) => round(b, answer, r)));
}

export function resultsPanel(el) {
  return new Panel({
    el,
    reads: ["agenda", "results"],
    key: () => [get("agenda"), get("results")],
    build: () => {
      if (!get("agenda")) return h("p", { class: "notice" }, t("clerk.create_sitting_first"));
      const done = closedBallots();
      return [
        h("div", { class: "panel-head" }, h("p", { class: "muted" }, t("clerk.results_help")),
          h("div", { class: "form-row" }, h("button", { class: "btn secondary", onclick: loadAllResults }, t("common.refresh")))),
        sittingFiles(done.length > 0),
        done.length ? done.map((b) => ballotResults(b, get("results")[b.id])) : h("p", { class: "muted card" }, t("chair.no_results")),
      ];
    },
  });
}
