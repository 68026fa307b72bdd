// The request that creates a ballot from the clerk's form: its spec in the rules engine's format
// (docs/protocol.md) and its options. Fields the clerk left untouched have their form defaults.
import { grades } from "./options.js";

function specOfKind(form, rows) {
  const f = form.fields;
  if (form.kind === "resolution") return { kind: "resolution", question: (f.question || "").trim() };
  if (form.kind === "appointment") {
    const spec = { kind: "appointment",
      persons: rows.map((r, i) => ({ id: `p${i + 1}`, name: r.name.trim(), post: r.post.trim(), action: r.action })) };
    if (f.combined || rows.length > 1) spec.combined = true;
    return spec;
  }
  if (form.kind === "evaluation") {
    const spec = { kind: "evaluation", objects: rows.map((r, i) => ({ id: `o${i + 1}`, name: r.name.trim() })) };
    if (f.unknown) spec.grades = grades({ unknown: true });
    if (f.cap !== undefined && f.cap !== "") spec.caps = { satisfied: parseInt(f.cap, 10) };
    return spec;
  }
  return { kind: "selection", candidates: rows.map((r, i) => ({ id: `c${i + 1}`, name: r.name.trim() })),
    max_marks: parseInt(f.max ?? "1", 10) || 1, options: f.options || "mark" };
}

/** {ballot: the request body} or {error: the catalogue key of what is missing}. */
export function specOf(form) {
  const rows = form.rows.filter((r) => r.name.trim());
  if (form.kind !== "resolution" && !rows.length) return { error: "clerk.rows_needed" };
  const f = form.fields;
  const ballot = { spec: specOfKind(form, rows), method: f.method || "tablet", allow_change: Boolean(f.change),
    procedural: Boolean(f.procedural) };
  if ((f.title || "").trim()) ballot.title = f.title.trim();
  if (f.secret) ballot.secret = f.secret === "secret";
  if (f.timer) ballot.timer_seconds = parseInt(f.timer, 10);
  return { ballot };
}
