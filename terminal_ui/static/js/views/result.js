// A closed round's result as every screen shows it: the headline, the turnout line, the table and
// the announcement to read out.
import { h } from "../core/dom.js";
import { pick, t } from "../core/i18n.js";
import { notVotedLabel, optionLabel, outcomeClass, outcomeLabel, questionOutcome } from "./labels.js";

/** Option columns of a result: the ballot's options (its first question's), else the counted codes. */
export function resultColumns(ballot, result) {
  const q0 = (ballot && ballot.questions && ballot.questions[0]) || null;
  if (q0) return q0.options;
  const codes = result && result.questions[0] ? Object.keys(result.questions[0].counts) : [];
  return codes.map((c) => ({ code: c, zh: c, en: c }));
}

/** A result row's subject: an election's write-in is "赵六（另选他人）". */
export function subjectLabel(result, q) {
  return result.kind === "election" && q.question_id.startsWith("w:") ? t("result.write_in", { name: q.label }) : q.label;
}

export function announcement(result) {
  return result ? pick(result.announcement_zh, result.announcement_en) : "";
}

/** Turnout line: 应到 / 实到 / 表决票 / 无效. */
export function turnoutLine(result) {
  const tu = result.turnout || {};
  const line = t("result.turnout", { entitled: tu.entitled, present: tu.present, cast: tu.cast, invalid: tu.invalid || 0 });
  return tu.video_pending ? `${line} · ${t("result.video_pending", { n: tu.video_pending })}` : line;
}

/** Questions in the order of the result: selections by rank. */
export function rankedQuestions(result) {
  const rows = [...result.questions];
  if (result.kind === "selection") rows.sort((a, b) => (a.rank || 0) - (b.rank || 0));
  return rows;
}

/** 满意率 of an evaluated object: its votes for the best grade (the first) over the members who graded
 * it, as a percentage with one decimal ("75.0%"); "—" when nobody did. */
function satisfaction(cols, q) {
  const graded = cols.reduce((n, o) => n + (q.counts[o.code] ?? 0), 0);
  if (!cols.length || !graded) return "—";
  return `${((100 * (q.counts[cols[0].code] ?? 0)) / graded).toFixed(1)}%`;
}

/** The result as a table: one row per question, a column per option, 未按, needed and outcome. */
export function resultTable(ballot, result) {
  const cols = resultColumns(ballot, result);
  const selection = result.kind === "selection";
  const evaluation = result.kind === "evaluation";
  const head = h("tr", {},
    selection ? h("th", { scope: "col" }, t("result.rank")) : null,
    h("th", { scope: "col" }, t(`result.subject.${result.kind}`)),
    cols.map((o) => h("th", { scope: "col", class: "num" }, optionLabel(o))),
    h("th", { scope: "col", class: "num" }, notVotedLabel(result)),
    evaluation ? h("th", { scope: "col", class: "num" }, t("result.satisfaction")) : null,
    evaluation ? null : h("th", { scope: "col", class: "num" }, t("result.needed")),
    h("th", { scope: "col" }, t(evaluation ? "result.grade" : "result.outcome")));
  const row = (q) => h("tr", { class: q.question_id.startsWith("w:") && result.kind === "election" ? "write-in" : null },
    selection ? h("td", { class: "num" }, q.rank ?? "") : null,
    h("th", { scope: "row" }, subjectLabel(result, q)),
    cols.map((o) => h("td", { class: "num" }, q.counts[o.code] ?? (result.kind === "election" ? "—" : 0))),
    h("td", { class: "num" }, q.not_voted),
    evaluation ? h("td", { class: "num satisfaction" }, satisfaction(cols, q)) : null,
    evaluation ? null : h("td", { class: "num" }, q.needed ?? ""),
    h("td", { class: `verdict ${outcomeClass(q.outcome)}` }, questionOutcome(q, ballot)));
  return h("table", { class: "result-table" },
    h("thead", {}, head),
    h("tbody", {}, rankedQuestions(result).map(row)));
}

/** The headline of a closed ballot: 通过 / 未获通过 (or the kind's own), large. */
export function outcomeHeadline(result, { extraClass = "" } = {}) {
  let text = outcomeLabel(result.outcome);
  if (result.kind === "appointment" && result.questions.length === 1 && result.outcome !== "no_quorum") {
    text = outcomeLabel(result.questions[0].outcome);
  }
  return h("p", { class: `outcome ${outcomeClass(result.outcome)} ${extraClass}` }, text);
}
