// The option sets of the ballot kinds, for what the server does not send with a ballot: the grades
// of an evaluation with "不了解" (a new ballot's spec must list them) and the option labels of a stored
// result (the results route gives counts by option code). They are ballots.kinds' own options.
const FOR = { code: "for", zh: "赞成", en: "for" };
const AGAINST = { code: "against", zh: "反对", en: "against" };
const ABSTAIN = { code: "abstain", zh: "弃权", en: "abstain" };
const NOT_FOR = { code: "against", zh: "不赞成", en: "against" };
const MARK = { code: "mark", zh: "选择", en: "mark" };
export const DEFAULT_GRADES = [{ code: "satisfied", zh: "满意", en: "satisfied" },
  { code: "basic", zh: "基本满意", en: "basically satisfied" }, { code: "unsatisfied", zh: "不满意", en: "unsatisfied" }];
export const UNKNOWN = { code: "unknown", zh: "不了解", en: "don't know" };

/** The options every question of a ballot with ``spec`` has. */
function optionsOf(spec) {
  if (spec.kind === "evaluation") return spec.grades || DEFAULT_GRADES;
  if (spec.kind === "selection") return spec.options === "for_against_abstain" ? [FOR, NOT_FOR, ABSTAIN] : [MARK];
  return [FOR, AGAINST, ABSTAIN];
}

/** A stored result's questions with their options (what resultTable needs of a ballot). */
export function ballotOfResult(spec, result) {
  const options = optionsOf(spec);
  return { spec, questions: result.questions.map((q) => ({ id: q.question_id, label: q.label, options })) };
}
