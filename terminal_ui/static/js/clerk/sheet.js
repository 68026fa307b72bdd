// Printing from the console: a round's result sheet with the signature lines, or the QR cards. The
// page shows only the print area on paper (print.css).
import { h } from "../core/dom.js";
import { fmtDate, fmtDateTime, fmtTime } from "../core/format.js";
import { t } from "../core/i18n.js";
import { kindLabel, methodLabel, secrecyLabel, statusLabel } from "../views/labels.js";
import { announcement, outcomeHeadline, resultTable, turnoutLine } from "../views/result.js";
import { body } from "./data.js";
import { ballotOfResult } from "./options.js";

const SIGNATURES = ["clerk.sig_chair", "clerk.sig_scrutineer", "clerk.sig_teller", "clerk.sig_clerk"];

/** Put ``content`` in the print area and open the browser's print dialog. */
export function printArea(...content) {
  document.getElementById("print-area").replaceChildren(...content);
  window.print();
}

/** Members not present at a round, with the reason: 未出席：徐明（请假，因公出差）、… */
export function absenteesLine(absentees) {
  const note = (a) => (a.reason ? [statusLabel(a.status), a.reason].join(t("list.comma")) : statusLabel(a.status));
  const names = absentees.map((a) => t("common.noted", { text: a.name, note: note(a) })).join(t("list.sep"));
  return t("common.labelled", { label: t("clerk.absentees"), value: names });
}

/** A line for a show of hands entered into a round, or null. */
export function handsLine(round) {
  return round.show_of_hands ? t("clerk.hands_entered", { who: round.show_of_hands.entered_by, n: round.show_of_hands.ballots }) : null;
}

export function printResult(b, answer, r) {
  const data = r.result.data;
  const s = answer.sitting;
  const absent = r.result.absentees && r.result.absentees.length;
  printArea(h("article", { class: "sheet" },
    h("p", { class: "sheet-body" }, body() ? body().name : ""),
    h("h1", {}, t("clerk.sheet_title")),
    h("p", {}, s.title, " · ", fmtDate(s.date), s.place ? ` · ${s.place}` : ""),
    h("p", {}, t("clerk.sheet_item", { n: b.item.position, title: b.item.title })),
    h("p", {}, t("clerk.sheet_ballot", { title: b.title, kind: kindLabel(b.kind), secret: secrecyLabel(b.secret),
      method: methodLabel(r.result.method), round: r.number })),
    h("p", {}, turnoutLine(data)),
    resultTable(ballotOfResult(b.spec, data), data),
    outcomeHeadline(data, { extraClass: "medium" }),
    h("p", { class: "announcement-text" }, announcement(data)),
    absent ? h("p", { class: "small" }, absenteesLine(r.result.absentees)) : null,
    r.show_of_hands ? h("p", { class: "small" }, handsLine(r)) : null,
    h("p", { class: "small" }, t("clerk.sheet_times", { opened: fmtDateTime(r.opened_at), closed: fmtTime(r.closed_at) })),
    h("p", { class: "small mono" }, t("clerk.audit_head", { id: r.result.audit_id, hash: r.result.audit_head || "" })),
    h("div", { class: "signatures" }, SIGNATURES.map((k) => h("p", {}, t("common.labelled", { label: t(k), value: "" }), h("span", { class: "sig-line" }))))));
}
