// The words for codes (kinds, methods, outcomes, attendance, secrecy come from ballots.labels through
// the catalogue) and the chips every screen puts on a ballot.
import { h } from "../core/dom.js";
import { has, pick, t } from "../core/i18n.js";

export const kindLabel = (kind) => t(`kind.${kind}`);
export const methodLabel = (method) => t(`method.${method}`);
export const outcomeLabel = (outcome) => t(`outcome.${outcome}`);
export const statusLabel = (status) => t(`status.${status}`);
export const secrecyLabel = (secret) => t(secret ? "secrecy.secret" : "secrecy.named");

export function optionLabel(option) {
  return option ? pick(option.zh, option.en) : "";
}

/** The option ``code`` of a question of ``ballot`` (its first question's when the id is unknown). */
function findOption(ballot, questionId, code) {
  const qs = (ballot && ballot.questions) || [];
  const q = qs.find((x) => x.id === questionId) || qs[0];
  return ((q && q.options) || []).find((o) => o.code === code) || null;
}

/** Text of one question's own outcome: 通过 / 入选 … from the labels, the grade for evaluations. */
export function questionOutcome(q, ballot) {
  if (!q) return "";
  if (has(`qoutcome.${q.outcome}`)) return t(`qoutcome.${q.outcome}`);
  const grade = findOption(ballot, q.question_id, q.outcome);
  return grade ? optionLabel(grade) : q.outcome;
}

export function outcomeClass(outcome) {
  if (["passed", "chosen", "satisfied"].includes(outcome)) return "pass";
  if (["failed", "no_quorum", "not_chosen", "unsatisfied"].includes(outcome)) return "fail";
  if (["evaluated", "selected"].includes(outcome)) return "neutral";
  return "mixed";
}

/** An outcome as a coloured pill. */
export function verdictPill(outcome, text = outcomeLabel(outcome)) {
  return h("span", { class: `verdict-pill ${outcomeClass(outcome)}` }, text);
}

/** Kind, secrecy, the method where it is not the tablets, and the round after a re-vote. */
export function ballotChips(b, { method = false, round = b.round, lead = null, tail = null } = {}) {
  return h("span", { class: "chips" }, lead,
    h("span", { class: "chip" }, kindLabel(b.kind)),
    h("span", { class: "chip" }, secrecyLabel(b.secret)),
    method && b.method !== "tablet" ? h("span", { class: "chip" }, methodLabel(b.method)) : null,
    round > 1 ? h("span", { class: "chip warn" }, t("ballot.round_n", { n: round })) : null,
    tail);
}
