// The ballot's rule as the rules engine sends it (ballot.limits: answer_all, max_marks, for_code, caps,
// default_code). The tablet decides no rule of its own: it stops the member at these limits, and the
// server refuses whatever exceeds them.
import { t } from "../core/i18n.js";
import { optionLabel } from "../views/labels.js";

export function countOf(choice, code) {
  return Object.values(choice).filter((v) => v === code).length;
}

/** How many questions are answered with the option that counts as a mark (a vote for). */
export function marks(b, choice) {
  return countOf(choice, b.limits.for_code);
}

/** Whether answering ``questionId`` with ``code`` keeps the choice within the limits. */
export function allowed(b, choice, questionId, code) {
  const { max_marks: max, for_code: forCode } = b.limits;
  const next = { ...choice, [questionId]: code };
  if (max != null && code === forCode && countOf(next, forCode) > max) return false;
  const cap = (b.limits.caps || {})[code];
  return cap == null || countOf(next, code) <= cap;
}

/** Whether the choice may be confirmed: every question answered where the ballot wants that. */
export function complete(b, choice) {
  return !b.limits.answer_all || (b.questions || []).every((q) => choice[q.id]);
}

/** What an unanswered question counts as, as one of its options (null where nothing is implied). */
export function defaultOption(b, q) {
  const code = b.limits.default_code;
  return code ? (q.options.find((o) => o.code === code) || null) : null;
}

/** The line next to the "confirm" button: what the choice amounts to so far. */
export function readyText(b, choice) {
  if (b.limits.answer_all) return t(complete(b, choice) ? "seat.ready_to_confirm" : "seat.answer_all");
  const k = marks(b, choice);
  const q0 = (b.questions || [])[0];
  const fallback = q0 ? defaultOption(b, q0) : null;
  if (!fallback && k === 0) return t("seat.ready_blank");
  const n = b.limits.max_marks;
  if (n == null) return t("seat.ready_to_confirm");
  const rest = fallback && (b.questions || []).some((q) => !choice[q.id]);
  return rest ? t("seat.ready_k_of_n_default", { k, n, option: optionLabel(fallback) }) : t("seat.ready_k_of_n", { k, n });
}
