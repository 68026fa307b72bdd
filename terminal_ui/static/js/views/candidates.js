// A 票决 candidate's details (投资额, 责任单位, 简介, an attached paper), as the clerk entered them: a
// compact line (the hall display, the chair), and an expandable block per candidate (the tablet).
import { h } from "../core/dom.js";
import { t } from "../core/i18n.js";

/** The details of the question ``id`` of the ballot on screen (this round's candidate), or null. */
export function candidateOf(b, id) {
  const q = ((b && b.questions) || []).find((x) => x.id === id);
  return q && q.details ? { id, ...q.details } : null;
}

function hasDetails(c) {
  return Boolean(c && (c.amount || c.responsible_unit || c.summary || c.document_id));
}

/** "1200万元 · 县水利局": the amount and the responsible unit, or null. */
function detailLine(c, cls = "cand-line") {
  if (!c || !(c.amount || c.responsible_unit)) return null;
  return h("span", { class: cls },
    c.amount ? h("span", { class: "cand-amount" }, t("cand.amount_short", { v: c.amount })) : null,
    c.amount && c.responsible_unit ? " · " : null,
    c.responsible_unit ? h("span", { class: "cand-unit" }, c.responsible_unit) : null);
}

/** The candidates whose details are unfolded: a redraw (a mark, a push) keeps them open. */
const unfolded = new Set();

/** The details, folded under "详情" (opened with a tap); ``openDoc(doc)`` shows the attached paper. */
export function detailsBlock(c, { documents = [], openDoc = null } = {}) {
  if (!hasDetails(c)) return null;
  const doc = c.document_id ? documents.find((d) => String(d.id) === String(c.document_id)) : null;
  const row = (key, value) => (value ? [h("dt", {}, t(`cand.${key}`)), h("dd", {}, value)] : null);
  return h("details", { class: "cand-more", "data-fk": `cand-${c.id}`, open: unfolded.has(c.id),
    ontoggle: (e) => (e.target.open ? unfolded.add(c.id) : unfolded.delete(c.id)) },
    h("summary", {}, t("cand.details"), detailLine(c, "cand-line muted")),
    h("dl", { class: "cand-dl" }, row("amount", c.amount), row("responsible_unit", c.responsible_unit), row("summary", c.summary),
      doc ? [h("dt", {}, t("cand.document")), h("dd", {}, openDoc
        ? h("button", { type: "button", class: "btn small secondary", "data-fk": `cand-doc-${c.id}`, onclick: () => openDoc(doc) }, doc.filename)
        : doc.filename)] : null));
}

/** The final list (公告) of a selection or election once no round follows: who fills the places, in order
 * over all rounds, with each project's amount and unit; the places left empty said as such. */
export function finalList(b, cls = "final-list") {
  const st = b && b.standing;
  if (!st || !["done", "unfilled"].includes(st.next) || (b.round <= 1 && st.next === "done" && !st.chosen.length)) return null;
  const noun = b.kind === "election" ? "election" : "selection";
  return h("section", { class: cls, "aria-labelledby": "final-list-title" },
    h("h3", { id: "final-list-title" }, t(`cand.final_${noun}`),
      h("span", { class: "final-count" }, t(`cand.final_count_${noun}`, { places: st.places, n: st.chosen.length }),
        st.open ? t(`cand.final_open_${noun}`, { n: st.open }) : null)),
    h("ol", { class: "final-names" }, st.chosen.map((c) => h("li", {}, h("span", { class: "final-name" }, c.name),
      detailLine(c, "cand-line muted")))));
}
