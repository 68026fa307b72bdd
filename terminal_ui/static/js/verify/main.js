// The public verification page: upload a signed sheet, or arrive from a sheet's QR code
// (/verify?sheet=B3-R1&h=…); and a member's receipt check after the close.
import { api } from "../core/api.js";
import { h } from "../core/dom.js";
import { errorText, onLangChange, pick, t } from "../core/i18n.js";
import { chrome } from "../live/chrome.js";

chrome();

const out = document.getElementById("verify-result");
let last = null;

function render(answer, heading) {
  last = { answer, heading };
  const rows = answer.checks.map((c) => h("tr", {},
    h("th", { scope: "row" }, pick(c.title_zh, c.title_en)),
    h("td", { class: c.ok ? "good" : "bad" }, t(c.ok ? "verify.pass" : "verify.fail")),
    h("td", {}, pick(c.reason_zh, c.reason_en))));
  out.replaceChildren(
    heading ? h("p", { class: "muted" }, heading()) : "",
    h("p", { class: `notice ${answer.ok ? "ok" : "warn"}`, role: "status" }, t(answer.ok ? "verify.all_ok" : "verify.failed")),
    h("table", { class: "table" }, h("tbody", {}, ...rows)));
}

function fail(err) {
  last = null;
  out.replaceChildren(h("p", { class: "notice warn", role: "alert" }, errorText(err.data) || String(err)));
}

function checking() {
  out.replaceChildren(h("p", { class: "muted" }, t("verify.checking")));
}

onLangChange(() => last && render(last.answer, last.heading));

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
  const ballot = document.getElementById("receipt-ballot").value;
  const round = document.getElementById("receipt-round").value;
  const code = document.getElementById("receipt-code").value.trim().toUpperCase();
  const box = document.getElementById("receipt-result");
  try {
    const answer = await api("GET", `/api/ballots/${ballot}/rounds/${round}/receipts/${encodeURIComponent(code)}`);
    box.textContent = t(answer.found ? "verify.receipt_found" : "verify.receipt_missing");
    box.className = `notice ${answer.found ? "ok" : "warn"}`;
  } catch (err) {
    box.textContent = errorText(err.data) || String(err);
    box.className = "notice warn";
  }
});
