// The ballot form of each kind: three big buttons for a resolution, a row of buttons per person
// (appointments) or per candidate, a grading grid (evaluations), a check list (selections by mark).
// Whether a button may be pressed is decided by ballot.limits only (see limits.js).
import { h } from "../core/dom.js";
import { t } from "../core/i18n.js";
import { optionLabel } from "../views/labels.js";
import { allowed, countOf, marks } from "./limits.js";
import { choose, draft, unchoose } from "./vote.js";

function voteButton(b, q, o, { locked, stage }) {
  const chosen = draft().choice[q.id] === o.code;
  return h("button", {
    type: "button",
    class: `vote-btn opt-${o.code}${chosen ? " chosen" : ""}`,
    "aria-pressed": chosen ? "true" : "false",
    "data-fk": `${q.id}:${o.code}`,
    "data-code": o.code,
    disabled: locked || (!chosen && !allowed(b, draft().choice, q.id, o.code)),
    onclick: () => choose(q.id, o.code, stage),
  }, h("span", { class: "vote-label" }, optionLabel(o)));
}

function resolution(b, locked) {
  const q = b.questions[0];
  return h("div", { class: "vote-block" },
    q.label && q.label !== b.title ? h("p", { class: "question" }, q.label) : null,
    h("div", { class: "vote-buttons three", role: "group", "aria-label": q.label || b.title },
      q.options.map((o) => voteButton(b, q, o, { locked, stage: "confirm" }))));
}

function rows(b, locked) {
  return h("div", { class: "vote-rows" }, b.questions.map((q) => h("div", { class: "vote-row", role: "group", "aria-label": q.label },
    h("p", { class: "row-label" }, q.label),
    h("div", { class: "vote-buttons three compact" }, q.options.map((o) => voteButton(b, q, o, { locked }))))));
}

function capNotes(b, grades) {
  return Object.entries(b.limits.caps || {}).map(([code, cap]) => {
    const n = countOf(draft().choice, code);
    return h("p", { class: `cap-note${n >= cap ? " full" : ""}`, "aria-live": "polite" },
      t("seat.cap_live", { grade: optionLabel(grades.find((g) => g.code === code)), n, cap }));
  });
}

function grid(b, locked) {
  const grades = b.questions[0] ? b.questions[0].options : [];
  const table = h("table", { class: "grade-grid" },
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("seat.eval_object")),
      grades.map((g) => h("th", { scope: "col" }, optionLabel(g))))),
    h("tbody", {}, b.questions.map((q) => h("tr", { role: "group", "aria-label": q.label },
      h("th", { scope: "row" }, q.label),
      q.options.map((o) => h("td", {}, voteButton(b, q, o, { locked })))))));
  return h("div", { class: "eval-block" }, capNotes(b, grades), table);
}

function checklist(b, locked) {
  const code = b.limits.for_code;
  return h("ul", { class: "checklist" }, b.questions.map((q) => {
    const on = draft().choice[q.id] === code;
    const id = `sel-${q.id}`;
    const box = h("input", { type: "checkbox", id, checked: on, "data-fk": id,
      disabled: locked || (!on && !allowed(b, draft().choice, q.id, code)),
      onchange: (e) => {
        if (!e.target.checked) unchoose(q.id);
        else if (allowed(b, draft().choice, q.id, code)) choose(q.id, code);
        else e.target.checked = false;
      } });
    return h("li", { class: on ? "on" : "" }, box, h("label", { for: id }, q.label));
  }));
}

/** A check list where every question has one option (a mark), else a row of buttons per candidate. */
export function isChecklist(b) {
  return b.questions.every((q) => q.options.length === 1);
}

function selection(b, locked) {
  const max = b.limits.max_marks;
  const k = marks(b, draft().choice);
  const full = max != null && k >= max;
  const counter = h("p", { class: `select-count${full ? " full" : ""}`, "aria-live": "polite" },
    t("seat.selected_k_n", { k, n: max }), full ? h("span", { class: "muted" }, ` ${t("seat.select_full")}`) : null);
  return h("div", { class: "select-block" }, counter, isChecklist(b) ? checklist(b, locked) : rows(b, locked));
}

/** The controls of the ballot's kind; ``locked`` while the member confirms. */
export function controls(b, locked) {
  if (b.kind === "resolution") return resolution(b, locked);
  if (b.kind === "evaluation") return grid(b, locked);
  if (b.kind === "selection") return selection(b, locked);
  return rows(b, locked);
}
