// Show-of-hands entry: the clerk types the count of each option (for members without a tablet, or
// for the whole ballot), checks it, and confirms it a second time; once entered it cannot change. An
// election's count takes the persons written in on paper (另选他人): a name and its votes per row.
import { focusId, h } from "../core/dom.js";
import { t } from "../core/i18n.js";
import { ackOk, toast } from "../core/notify.js";
import { Panel } from "../core/panel.js";
import { timeUpNote } from "../views/countdown.js";
import { optionLabel } from "../views/labels.js";

let hs = null; // {roundId, counts: {question: {option: "n"}}, ballots, invalid, note, stage: enter|confirm|saved, touched}

const count = (q, o) => parseInt((hs.counts[q.id] || {})[o.code], 10) || 0;

function entryFor(b) {
  if (!hs || hs.roundId !== b.round_id) {
    hs = { roundId: b.round_id, counts: {}, ballots: "", invalid: "0", note: "", stage: "enter", touched: false, written: [] };
  }
  return hs;
}

function numberInput(id, value, label, onInput) {
  return h("input", { id, "data-fk": id, type: "number", min: "0", step: "1", value: String(value ?? ""),
    inputmode: "numeric", "aria-label": label, disabled: hs.stage === "confirm", oninput: onInput });
}

/** Until the clerk types it, the number of people who voted by hands follows the largest row. */
function followBallots(qs) {
  if (hs.touched) return;
  hs.ballots = String(Math.max(0, ...qs.map((q) => q.options.reduce((a, o) => a + count(q, o), 0))));
  const el = document.getElementById("hands-ballots");
  if (el) el.value = hs.ballots;
}

/** The persons written in, with their votes: [{name, n}] of the rows that name someone. */
const writtenRows = () => hs.written.filter((w) => w.name.trim()).map((w) => ({ name: w.name.trim(), n: parseInt(w.n, 10) || 0 }));

function writeInRows(b, cols, redraw) {
  if (!(b.limits && b.limits.write_in_prefix)) return [];
  const rows = hs.written.map((w, i) => h("tr", { class: "write-in" },
    h("th", { scope: "row" }, h("input", { id: `hands-w-${i}-name`, "data-fk": `hands-w-${i}-name`, value: w.name, maxlength: 60,
      placeholder: t("clerk.hands_write_in_name"), "aria-label": `${t("clerk.hands_write_in_name")} ${i + 1}`,
      disabled: hs.stage === "confirm", oninput: (e) => { w.name = e.target.value; } })),
    cols.map((o) => h("td", {}, o.code === b.limits.for_code
      ? numberInput(`hands-w-${i}-n`, w.n, `${t("clerk.hands_write_in_name")} ${i + 1} ${optionLabel(o)}`, (e) => { w.n = e.target.value; })
      : "—"))));
  const add = h("tr", {}, h("td", { colspan: String(cols.length + 1) }, h("button", { type: "button", class: "btn small secondary",
    id: "hands-add-write-in", disabled: hs.stage === "confirm",
    onclick: () => { hs.written.push({ name: "", n: "" }); redraw(); focusId(`hands-w-${hs.written.length - 1}-name`); } },
  t("clerk.hands_add_write_in"))));
  return [...rows, add];
}

function grid(b, redraw) {
  const qs = b.questions || [];
  const cols = qs[0] ? qs[0].options : [];
  return h("table", { class: "data-table hands-table" },
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t(`result.subject.${b.kind}`)),
      cols.map((o) => h("th", { scope: "col" }, optionLabel(o))))),
    h("tbody", {}, qs.map((q) => h("tr", {}, h("th", { scope: "row" }, q.label), q.options.map((o) => h("td", {},
      numberInput(`hands-${q.id}-${o.code}`, (hs.counts[q.id] || {})[o.code], `${q.label} ${optionLabel(o)}`, (e) => {
        hs.counts[q.id] = { ...(hs.counts[q.id] || {}), [o.code]: e.target.value };
        followBallots(qs);
      }))))), writeInRows(b, cols, redraw)));
}

function fields() {
  return h("div", { class: "form-row" },
    h("div", {}, h("label", { for: "hands-ballots" }, t("clerk.hands_ballots")),
      numberInput("hands-ballots", hs.ballots, t("clerk.hands_ballots"), (e) => { hs.ballots = e.target.value; hs.touched = true; })),
    h("div", {}, h("label", { for: "hands-invalid" }, t("clerk.hands_invalid")),
      numberInput("hands-invalid", hs.invalid, t("clerk.hands_invalid"), (e) => { hs.invalid = e.target.value; })),
    h("div", { class: "grow" }, h("label", { for: "hands-note" }, t("clerk.hands_note")),
      h("input", { id: "hands-note", "data-fk": "hands-note", value: hs.note, disabled: hs.stage !== "enter",
        placeholder: t("clerk.hands_note_placeholder"), oninput: (e) => { hs.note = e.target.value; } })));
}

function summary(b, submit, redraw) {
  const qs = b.questions || [];
  return h("div", { class: "inline-confirm", role: "alertdialog", "aria-labelledby": "hands-confirm-title" },
    h("p", { id: "hands-confirm-title" }, h("strong", {}, t("clerk.hands_confirm_title"))),
    h("ul", {}, qs.map((q) => h("li", {}, t("common.labelled", { label: q.label,
      value: q.options.map((o) => `${optionLabel(o)} ${count(q, o)}`).join(t("list.comma")) }))),
    writtenRows().map((w) => h("li", {}, t("common.labelled", { label: t("result.write_in", { name: w.name }), value: w.n }))),
    h("li", {}, [t("common.labelled", { label: t("clerk.hands_ballots"), value: hs.ballots }),
      t("common.labelled", { label: t("clerk.hands_invalid"), value: hs.invalid || "0" })].join(t("list.semicolon")))),
    h("p", { class: "muted small" }, t("clerk.hands_confirm_help")),
    h("div", { class: "confirm-actions" },
      h("button", { class: "btn primary", id: "hands-confirm", "data-fk": "hands-confirm", onclick: submit }, t("clerk.hands_confirm")),
      h("button", { class: "btn ghost", "data-fk": "hands-back", onclick: () => { hs.stage = "enter"; redraw(); } }, t("seat.back"))));
}

async function send(client, b) {
  const counts = {};
  for (const q of b.questions || []) counts[q.id] = Object.fromEntries(q.options.map((o) => [o.code, count(q, o)]));
  const prefix = b.limits && b.limits.write_in_prefix;
  for (const w of prefix ? writtenRows() : []) {
    const key = prefix + w.name;
    counts[key] = { [b.limits.for_code]: ((counts[key] || {})[b.limits.for_code] || 0) + w.n };
  }
  const payload = { ballot_id: b.id, counts, ballots: parseInt(hs.ballots, 10) || 0, invalid: parseInt(hs.invalid, 10) || 0, confirm: true };
  if (hs.note.trim()) payload.note = hs.note.trim();
  const ok = ackOk(await client.call("hands", payload));
  hs.stage = ok ? "saved" : "enter";
  if (ok) toast(t("clerk.hands_saved"), "ok");
}

function section(b, ...content) {
  return h("section", { class: "card hands", "aria-labelledby": "hands-title" },
    h("h2", { id: "hands-title" }, t("clerk.hands"), h("span", { class: "muted small" }, ` · ${b.title}`)), content);
}

function build(client, b, redraw) {
  entryFor(b);
  if (hs.stage === "saved") return section(b, h("p", { class: "notice ok", role: "status" }, t("clerk.hands_saved")));
  const err = h("p", { class: "form-error", role: "alert", id: "hands-error" });
  const check = () => {
    if ([hs.ballots, hs.invalid || "0"].some((v) => !/^\d+$/.test(String(v).trim()))) {
      err.textContent = t("clerk.hands_bad_number");
      return;
    }
    hs.stage = "confirm";
    redraw();
    focusId("hands-confirm");
  };
  return section(b,
    h("p", { class: "muted small" }, b.method === "hands" ? t("clerk.hands_help_full") : t("clerk.hands_help_mixed", { voted: b.voted ?? 0 })),
    grid(b, redraw), fields(), err,
    hs.stage === "enter"
      ? h("button", { class: "btn primary", id: "hands-check", "data-fk": "hands-check", onclick: check }, t("clerk.hands_check"))
      : summary(b, async () => { await send(client, b); redraw(); }, redraw));
}

export function handsPanel(client, el) {
  const ballot = () => client.state && client.state.ballot;
  const panel = new Panel({
    el,
    reads: ["ballot"],
    key: () => { const b = ballot(); return [b && { ...b, voted: undefined, non_voters: undefined }, hs && hs.stage, hs && hs.written.length]; },
    build: () => {
      const b = ballot();
      if (!client.state) return [];
      if (!b || b.status !== "open") {
        return h("section", { class: "card", "aria-labelledby": "hands-title" }, h("h2", { id: "hands-title" }, t("clerk.hands")),
          h("p", { class: "muted" }, t("clerk.hands_none")));
      }
      return [timeUpNote(client, b, "clerk.time_up"), build(client, b, () => panel.draw())];
    },
  });
  return panel;
}
