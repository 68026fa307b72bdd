// The ballot form of each kind: three big buttons for a resolution, a row of buttons per person
// (appointments) or per candidate, a grading grid (evaluations), a check list (selections by mark); an
// election: 赞成/反对/弃权 per candidate and 另选他人 (a name picked from the roster or typed), counted
// with the candidates' for-votes against the places ("已选 2 / 应选 3").
// Whether a button may be pressed is decided by ballot.limits only (see limits.js).
import { h } from "../core/dom.js";
import { t } from "../core/i18n.js";
import { candidateOf, detailsBlock } from "../views/candidates.js";
import { optionLabel } from "../views/labels.js";
import { device } from "./device.js";
import { allowed, countOf, marks } from "./limits.js";
import { openDocument } from "./viewer.js";
import { choose, draft, unchoose } from "./vote.js";

let query = ""; // the write-in search as typed: kept across redraws, so a push does not wipe it

/** A 票决 candidate's details under its name (folded; its paper opens in the viewer). */
function details(b, q, documents) {
  if (b.kind !== "selection") return null;
  return detailsBlock(candidateOf(b, q.id), { documents, openDoc: (d) => openDocument(d, device.token()) });
}

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

function rows(b, locked, documents = []) {
  return h("div", { class: "vote-rows" }, b.questions.map((q) => h("div", { class: "vote-row", role: "group", "aria-label": q.label },
    h("p", { class: "row-label" }, q.label), details(b, q, documents),
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

function checklist(b, locked, documents) {
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
    return h("li", { class: on ? "on" : "" }, box, h("label", { for: id }, q.label), details(b, q, documents));
  }));
}

/** A check list where every question has one option (a mark), else a row of buttons per candidate. */
export function isChecklist(b) {
  return b.questions.every((q) => q.options.length === 1);
}

function selection(b, locked, documents) {
  const max = b.limits.max_marks;
  const k = marks(b, draft().choice);
  const full = max != null && k >= max;
  const counter = h("p", { class: `select-count${full ? " full" : ""}`, "aria-live": "polite" },
    t("seat.selected_k_n", { k, n: max }), full ? h("span", { class: "muted" }, ` ${t("seat.select_full")}`) : null);
  return h("div", { class: "select-block" }, counter, isChecklist(b) ? checklist(b, locked, documents) : rows(b, locked, documents));
}

/** The names written in (另选他人) of a choice: {"w:name": "for"} → ["name"]. */
export function writtenNames(b, choice) {
  const prefix = b.limits.write_in_prefix;
  return prefix ? Object.keys(choice).filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length)) : [];
}

const squeeze = (name) => name.normalize("NFKC").replace(/\s+/g, "");

function writeIns(b, locked) {
  const prefix = b.limits.write_in_prefix;
  const choice = draft().choice;
  const written = writtenNames(b, choice);
  const full = b.limits.max_marks != null && marks(b, choice) >= b.limits.max_marks;
  const taken = new Set(written.map(squeeze));
  const candidates = new Set(b.questions.map((q) => squeeze(q.label)));
  const roster = b.write_in_roster || [];
  const note = h("p", { class: "writein-note muted", "aria-live": "polite" },
    t(full ? "seat.writein_full" : "seat.writein_hint"));
  const matches = h("ul", { class: "writein-matches" });
  const add = (raw) => {
    // as the server keys a write-in: NFKC, no blank between Chinese characters ("赵 六" is 赵六)
    const name = raw.normalize("NFKC").trim().replace(/\s+/g, " ").replace(/(?<=[\u3400-\u9fff]) (?=[\u3400-\u9fff])/g, "");
    if (!name || full || locked) return;
    if (candidates.has(squeeze(name))) {
      note.textContent = t("seat.writein_is_candidate", { name });
      return;
    }
    query = "";
    if (!taken.has(squeeze(name))) choose(prefix + name, b.limits.for_code);
  };
  const fill = () => {
    const q = squeeze(query);
    const hits = q ? roster.filter((n) => squeeze(n).includes(q) && !taken.has(squeeze(n))).slice(0, 8) : [];
    matches.replaceChildren(...hits.map((n) => h("li", {}, h("button", {
      type: "button", class: "btn writein-pick", "data-fk": `pick:${n}`, disabled: locked || full, onclick: () => add(n),
    }, n))));
  };
  const input = h("input", {
    type: "search", class: "writein-input", "data-fk": "writein-name", maxlength: 60, autocomplete: "off",
    placeholder: t("seat.writein_placeholder"), "aria-label": t("seat.writein_placeholder"), value: query,
    disabled: locked || full,
    oninput: (e) => { query = e.target.value; fill(); },
    onkeydown: (e) => { if (e.key === "Enter") { e.preventDefault(); add(query); } },
  });
  fill();
  return h("div", { class: "writein-block", role: "group", "aria-label": t("seat.writein_title") },
    h("p", { class: "row-label" }, t("seat.writein_title")),
    written.length ? h("ul", { class: "writein-chosen" }, written.map((name) => h("li", {},
      h("span", { class: "writein-name" }, name),
      h("strong", { class: "opt-text opt-for" }, t("seat.writein_for")),
      h("button", { type: "button", class: "btn ghost writein-remove", "data-fk": `unpick:${name}`, disabled: locked,
        "aria-label": t("seat.writein_remove", { name }), onclick: () => unchoose(prefix + name) }, "×")))) : null,
    h("div", { class: "writein-add" }, input,
      h("button", { type: "button", class: "btn big", "data-fk": "writein-add", disabled: locked || full,
        onclick: () => add(input.value) }, t("seat.writein_add"))),
    matches, note);
}

function election(b, locked) {
  const max = b.limits.max_marks;
  const k = marks(b, draft().choice);
  const full = k >= max;
  const counter = h("p", { class: `select-count${full ? " full" : ""}`, "aria-live": "polite" },
    t("seat.elected_k_n", { k, n: max }), full ? h("span", { class: "muted" }, ` ${t("seat.elect_full")}`) : null);
  return h("div", { class: "select-block election-block" }, counter, rows(b, locked),
    b.limits.write_in_prefix ? writeIns(b, locked) : null);
}

/** The controls of the ballot's kind; ``locked`` while the member confirms; ``documents``: the item's
 * papers (a candidate's attached one opens from its details). */
export function controls(b, locked, documents = []) {
  if (b.kind === "resolution") return resolution(b, locked);
  if (b.kind === "evaluation") return grid(b, locked);
  if (b.kind === "selection") return selection(b, locked, documents);
  if (b.kind === "election") return election(b, locked);
  return rows(b, locked);
}
