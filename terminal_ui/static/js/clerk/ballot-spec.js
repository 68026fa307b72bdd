// The request that creates a ballot from the clerk's form: its spec in the rules engine's format
// (docs/protocol.md) and its options. Fields the clerk left untouched have their form defaults.
import { grades } from "./options.js";

/** The details of a candidate the clerk gave (投资额, 责任单位, 简介, an attached paper): only those given. */
const DETAILS = ["amount", "responsible_unit", "summary", "document_id"];

function candidate(r, i) {
  const c = { id: `c${i + 1}`, name: r.name.trim() };
  for (const key of DETAILS) if (String(r[key] ?? "").trim()) c[key] = String(r[key]).trim();
  return c;
}

function specOfKind(form, rows) {
  const f = form.fields;
  if (form.kind === "resolution") return { kind: "resolution", question: (f.question || "").trim() };
  if (form.kind === "appointment") {
    const spec = { kind: "appointment",
      persons: rows.map((r, i) => ({ id: `p${i + 1}`, name: r.name.trim(), post: r.post.trim(), action: r.action })) };
    if (f.combined) spec.combined = true;
    return spec;
  }
  if (form.kind === "evaluation") {
    const spec = { kind: "evaluation", objects: rows.map((r, i) => ({ id: `o${i + 1}`, name: r.name.trim() })) };
    if (f.unknown) spec.grades = grades({ unknown: true });
    if (f.cap !== undefined && f.cap !== "") spec.caps = { satisfied: parseInt(f.cap, 10) };
    return spec;
  }
  if (form.kind === "election") {
    return { kind: "election", post: (f.post || "").trim(), places: parseInt(f.places ?? "1", 10) || 1,
      post_type: f.post_type || "committee_member", write_ins: f.write_ins !== false,
      candidates: rows.map((r, i) => ({ id: `c${i + 1}`, name: r.name.trim() })) };
  }
  return { kind: "selection", candidates: rows.map(candidate),
    max_marks: parseInt(f.max ?? "1", 10) || 1, options: f.options || "mark" };
}

/** The options of the ballot besides its spec and title: secrecy, method, timer, and what a template
 * brought that the form does not show (a threshold, the ballot box's modes). */
function optionsOf(form) {
  const f = form.fields;
  const out = { method: f.method || "tablet", allow_change: Boolean(f.change), procedural: Boolean(f.procedural) };
  if (f.secret) out.secret = f.secret === "secret";
  if (f.timer) out.timer_seconds = parseInt(f.timer, 10);
  for (const key of ["threshold", "box_keys", "box_encrypt"]) if (form.extra && form.extra[key] != null) out[key] = form.extra[key];
  return out;
}

/** {ballot: the request body, path: where it goes} or {error: the catalogue key of what is missing}.
 * An appointment list of several persons not voted together is one ballot per person (逐人表决),
 * created at once by ``ballots/per-person``; its ballots are titled by the server, one per person. */
export function specOf(form) {
  const rows = form.rows.filter((r) => r.name.trim());
  if (form.kind !== "resolution" && !rows.length) return { error: "clerk.rows_needed" };
  const f = form.fields;
  const ballot = { spec: specOfKind(form, rows), ...optionsOf(form) };
  if ((f.title || "").trim()) ballot.title = f.title.trim();
  if (form.kind === "appointment" && !f.combined && rows.length > 1) {
    delete ballot.title;
    return { ballot, path: "ballots/per-person", count: rows.length };
  }
  return { ballot, path: "ballots", count: 1 };
}

/** {ballot: the correction of a ballot (every setting the form shows), or {error}}: an empty title
 * returns to the item's, an empty timer clears it; the threshold is sent only when the clerk changed
 * it (null: the body's rule again), the box settings never (kept). */
export function correctionOf(form) {
  const rows = form.rows.filter((r) => r.name.trim());
  if (form.kind !== "resolution" && !rows.length) return { error: "clerk.rows_needed" };
  const f = form.fields;
  const ballot = { spec: specOfKind(form, rows), ...optionsOf({ ...form, extra: {} }),
    title: (f.title || "").trim() || null, timer_seconds: f.timer ? parseInt(f.timer, 10) : null };
  if (f.secret) ballot.secret = f.secret === "secret";
  if (f.rule === "body") ballot.threshold = null;
  if (f.rule === "custom") ballot.threshold = { base: f.th_base, fraction: f.th_fraction, strict: f.th_strict !== "inclusive" };
  return { ballot };
}

/** The form's settings as a template (docs/protocol.md): an appointment's names are left out (they
 * change from sitting to sitting), its action kept where every row removes; objects and candidates stay. */
export function templateOf(form) {
  const appointment = form.kind === "appointment";
  const rows = appointment ? [] : form.rows.filter((r) => r.name.trim());
  const spec = specOfKind(form, rows);
  if (appointment && form.rows.length && form.rows.every((r) => r.action === "remove")) spec.action = "remove";
  return { spec, ...optionsOf(form) };
}

const ROWS = { appointment: "persons", evaluation: "objects", selection: "candidates", election: "candidates" };

/** The form's kind, rows and fields from a template's settings (the title the clerk typed is kept). */
export function formOfTemplate(form, settings, defaultRows) {
  const spec = settings.spec || {};
  const kind = ["resolution", "appointment", "evaluation", "selection", "election"].includes(spec.kind) ? spec.kind : "resolution";
  const listed = (spec[ROWS[kind]] || []).map((r) => ({ name: r.name || "", post: r.post || "", action: r.action || "appoint",
    ...(kind === "selection" ? Object.fromEntries(DETAILS.map((key) => [key, r[key] || ""])) : {}) }));
  const rows = listed.length ? listed : defaultRows(kind).map((r) => (kind === "appointment" ? { ...r, action: spec.action || "appoint" } : r));
  const fields = { title: form.fields.title, question: spec.question || "", combined: Boolean(spec.combined),
    unknown: (spec.grades || []).some((g) => g.code === "unknown"), cap: spec.caps && spec.caps.satisfied != null ? String(spec.caps.satisfied) : "",
    max: String(spec.max_marks || 1), options: spec.options || "mark",
    post: spec.post || "", places: String(spec.places || 1), post_type: spec.post_type || "committee_member",
    write_ins: spec.write_ins !== false,
    secret: settings.secret === true ? "secret" : settings.secret === false ? "named" : "", method: settings.method || "tablet",
    timer: settings.timer_seconds ? String(settings.timer_seconds) : "", change: Boolean(settings.allow_change),
    procedural: Boolean(settings.procedural) };
  const extra = { threshold: settings.threshold, box_keys: settings.box_keys, box_encrypt: settings.box_encrypt };
  return { ...form, kind, rows, fields, extra, version: (form.version || 0) + 1 };
}
