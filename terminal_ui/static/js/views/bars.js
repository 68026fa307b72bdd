// The result as a chart (the hall display and the chair): bar lengths are shares of every member
// (应到), and a line marks the votes needed. Resolutions and appointments: a bar per option and 未按;
// selections: one bar of for-votes per candidate, by rank; evaluations: one stacked bar per object.
import { h } from "../core/dom.js";
import { t } from "../core/i18n.js";
import { notVotedLabel, optionLabel, verdictPill, questionOutcome } from "./labels.js";
import { rankedQuestions, resultColumns, subjectLabel } from "./result.js";

function scale(result) {
  const total = Math.max(1, (result.turnout && result.turnout.entitled) || 1);
  return (n) => `${Math.min(100, (100 * n) / total).toFixed(2)}%`;
}

function neededLine(pct, n, labelled = true) {
  if (n == null) return null;
  return h("div", { class: "needed-line", style: `left:${pct(n)}` },
    labelled ? h("span", {}, t("result.needed_short", { n })) : null);
}

function legend(cols, result) {
  return h("ul", { class: "legend" },
    cols.map((o) => h("li", {}, h("span", { class: `swatch fill-${o.code}` }), optionLabel(o))),
    h("li", {}, h("span", { class: "swatch fill-none" }), notVotedLabel(result)));
}

function evaluationBars(ballot, result, rows, pct) {
  const cols = resultColumns(ballot, result);
  const segment = (cls, n, title) => h("div", { class: `bar-seg ${cls}`, style: `width:${pct(n)}`, title },
    n > 0 ? String(n) : "");
  return h("div", { class: "bars kind-evaluation" }, legend(cols, result), rows.map((q, row) => h("div", { class: "bar-row stacked" },
    h("span", { class: "bar-label" }, q.label),
    h("div", { class: "bar-track" },
      cols.map((o) => segment(`fill-${o.code}`, q.counts[o.code] ?? 0, `${optionLabel(o)} ${q.counts[o.code] ?? 0}`)),
      segment("fill-none", q.not_voted),
      neededLine(pct, q.needed, row === 0)),
    verdictPill(q.outcome, questionOutcome(q, ballot)))));
}

function selectionBars(ballot, rows, pct, result) {
  const code = ballot.limits.for_code;
  return h("div", { class: `bars kind-selection${result.kind === "election" ? " kind-election" : ""}` }, rows.map((q, row) => h("div", { class: `bar-row ${q.outcome}` },
    h("span", { class: "bar-label" },
      result.kind === "selection" ? h("span", { class: "rank" }, q.rank ?? "") : null, subjectLabel(result, q)),
    h("div", { class: "bar-track" }, h("div", { class: "bar-fill fill-for", style: `width:${pct(q.counts[code] ?? 0)}` }),
      neededLine(pct, q.needed, row === 0)),
    h("span", { class: "bar-value" }, t("result.votes", { n: q.counts[code] ?? 0 })),
    verdictPill(q.outcome, questionOutcome(q, ballot)))));
}

function barRow(label, fill, width, value, line = null) {
  return h("div", { class: "bar-row" },
    h("span", { class: "bar-label" }, label),
    h("div", { class: "bar-track" }, h("div", { class: `bar-fill ${fill}`, style: `width:${width}` }), line),
    h("span", { class: "bar-value" }, value));
}

function optionBars(ballot, result, rows, pct) {
  const cols = resultColumns(ballot, result);
  const titled = result.questions.length > 1 || result.kind === "appointment";
  return h("div", { class: `bars kind-${result.kind}` }, rows.map((q) => h("figure", { class: "bar-group" },
    titled ? h("figcaption", {}, h("span", { class: "bar-title" }, q.label), verdictPill(q.outcome, questionOutcome(q, ballot))) : null,
    cols.map((o, i) => barRow(optionLabel(o), `fill-${o.code}`, pct(q.counts[o.code] ?? 0),
      t("result.votes", { n: q.counts[o.code] ?? 0 }), i === 0 ? neededLine(pct, q.needed) : null)),
    barRow(notVotedLabel(result), "fill-none", pct(q.not_voted), t("result.persons", { n: q.not_voted })))));
}

/** At most this many questions are charted unless the caller says otherwise (a screen stays readable). */
const MAX_ROWS = 8;

export function resultBars(ballot, result, { max = MAX_ROWS } = {}) {
  const pct = scale(result);
  if (result.kind === "evaluation") return evaluationBars(ballot, result, result.questions.slice(0, max), pct);
  if (result.kind === "selection") return selectionBars(ballot, rankedQuestions(result).slice(0, max), pct, result);
  // an election: one bar of for-votes per person (candidates, then write-ins), with each one's verdict
  if (result.kind === "election") return selectionBars(ballot, result.questions.slice(0, max), pct, result);
  return optionBars(ballot, result, result.questions.slice(0, max), pct);
}
