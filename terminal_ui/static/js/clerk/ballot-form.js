// The form for a ballot on an item: its kind, title, the rows of its kind (persons, objects or
// candidates), the kind's own settings, secrecy, method, timer. The same form creates a ballot and
// corrects one not yet opened (prefilled from it, saved as one correction). Its values are kept in
// ``form`` so a push that redraws the agenda keeps what the clerk has typed.
import { api, failText } from "../core/api.js";
import { focusId, h } from "../core/dom.js";
import { t } from "../core/i18n.js";
import { toast } from "../core/notify.js";
import { kindLabel, methodLabel, secrecyLabel } from "../views/labels.js";
import { correctionOf, formOfTemplate, specOf, templateOf } from "./ballot-spec.js";
import { guarded, loadAgenda } from "./data.js";
import { saveTemplate, templateName, templates } from "./templates.js";

const KINDS = ["resolution", "appointment", "evaluation", "selection", "election"];
const POST_TYPES = ["head", "deputy_head", "committee_member", "by_election"];
const ACTIONS = [["appoint", "clerk.appoint"], ["remove", "clerk.remove"]]; // 任命 / 免去
let form = null; // {itemId, ballotId?, kind, rows: [{name, post?, action?}], fields: {key: value}}

/** Whether the form is open on ``itemId`` (on any item when null); the open form. */
export function formFor(itemId) {
  return form && (itemId === null || form.itemId === itemId) ? form : null;
}

function defaultRows(kind) {
  if (kind === "appointment") return [{ name: "", post: "", action: "appoint" }];
  if (kind === "evaluation" || kind === "selection" || kind === "election") return [{ name: "" }, { name: "" }];
  return [];
}

export function newForm(item) {
  const kind = KINDS.includes(item.kind) ? item.kind : "resolution";
  form = { itemId: item.id, kind, rows: defaultRows(kind), fields: {}, documents: item.documents || [] };
}

/** The form prefilled from a ballot not yet opened, to correct it. Its passing rule is kept unless the
 * clerk returns it to the body's rulebook or sets one for this ballot; its ballot box modes are kept. */
export function editForm(item, ballot) {
  const settings = { spec: ballot.spec, secret: ballot.secret, method: ballot.method, timer_seconds: ballot.timer_seconds,
    allow_change: ballot.allow_change, procedural: ballot.procedural };
  form = { ...formOfTemplate({ fields: { title: ballot.title } }, settings, defaultRows), itemId: item.id, ballotId: ballot.id, extra: {}, template: "",
    documents: item.documents || [] };
  if (!form.rows.length) form.rows = defaultRows(form.kind);
  const th = (ballot.rule && ballot.rule.threshold) || {};
  form.stored = th;
  Object.assign(form.fields, { rule: "keep", th_base: th.base || "all_members", th_fraction: th.fraction || "1/2",
    th_strict: th.strict === false ? "inclusive" : "strict" });
}

const BASES = ["all_members", "present", "votes_cast", "for_and_against"];
const FRACTIONS = ["1/2", "2/3", "3/4", "1/3"];

/** "超过全体组成人员的1/2": a threshold in the clerk's words. */
const ruleText = (th) => t("clerk.rule_text", { strict: t(th.strict === false ? "clerk.rule_inclusive" : "clerk.rule_strict"),
  base: t(`clerk.base_${th.base || "all_members"}`), fraction: th.fraction || "1/2" });

/** Correcting a ballot: its passing rule kept, returned to the body's rulebook, or set for this ballot. */
function ruleFields(redraw) {
  const choice = field("rule", h("select", { id: "bf-rule" }, h("option", { value: "keep" }, t("clerk.rule_keep", { rule: ruleText(form.stored) })),
    h("option", { value: "body" }, t("clerk.rule_body")), h("option", { value: "custom" }, t("clerk.rule_custom"))));
  choice.addEventListener("change", () => { form.version = (form.version || 0) + 1; redraw(); });
  const custom = form.fields.rule === "custom" ? [
    labelled(field("th_strict", h("select", { id: "bf-th-strict" }, h("option", { value: "strict" }, t("clerk.rule_strict")),
      h("option", { value: "inclusive" }, t("clerk.rule_inclusive")))), "clerk.rule_how"),
    labelled(field("th_base", h("select", { id: "bf-th-base" }, BASES.map((b) => h("option", { value: b }, t(`clerk.base_${b}`))))), "clerk.rule_base"),
    labelled(field("th_fraction", h("select", { id: "bf-th-fraction" }, FRACTIONS.map((f) => h("option", { value: f }, f)))), "clerk.rule_fraction"),
  ] : null;
  return h("fieldset", { class: "form-grid" }, h("legend", {}, t("clerk.rule")), labelled(choice, "clerk.rule_choice", "span2"), custom);
}

/** Keep a form field's value in the form's state, so a push that redraws the page keeps it. */
function field(key, el, prop = "value") {
  if (form.fields[key] !== undefined) el[prop] = form.fields[key];
  el.addEventListener(el.tagName === "SELECT" || prop === "checked" ? "change" : "input", () => { form.fields[key] = el[prop]; });
  return el;
}

const labelled = (el, key, cls = null) => h("div", { class: cls }, h("label", { for: el.id }, t(key)), el);
const checkbox = (el, key) => h("div", { class: "check" }, el, h("label", { for: el.id }, t(key)));

/** The settings of the ballot's kind: the question, combined appointments, a cap, the marks allowed. */
function kindFields(redraw) {
  const box = (key, id) => field(key, h("input", { id, type: "checkbox" }), "checked");
  if (form.kind === "resolution") {
    return labelled(field("question", h("input", { id: "bf-question", placeholder: t("clerk.question_placeholder") })), "clerk.question", "span2");
  }
  if (form.kind === "appointment") {
    const combined = box("combined", "bf-combined");
    combined.addEventListener("change", () => { form.version = (form.version || 0) + 1; redraw(); });
    return checkbox(combined, "clerk.combined");
  }
  if (form.kind === "evaluation") {
    return [labelled(field("cap", h("input", { id: "bf-cap", type: "number", min: "0", placeholder: t("clerk.cap_none") })), "clerk.cap_satisfied"),
      checkbox(box("unknown", "bf-unknown"), "clerk.grade_unknown")];
  }
  if (form.kind === "election") {
    if (form.fields.write_ins === undefined) form.fields.write_ins = true;
    return [labelled(field("post", h("input", { id: "bf-post", required: true, placeholder: t("clerk.election_post_placeholder") })), "clerk.election_post", "span2"),
      labelled(field("places", h("input", { id: "bf-places", type: "number", min: "1", required: true, value: "1" })), "clerk.election_places"),
      labelled(field("post_type", h("select", { id: "bf-post-type" }, POST_TYPES.map((p) => h("option", { value: p }, t(`post_type.${p}`))))), "clerk.election_post_type"),
      checkbox(box("write_ins", "bf-write-ins"), "clerk.election_write_ins"),
      h("p", { class: "muted small span2" }, t("clerk.election_help"))];
  }
  return [labelled(field("max", h("input", { id: "bf-max", type: "number", min: "1", required: true, value: "1" })), "clerk.max_marks"),
    labelled(field("options", h("select", { id: "bf-options" }, h("option", { value: "mark" }, t("clerk.sel_mark")),
      h("option", { value: "for_against_abstain" }, t("clerk.sel_faa")))), "clerk.sel_options")];
}

/** A candidate's details (票决): 投资额, 责任单位, 简介 and one of the item's papers, each optional. */
function candidateDetails(r, i, input) {
  const named = (key) => `${t(`clerk.cand_${key}`)} ${i + 1}`;
  const docs = form.documents || [];
  const paper = docs.length ? h("select", { id: `bf-row-${i}-document_id`, "aria-label": named("document"),
    onchange: (e) => { r.document_id = e.target.value; } },
  h("option", { value: "" }, t("clerk.cand_no_document")),
  docs.map((d) => h("option", { value: String(d.id), selected: String(r.document_id || "") === String(d.id) }, d.filename))) : null;
  return h("div", { class: "cand-details" },
    input(r, i, "amount", { placeholder: t("clerk.cand_amount"), "aria-label": named("amount"), maxlength: 100 }),
    input(r, i, "responsible_unit", { placeholder: t("clerk.cand_responsible_unit"), "aria-label": named("responsible_unit"), maxlength: 200 }),
    h("textarea", { id: `bf-row-${i}-summary`, rows: 2, maxlength: 500, placeholder: t("clerk.cand_summary"), "aria-label": named("summary"),
      oninput: (e) => { r.summary = e.target.value; } }, r.summary || ""),
    paper);
}

function rowEditor(redraw) {
  if (form.kind === "resolution") return null;
  const input = (r, i, key, attrs) => h("input", { id: `bf-row-${i}-${key}`, value: r[key], ...attrs, oninput: (e) => { r[key] = e.target.value; } });
  const rows = form.rows.map((r, i) => h("li", { class: "row-edit" },
    h("span", { class: "row-no" }, i + 1),
    input(r, i, "name", { "data-fk": `bf-row-${i}-name`, required: i === 0, "aria-label": `${t(`clerk.row_name_${form.kind}`)} ${i + 1}` }),
    form.kind === "appointment" ? [
      input(r, i, "post", { placeholder: t("clerk.post"), "aria-label": `${t("clerk.post")} ${i + 1}` }),
      h("select", { id: `bf-row-${i}-action`, "aria-label": `${t("clerk.action")} ${i + 1}`, onchange: (e) => { r.action = e.target.value; } },
        ACTIONS.map(([a, key]) => h("option", { value: a, selected: r.action === a }, t(key))))] : null,
    h("button", { type: "button", class: "btn small ghost", "aria-label": `${t("common.remove")} ${i + 1}`, disabled: form.rows.length <= 1,
      onclick: () => { form.rows.splice(i, 1); redraw(); } }, "✕"),
    form.kind === "selection" ? candidateDetails(r, i, input) : null));
  const add = () => {
    form.rows.push(form.kind === "appointment" ? { name: "", post: "", action: "appoint" } : { name: "" });
    redraw();
    focusId(`bf-row-${form.rows.length - 1}-name`);
  };
  return h("fieldset", { class: "rows" }, h("legend", {}, t(`clerk.rows_${form.kind}`)),
    form.kind === "appointment" ? h("p", { class: "muted small" }, t("clerk.appointment_help")) : null,
    form.kind === "appointment" && form.rows.length > 1 && !form.fields.combined && !form.ballotId
      ? h("p", { class: "notice", id: "bf-per-person", role: "status" }, t("clerk.per_person_note", { n: form.rows.length })) : null,
    h("ol", { class: "plain" }, rows),
    h("button", { type: "button", class: "btn small secondary", id: "bf-add-row", onclick: add }, t("clerk.add_row")));
}

function options() {
  const always = form.kind === "election"; // 选举一律无记名: not a setting
  const secret = always
    ? h("select", { id: "bf-secret", disabled: true }, h("option", { value: "secret" }, t("clerk.always_secret")))
    : field("secret", h("select", { id: "bf-secret" }, h("option", { value: "" }, t("clerk.secret_default")),
      h("option", { value: "secret" }, secrecyLabel(true)), h("option", { value: "named" }, secrecyLabel(false))));
  const method = field("method", h("select", { id: "bf-method" }, ["tablet", "hands", "mixed"].map((m) => h("option", { value: m }, methodLabel(m)))));
  const timer = field("timer", h("input", { id: "bf-timer", type: "number", min: "10", max: "3600", step: "10", placeholder: t("clerk.timer_none") }));
  return h("fieldset", { class: "form-grid" }, h("legend", {}, t("clerk.ballot_options")),
    labelled(secret, "clerk.secrecy"), labelled(method, "clerk.method"), labelled(timer, "clerk.timer"),
    checkbox(field("change", h("input", { id: "bf-change", type: "checkbox" }), "checked"), "clerk.allow_change"),
    checkbox(field("procedural", h("input", { id: "bf-procedural", type: "checkbox" }), "checked"), "clerk.procedural"));
}

/** Start from a template of the body, or save the form's settings as one. */
function templateBar(redraw) {
  const list = templates.get("templates");
  const choose = h("select", { id: "bf-template", onchange: (e) => {
    const tpl = list[parseInt(e.target.value, 10)];
    if (!tpl) return;
    form = { ...formOfTemplate(form, tpl.settings, defaultRows), template: e.target.value };
    redraw();
  } }, h("option", { value: "" }, t("clerk.template_none")),
  list.map((tpl, i) => h("option", { value: String(i), selected: form.template === String(i) }, templateName(tpl))));
  const name = h("input", { id: "bf-tpl-name", placeholder: t("clerk.template_name_placeholder"), "aria-label": t("clerk.template_name") });
  const save = async () => {
    if (!name.value.trim()) { name.focus(); return; }
    if (await saveTemplate(name.value.trim(), templateOf(form))) {
      form = { ...form, version: (form.version || 0) + 1 };
      redraw();
    }
  };
  return h("div", { class: "form-row" },
    h("div", { class: "grow" }, h("label", { for: "bf-template" }, t("clerk.from_template")), choose),
    h("div", { class: "grow" }, h("label", { for: "bf-tpl-name" }, t("clerk.save_as_template")),
      h("div", { class: "tpl-save" }, name, h("button", { class: "btn small secondary", type: "button", id: "bf-tpl-save", onclick: save }, t("clerk.save_template")))));
}

async function create(item, err, redraw) {
  const made = specOf(form);
  if (made.error) {
    err.textContent = t(made.error);
    return;
  }
  try {
    await api("POST", `/api/items/${item.id}/${made.path}`, made.ballot);
    toast(made.count > 1 ? t("clerk.ballots_created", { n: made.count }) : t("clerk.ballot_created"), "ok");
    form = null;
    redraw();
    await guarded(loadAgenda);
  } catch (ex) {
    err.textContent = failText(ex);
  }
}

/** One correction of the ballot (PATCH): a refusal (e.g. it has opened meanwhile) is shown in the form,
 * which stays as typed; nothing changed. */
async function save(err, redraw) {
  const made = correctionOf(form);
  if (made.error) {
    err.textContent = t(made.error);
    return;
  }
  try {
    await api("PATCH", `/api/ballots/${form.ballotId}`, made.ballot);
    toast(t("clerk.ballot_saved"), "ok");
    form = null;
    redraw();
    await guarded(loadAgenda);
  } catch (ex) {
    err.textContent = failText(ex);
    toast(failText(ex), "error", 9000);
  }
}

export function ballotForm(item, redraw) {
  const kind = h("select", { id: "bf-kind", "data-fk": "bf-kind", onchange: (e) => {
    form = { ...form, kind: e.target.value, rows: defaultRows(e.target.value), fields: { title: form.fields.title }, extra: {}, template: "" };
    redraw();
  } }, KINDS.map((k) => h("option", { value: k, selected: k === form.kind }, kindLabel(k))));
  const title = field("title", h("input", { id: "bf-title", "data-fk": "bf-title", placeholder: item.title }));
  const err = h("p", { class: "form-error", role: "alert" });
  return h("form", { class: "ballot-form", "aria-labelledby": "bf-heading", onsubmit: (e) => {
    e.preventDefault();
    err.textContent = "";
    if (form.ballotId) save(err, redraw);
    else create(item, err, redraw);
  } },
  h("h4", { id: "bf-heading" }, t(form.ballotId ? "clerk.edit_ballot" : "clerk.new_ballot")),
  form.ballotId ? null : templateBar(redraw),
  h("div", { class: "form-grid" }, labelled(kind, "clerk.ballot_kind"), labelled(title, "clerk.ballot_title", "span2"), kindFields(redraw)),
  rowEditor(redraw),
  options(),
  form.ballotId ? ruleFields(redraw) : null,
  err,
  h("div", { class: "form-row" },
    h("button", { class: "btn primary", type: "submit", id: "bf-submit" }, t(form.ballotId ? "clerk.save_changes" : "clerk.create_ballot")),
    h("button", { class: "btn ghost", type: "button", onclick: () => { form = null; redraw(); } }, t("common.cancel"))));
}
