// The options of each ballot kind as the rules engine defines them (GET /ui/options.json), for what
// the server does not send with a ballot: the option labels of a stored result (the results route
// gives counts by option code) and the grades of a new evaluation with "不了解".
const sets = await (await fetch("/ui/options.json", { credentials: "same-origin" })).json();

/** The options of an evaluation: the default grades, and "don't know" when asked for. */
export function grades({ unknown = false } = {}) {
  return unknown ? [...sets.evaluation, ...sets["grade.unknown"]] : sets.evaluation;
}

/** The options every question of a ballot with ``spec`` has. */
function optionsOf(spec) {
  if (spec.kind === "evaluation") return spec.grades || grades();
  if (spec.kind === "selection") return sets[`selection.${spec.options || "mark"}`];
  return sets[spec.kind] || sets.resolution;
}

/** A stored result's questions with their options (what resultTable needs of a ballot). */
export function ballotOfResult(spec, result) {
  const options = optionsOf(spec);
  return { spec, questions: result.questions.map((q) => ({ id: q.question_id, label: q.label, options })) };
}
