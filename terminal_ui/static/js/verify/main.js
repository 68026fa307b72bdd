// The public verification page: upload a signed sheet, or arrive from a sheet's QR code
// (/verify?sheet=B3-R1&h=…); the answer shows the record on file beside every check, so that the
// paper can be compared with it. And a member's receipt check after the close, with the code alone.
import { api } from "../core/api.js";
import { h } from "../core/dom.js";
import { dotted, fmtDate, fmtDateTime } from "../core/format.js";
import { errorText, onLangChange, pick, t } from "../core/i18n.js";
import { chrome } from "../live/chrome.js";

chrome();

const out = document.getElementById("verify-result");
const receiptOut = document.getElementById("receipt-result");
let last = null;
let lastReceipt = null;

const both = (words) => (words ? pick(words.zh, words.en) : "");

function field(label, ...value) {
  return [h("dt", {}, t(label)), h("dd", {}, ...value)];
}

function countsTable(sheet) {
  const single = sheet.questions.length === 1;
  const head = h("tr", {}, single ? null : h("th", { scope: "col" }, t("verify.question")),
    sheet.columns.map((c) => h("th", { scope: "col", class: "num" }, both(c))),
    h("th", { scope: "col", class: "num" }, t("verify.not_voted")),
    single ? null : h("th", { scope: "col" }, t("verify.outcome")));
  const rows = sheet.questions.map((q) => h("tr", {}, single ? null : h("th", { scope: "row" }, q.label),
    q.counts.map((n) => h("td", { class: "num" }, String(n))),
    h("td", { class: "num" }, String(q.not_voted)),
    single ? null : h("td", {}, both(q.outcome))));
  return h("div", { class: "table-wrap" }, h("table", { class: "table record-counts" }, h("thead", {}, head), h("tbody", {}, rows)));
}

function resultRecord(sheet) {
  const ballot = [sheet.ballot.title, " ", h("span", { class: "chip" }, both(sheet.ballot.kind))];
  const how = dotted(both(sheet.method), both(sheet.ballot.secrecy), t("verify.round_no", { n: sheet.round }));
  return [
    h("dl", { class: "record-fields" },
      field("verify.item", t("agenda.item_no", { n: sheet.item.position }), " ", sheet.item.title),
      field("verify.ballot_title", ...ballot),
      field("verify.how", how),
      field("verify.closed_at", fmtDateTime(sheet.closed_at)),
      sheet.revote_reason ? field("verify.revote_reason", sheet.revote_reason) : null,
      field("verify.turnout", t("verify.turnout_figures", { entitled: sheet.turnout.entitled, present: sheet.turnout.present }))),
    countsTable(sheet),
    h("dl", { class: "record-fields record-outcome" }, field("verify.outcome", h("strong", {}, both(sheet.outcome)))),
    sheet.announcement && both(sheet.announcement)
      ? h("blockquote", { class: "record-announcement" }, h("p", { class: "muted" }, t("verify.announcement")), both(sheet.announcement))
      : null,
  ];
}

function attendanceRecord(sheet) {
  const c = sheet.counts;
  return h("dl", { class: "record-fields" },
    field("verify.attendance", t("verify.attendance_figures", { entitled: c.entitled, attending: c.attending,
      leave: c.leave, absent: c.absent })),
    field("verify.quorum", t(sheet.quorum.held ? "verify.quorum_held" : "verify.quorum_missing", { n: sheet.quorum.needed })));
}

function record(sheet) {
  return h("article", { class: "record", "data-sheet": sheet.sheet_id },
    h("h3", {}, t(sheet.type === "attendance" ? "verify.attendance_sheet" : "verify.result_sheet"), " ",
      h("code", {}, sheet.sheet_id)),
    h("p", { class: "record-sitting" }, h("strong", {}, sheet.body), " · ", sheet.sitting.title,
      h("span", { class: "muted" }, " ", dotted(fmtDate(sheet.sitting.date), sheet.sitting.place))),
    sheet.type === "attendance" ? attendanceRecord(sheet) : resultRecord(sheet));
}

function checksTable(answer) {
  return h("table", { class: "table checks" }, h("tbody", {}, answer.checks.map((c) => h("tr", {},
    h("th", { scope: "row" }, pick(c.title_zh, c.title_en)),
    h("td", { class: c.ok ? "good" : "bad" }, t(c.ok ? "verify.pass" : "verify.fail")),
    h("td", {}, pick(c.reason_zh, c.reason_en))))));
}

function render(answer, heading) {
  last = { answer, heading };
  const sheets = answer.sheets || [];
  out.replaceChildren(
    heading ? h("p", { class: "muted" }, heading()) : "",
    h("p", { class: `notice verdict ${answer.ok ? "ok" : "warn"}`, role: "status" },
      h("strong", {}, pick(answer.verdict_zh, answer.verdict_en)), " ",
      t(answer.ok ? "verify.all_ok" : "verify.failed")),
    h("div", { class: "verify-answer" },
      h("section", { class: "verify-records", "aria-labelledby": "records-h" },
        h("h2", { id: "records-h" }, t("verify.records")),
        sheets.length
          ? [h("p", { class: "muted" }, t("verify.compare")), sheets.map(record)]
          : h("p", { class: "notice warn" }, t("verify.no_record"))),
      h("section", { class: "verify-checks", "aria-labelledby": "checks-h" },
        h("h2", { id: "checks-h" }, t("verify.checks")), checksTable(answer))));
}

function fail(err) {
  last = null;
  out.replaceChildren(h("p", { class: "notice warn", role: "alert" }, errorText(err.data) || String(err)));
}

function checking() {
  out.replaceChildren(h("p", { class: "muted" }, t("verify.checking")));
}

function receiptAnswer(answer) {
  lastReceipt = answer;
  if (!answer.found) {
    receiptOut.replaceChildren(h("p", { class: "notice warn" }, t("verify.receipt_missing")));
    return;
  }
  receiptOut.replaceChildren(h("div", { class: "notice ok" },
    h("p", {}, h("strong", {}, t("verify.receipt_found"))),
    h("ul", { class: "receipt-rounds" }, answer.rounds.map((r) => h("li", {},
      dotted(r.body, r.sitting.title), h("br"),
      t("agenda.item_no", { n: r.item.position }), " ", r.ballot.title, " · ", t("verify.round_no", { n: r.round }),
      " ", h("code", {}, r.sheet_id))))));
}

onLangChange(() => {
  if (last) render(last.answer, last.heading);
  if (lastReceipt) receiptAnswer(lastReceipt);
});

const params = new URLSearchParams(location.search);
if (params.get("sheet") && params.get("h")) {
  const sheet = params.get("sheet");
  checking();
  api("GET", `/api/verify?sheet=${encodeURIComponent(sheet)}&h=${encodeURIComponent(params.get("h"))}`)
    .then((answer) => render(answer, () => t("verify.reference", { sheet })), fail);
}

document.getElementById("verify-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const file = document.getElementById("verify-file").files[0];
  if (!file) return;
  const form = new FormData();
  form.append("file", file);
  checking();
  try {
    render(await api("POST", "/api/verify", undefined, { form }), () => file.name);
  } catch (err) {
    fail(err);
  }
});

document.getElementById("receipt-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  // as the tablet shows it ("2C0F 053B 16A9 0E11 …"): the server ignores spaces, dashes and case
  const code = document.getElementById("receipt-code").value.replace(/[\s…]/g, "");
  if (!code) return;
  lastReceipt = null;
  try {
    receiptAnswer(await api("GET", `/api/receipts/${encodeURIComponent(code)}`));
  } catch (err) {
    receiptOut.replaceChildren(h("p", { class: "notice warn", role: "alert" }, errorText(err.data) || String(err)));
  }
});
