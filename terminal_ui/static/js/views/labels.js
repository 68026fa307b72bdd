// The words for codes (kinds, methods, outcomes, attendance, secrecy come from ballots.labels through
// the catalogue) and the chips every screen puts on a ballot.
import { h } from "../core/dom.js";
import { has, pick, t } from "../core/i18n.js";

export const kindLabel = (kind) => t(`kind.${kind}`);
export const methodLabel = (method) => t(`method.${method}`);
export const outcomeLabel = (outcome) => t(`outcome.${outcome}`);
export const statusLabel = (status) => t(`status.${status}`);
export const secrecyLabel = (secret) => t(secret ? "secrecy.secret" : "secrecy.named");
/** The votes a question needs, in the kind's words: 需8票通过; 每项入选需8票 (a selection's project);
 * 评为满意需8票 (an evaluation's object, for its best grade). ``prefix`` "display" gives the hall's label. */
const NEEDED = {
  ballot: { selection: "ballot.needed_selection", evaluation: "ballot.needed_evaluation", election: "ballot.needed_election",
    other: "ballot.needed" },
  display: { selection: "display.needed_selection", evaluation: "display.needed_evaluation",
    election: "display.needed_election", other: "display.needed" },
};
export function neededText(b, prefix = "ballot") {
  const key = NEEDED[prefix][b.kind] || NEEDED[prefix].other;
  return prefix === "ballot" ? t(key, { n: b.needed }) : t(key);
}
/** Those present who cast nothing in a result: 未按表决器, or 未表决 after a show of hands alone. */
export const notVotedLabel = (result) => t(result && result.turnout && result.turnout.hands ? "not_voted.hands" : "not_voted.tablet");

/** A receipt as a person reads it: a secret ballot's receipt is the 64-digit hash of the encrypted
 * ballot, shown by its first 16 digits in groups of four (enough to find it on the verify page). */
export function receiptText(receipt) {
  const r = String(receipt || "");
  if (r.length !== 64) return r;
  return `${r.slice(0, 16).toUpperCase().replace(/(.{4})(?!$)/g, "$1 ")} …`;
}

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
  if (["passed", "chosen", "satisfied", "elected"].includes(outcome)) return "pass";
  if (["failed", "no_quorum", "not_chosen", "unsatisfied", "not_elected", "void", "unfilled"].includes(outcome)) return "fail";
  if (["evaluated", "selected"].includes(outcome)) return "neutral";
  return "mixed";
}

/** An outcome as a coloured pill. */
export function verdictPill(outcome, text = outcomeLabel(outcome)) {
  return h("span", { class: `verdict-pill ${outcomeClass(outcome)}` }, text);
}

/** Kind, secrecy, the method where it is not the tablets, and the round after a re-vote. A show of hands
 * is in the open whatever the ballot's setting: it carries its method, never a secrecy. */
export function ballotChips(b, { method = false, round = b.round, lead = null, tail = null } = {}) {
  const hands = b.method === "hands";
  return h("span", { class: "chips" }, lead,
    h("span", { class: "chip" }, kindLabel(b.kind)),
    hands ? null : h("span", { class: "chip" }, secrecyLabel(b.secret)),
    (method || hands) && b.method !== "tablet" ? h("span", { class: "chip" }, methodLabel(b.method)) : null,
    round > 1 ? h("span", { class: "chip warn" }, t("ballot.round_n", { n: round })) : null,
    tail);
}
