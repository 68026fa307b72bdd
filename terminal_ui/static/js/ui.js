// Small helpers the four pages share: building DOM, HTTP with the CSRF token, the staff login gate,
// the connection banner, and the labels and result views every screen shows the same way.
import { t, lang, pick, errorText, onLangChange, applyI18n, setLang } from "./i18n.js";

// --- DOM ------------------------------------------------------------------------------------------

/** h("button", {class: "btn", onclick: fn, attrs: {...}}, "text", child, [more]) */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "text") el.textContent = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key === "style") el.setAttribute("style", value);
    else if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (key in el && typeof value !== "string") el[key] = value;
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/**
 * Replace the content of ``el`` with ``build()`` when ``deps`` changed since the last time; keeps the
 * keyboard focus on the element with the same data-fk key, so a push never steals the user's place.
 */
export function region(el, deps, build) {
  const key = JSON.stringify(deps);
  if (el._deps === key) return false;
  el._deps = key;
  const active = document.activeElement;
  const fk = active && el.contains(active) ? active.dataset.fk : null;
  el.replaceChildren(...[build()].flat(Infinity).filter((x) => x !== null && x !== undefined && x !== false));
  if (fk) {
    const again = el.querySelector(`[data-fk="${CSS.escape(fk)}"]`);
    if (again && !again.disabled) again.focus({ preventScroll: true });
  }
  return true;
}

/** Force the next region() call to rebuild (e.g. after the language changed). */
export function invalidate(...els) {
  for (const el of els) if (el) el._deps = undefined;
}

export const $ = (sel, root = document) => root.querySelector(sel);

// --- HTTP -----------------------------------------------------------------------------------------

let csrfToken = null;

export class ApiError extends Error {
  constructor(status, data) {
    super((data && (data.message_en || data.message)) || `HTTP ${status}`);
    this.status = status;
    this.data = data || {};
  }
  get text() {
    return errorText(this.data) || `HTTP ${this.status}`;
  }
}

export async function session() {
  const r = await fetch("/api/session", { credentials: "same-origin", cache: "no-store" });
  const data = await r.json();
  csrfToken = data.csrf_token;
  return data;
}

/** JSON request; adds the CSRF token (staff cookie sessions) or a bearer token (tablets). */
export async function api(method, url, body, { token = null, form = null } = {}) {
  const headers = { Accept: "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (method !== "GET") {
    if (!csrfToken && !token) await session();
    if (csrfToken) headers["X-CSRFToken"] = csrfToken;
  }
  let payload;
  if (form) payload = form;
  else if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  const r = await fetch(url, { method, headers, body: payload, credentials: "same-origin" });
  let data = null;
  try {
    data = await r.json();
  } catch (_) {
    data = null;
  }
  if (!r.ok) throw new ApiError(r.status, data);
  if (data && data.csrf_token) csrfToken = data.csrf_token;
  return data;
}

// --- staff login gate -----------------------------------------------------------------------------

const ROLE_KEYS = { admin: "role.admin", chair: "role.chair", clerk: "role.clerk", display: "role.display" };

/**
 * Resolves with the staff session once someone with one of ``roles`` is logged in; until then shows
 * a login form in ``box`` (and hides ``main``).
 */
export async function staffGate(box, main, roles) {
  let s = await session();
  if (roles.includes(s.role)) {
    box.hidden = true;
    main.hidden = false;
    return s;
  }
  main.hidden = true;
  box.hidden = false;
  return new Promise((resolve) => {
    const render = () => {
      const user = h("input", { id: "login-user", name: "username", autocomplete: "username", required: true });
      const pass = h("input", { id: "login-pass", name: "password", type: "password",
        autocomplete: "current-password", required: true });
      const err = h("p", { class: "form-error", role: "alert" });
      const wrong = s.role !== "anonymous" && !roles.includes(s.role)
        ? h("p", { class: "notice warn" }, t("login.wrong_role", { role: t(ROLE_KEYS[s.role] || "role.other") }))
        : null;
      const form = h("form", { class: "card login-card", "aria-labelledby": "login-title" },
        h("h1", { id: "login-title" }, t("login.title")),
        h("p", { class: "muted" }, t("login.for", { roles: roles.map((r) => t(ROLE_KEYS[r])).join(t("list.sep")) })),
        wrong,
        h("label", { for: "login-user" }, t("login.username")), user,
        h("label", { for: "login-pass" }, t("login.password")), pass,
        err,
        h("button", { class: "btn primary big", type: "submit" }, t("login.submit")));
      form.addEventListener("submit", async (e) => {
        e.preventDefault();
        err.textContent = "";
        try {
          await api("POST", "/api/login", { username: user.value.trim(), password: pass.value });
          s = await session();
          if (roles.includes(s.role)) {
            box.hidden = true;
            main.hidden = false;
            resolve(s);
          } else {
            render();
          }
        } catch (ex) {
          err.textContent = ex instanceof ApiError ? ex.text : t("error.network");
          pass.value = "";
          pass.focus();
        }
      });
      box.replaceChildren(form);
      user.focus();
    };
    render();
    onLangChange(() => { if (!box.hidden) render(); });
  });
}

export async function logout() {
  try {
    await api("POST", "/api/logout", {});
  } finally {
    location.reload();
  }
}

// --- page chrome ----------------------------------------------------------------------------------

/** Wire the language switch of the page header and translate the static texts. */
export function chrome() {
  const sw = document.getElementById("lang-switch");
  if (sw && !sw._wired) {
    sw._wired = true;
    const label = () => {
      sw.textContent = lang() === "en" ? "中文" : "English";
      sw.setAttribute("lang", lang() === "en" ? "zh-CN" : "en");
      sw.setAttribute("aria-label", lang() === "en" ? "切换到中文" : "Switch to English");
    };
    label();
    sw.addEventListener("click", () => setLang(lang() === "en" ? "zh" : "en"));
    onLangChange(label);
  }
  applyI18n(document);
}

/** The connection banner and the status dot follow the live client. */
export function connectionIndicator(client) {
  const banner = document.getElementById("conn-banner");
  const dot = document.getElementById("conn-dot");
  const show = () => {
    const st = client.status;
    if (dot) {
      dot.dataset.state = st;
      dot.title = t(`conn.${st}`);
      dot.setAttribute("aria-label", t(`conn.${st}`));
    }
    if (!banner) return;
    let text = null;
    let cls = "offline";
    if (st === "offline" || (st === "connecting" && client.everOnline)) text = t("conn.banner_offline");
    else if (st === "refused" && client.refusal && client.refusal.error !== "revoked"
      && client.refusal.error !== "unauthenticated") {
      text = errorText(client.refusal);
      cls = "refused";
    }
    banner.hidden = !text;
    banner.className = `banner ${cls}`;
    banner.textContent = text || "";
  };
  client.on("status", show);
  onLangChange(show);
  show();
}

/** A short-lived message in the page's toast area (aria-live). */
export function toast(text, kind = "info", ms = 5000) {
  let area = document.getElementById("toasts");
  if (!area) {
    area = h("div", { id: "toasts", class: "toasts", role: "status", "aria-live": "polite" });
    document.body.append(area);
  }
  const el = h("div", { class: `toast ${kind}` }, text);
  area.append(el);
  setTimeout(() => el.remove(), ms);
}

/** Show an acknowledgement's refusal (or nothing when it succeeded); returns ack.ok. */
export function ackOk(ack) {
  if (ack && ack.ok) return true;
  toast(errorText(ack) || t("error.generic"), "error", 8000);
  return false;
}

// --- labels ---------------------------------------------------------------------------------------

export function kindLabel(kind) {
  return t(`kind.${kind}`);
}

export function optionLabel(option) {
  return option ? pick(option.zh, option.en) : "";
}

export function outcomeLabel(outcome) {
  return t(`outcome.${outcome}`);
}

/** Text of one question's own outcome: 通过 / 未获通过 for votes, the grade for evaluations. */
export function questionOutcome(q, ballot) {
  if (!q) return "";
  if (["passed", "failed", "no_quorum", "chosen", "not_chosen", "tie"].includes(q.outcome)) {
    return t(`qoutcome.${q.outcome}`);
  }
  const grade = findOption(ballot, q.question_id, q.outcome);
  return grade ? optionLabel(grade) : q.outcome;
}

export function findOption(ballot, questionId, code) {
  const q = ballot && (ballot.questions || []).find((x) => x.id === questionId);
  const opts = q ? q.options : gradesOf(ballot);
  return (opts || []).find((o) => o.code === code) || null;
}

function gradesOf(ballot) {
  const qs = (ballot && ballot.questions) || [];
  return qs.length ? qs[0].options : [];
}

/** Option columns of a result: the ballot's options (its first question's), then 未按表决器. */
export function resultColumns(ballot, result) {
  const q0 = (ballot && ballot.questions && ballot.questions[0]) || null;
  if (q0) return q0.options;
  const codes = result && result.questions[0] ? Object.keys(result.questions[0].counts) : [];
  return codes.map((c) => ({ code: c, zh: c, en: c }));
}

export function outcomeClass(outcome) {
  if (["passed", "chosen", "satisfied"].includes(outcome)) return "pass";
  if (["failed", "no_quorum", "not_chosen", "unsatisfied"].includes(outcome)) return "fail";
  if (["evaluated", "selected"].includes(outcome)) return "neutral";
  return "mixed";
}

export function announcement(result) {
  return result ? pick(result.announcement_zh, result.announcement_en) : "";
}

/** The result as a table: one row per question, a column per option, 未按, needed and outcome. */
export function resultTable(ballot, result, { caption = null } = {}) {
  const cols = resultColumns(ballot, result);
  const selection = result.kind === "selection";
  const evaluation = result.kind === "evaluation";
  const rows = [...result.questions];
  if (selection) rows.sort((a, b) => (a.rank || 0) - (b.rank || 0));
  return h("table", { class: "result-table" },
    caption ? h("caption", {}, caption) : null,
    h("thead", {}, h("tr", {},
      selection ? h("th", { scope: "col" }, t("result.rank")) : null,
      h("th", { scope: "col" }, t(`result.subject.${result.kind}`)),
      cols.map((o) => h("th", { scope: "col", class: "num" }, optionLabel(o))),
      h("th", { scope: "col", class: "num" }, t("result.not_voted")),
      evaluation ? null : h("th", { scope: "col", class: "num" }, t("result.needed")),
      h("th", { scope: "col" }, t(evaluation ? "result.grade" : "result.outcome")))),
    h("tbody", {}, rows.map((q) => h("tr", {},
      selection ? h("td", { class: "num" }, q.rank ?? "") : null,
      h("th", { scope: "row" }, q.label),
      cols.map((o) => h("td", { class: "num" }, q.counts[o.code] ?? 0)),
      h("td", { class: "num" }, q.not_voted),
      evaluation ? null : h("td", { class: "num" }, q.needed ?? ""),
      h("td", { class: `verdict ${outcomeClass(q.outcome)}` }, questionOutcome(q, ballot))))));
}

/** Turnout line: 应到 / 实到 / 表决票 / 无效. */
export function turnoutLine(result) {
  const tu = result.turnout || {};
  return t("result.turnout", { entitled: tu.entitled, present: tu.present, cast: tu.cast, invalid: tu.invalid || 0 });
}

/**
 * The result as a chart (the hall display and the chair): bar lengths are shares of every member
 * (应到), and a line marks the votes needed. Resolutions and appointments: a bar per option and 未按;
 * selections: one bar of for-votes per candidate, by rank; evaluations: one stacked bar per object.
 */
export function resultBars(ballot, result, { max = 8 } = {}) {
  const total = Math.max(1, (result.turnout && result.turnout.entitled) || 1);
  const pct = (n) => `${Math.min(100, (100 * n) / total).toFixed(2)}%`;
  const neededLine = (n) => (n == null ? null : h("div", { class: "needed-line", style: `left:${pct(n)}` },
    h("span", {}, t("result.needed_short", { n }))));
  const cols = resultColumns(ballot, result);
  if (result.kind === "evaluation") {
    return h("div", { class: "bars kind-evaluation" },
      h("ul", { class: "legend" }, cols.map((o, i) => h("li", {}, h("span", { class: `swatch fill-${o.code} fill-i${i}` }), optionLabel(o))),
        h("li", {}, h("span", { class: "swatch fill-none" }), t("result.not_voted"))),
      result.questions.slice(0, max).map((q, row) => h("div", { class: "bar-row stacked" },
        h("span", { class: "bar-label" }, q.label),
        h("div", { class: "bar-track" },
          cols.map((o, i) => h("div", { class: `bar-seg fill-${o.code} fill-i${i}`, style: `width:${pct(q.counts[o.code] ?? 0)}`,
            title: `${optionLabel(o)} ${q.counts[o.code] ?? 0}` }, (q.counts[o.code] ?? 0) > 0 ? String(q.counts[o.code]) : "")),
          h("div", { class: "bar-seg fill-none", style: `width:${pct(q.not_voted)}` }, q.not_voted > 0 ? String(q.not_voted) : ""),
          q.needed != null ? h("div", { class: "needed-line", style: `left:${pct(q.needed)}` }, row === 0 ? h("span", {}, t("result.needed_short", { n: q.needed })) : null) : null),
        h("span", { class: `verdict-pill ${outcomeClass(q.outcome)}` }, questionOutcome(q, ballot)))));
  }
  if (result.kind === "selection") {
    const code = (ballot && ballot.spec && ballot.spec.options === "for_against_abstain") ? "for" : "mark";
    const rows = [...result.questions].sort((a, b) => (a.rank || 0) - (b.rank || 0)).slice(0, max);
    return h("div", { class: "bars kind-selection" }, rows.map((q) => h("div", { class: `bar-row ${q.outcome}` },
      h("span", { class: "bar-label" }, h("span", { class: "rank" }, q.rank ?? ""), q.label),
      h("div", { class: "bar-track" }, h("div", { class: `bar-fill fill-for`, style: `width:${pct(q.counts[code] ?? 0)}` }), neededLine(q.needed)),
      h("span", { class: "bar-value" }, t("result.votes", { n: q.counts[code] ?? 0 })),
      h("span", { class: `verdict-pill ${outcomeClass(q.outcome)}` }, questionOutcome(q, ballot)))));
  }
  return h("div", { class: `bars kind-${result.kind}` }, result.questions.slice(0, max).map((q) => h("figure", { class: "bar-group" },
    result.questions.length > 1 || result.kind === "appointment"
      ? h("figcaption", {}, h("span", { class: "bar-title" }, q.label),
        h("span", { class: `verdict-pill ${outcomeClass(q.outcome)}` }, questionOutcome(q, ballot)))
      : null,
    cols.map((o, i) => h("div", { class: "bar-row" },
      h("span", { class: "bar-label" }, optionLabel(o)),
      h("div", { class: "bar-track" }, h("div", { class: `bar-fill fill-${o.code} fill-i${i}`, style: `width:${pct(q.counts[o.code] ?? 0)}` }),
        i === 0 ? neededLine(q.needed) : null),
      h("span", { class: "bar-value" }, t("result.votes", { n: q.counts[o.code] ?? 0 })))),
    h("div", { class: "bar-row" },
      h("span", { class: "bar-label" }, t("result.not_voted")),
      h("div", { class: "bar-track" }, h("div", { class: "bar-fill fill-none", style: `width:${pct(q.not_voted)}` })),
      h("span", { class: "bar-value" }, t("result.persons", { n: q.not_voted }))))));
}

/** The headline of a closed ballot: 通过 / 未获通过 (or the kind's own), large. */
export function outcomeHeadline(result, { tag = "p", extraClass = "" } = {}) {
  let text = outcomeLabel(result.outcome);
  if (result.kind === "appointment" && result.questions.length === 1 && result.outcome !== "no_quorum") {
    text = outcomeLabel(result.questions[0].outcome);
  }
  return h(tag, { class: `outcome ${outcomeClass(result.outcome)} ${extraClass}` }, text);
}

/** Refresh every countdown on the page (elements .countdown[data-deadline]) from the server clock. */
export function tickCountdowns(client) {
  for (const el of document.querySelectorAll(".countdown[data-deadline]")) {
    const left = client.secondsLeft(el.dataset.deadline);
    el.textContent = fmtClock(left);
    el.classList.toggle("urgent", left != null && left <= 30);
  }
}

export function fmtClock(seconds) {
  if (seconds == null) return "";
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  return `${String(m).padStart(2, "0")}:${String(s).padStart(2, "0")}`;
}

export function fmtTime(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  return d.toLocaleTimeString(lang() === "en" ? "en-GB" : "zh-CN", { hour: "2-digit", minute: "2-digit" });
}

export function fmtDate(isoDate) {
  if (!isoDate) return "";
  const [y, m, d] = isoDate.split("-").map(Number);
  return lang() === "en" ? `${y}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}` : `${y}年${m}月${d}日`;
}

/** Attendance figures as a row of big numbers (应到 实到 请假 缺席) and the quorum line. */
export function attendanceFigures(att, { compact = false } = {}) {
  if (!att) return h("p", { class: "muted" }, t("common.loading"));
  const fig = (key, n, cls = "") => h("div", { class: `figure ${cls}` },
    h("span", { class: "figure-n" }, n ?? 0), h("span", { class: "figure-l" }, t(key)));
  const figures = h("div", { class: `figures${compact ? " compact" : ""}` },
    fig("att.entitled", att.entitled),
    fig("att.attending", att.attending, "em"),
    fig("att.leave", att.leave),
    fig("att.absent", att.absent));
  const quorum = h("p", { class: `quorum ${att.quorum_held ? "ok" : "lost"}`, role: att.quorum_held ? null : "alert" },
    h("span", { class: "quorum-icon", "aria-hidden": "true" }, att.quorum_held ? "✓" : "!"),
    att.quorum_held ? t("att.quorum_ok", { n: att.quorum_needed }) : t("att.quorum_lost", { n: att.quorum_needed }));
  const video = att.video ? h("p", { class: "muted small" }, t("att.video_note", { n: att.video })) : null;
  return [figures, video, quorum];
}

/** A select of the body's sittings; choosing one reconnects the console to it (and keeps it in the URL). */
export function sittingPicker(client, currentId) {
  const sel = h("select", { id: "sitting-select", "data-fk": "sitting-select" });
  const wrap = h("div", { class: "sitting-picker" }, h("label", { for: "sitting-select" }, t("common.choose_sitting")), sel);
  sel.disabled = true;
  (async () => {
    try {
      const { bodies } = await api("GET", "/api/bodies");
      const groups = await Promise.all(bodies.map(async (b) => ({ body: b, sittings: (await api("GET", `/api/bodies/${b.id}/sittings`)).sittings })));
      for (const g of groups) {
        const og = h("optgroup", { label: g.body.name });
        for (const s of g.sittings) og.append(h("option", { value: String(s.id) }, `${s.title}（${fmtDate(s.date)}）`));
        sel.append(og);
      }
      sel.value = String(currentId);
      sel.disabled = groups.every((g) => g.sittings.length <= 1) && groups.length <= 1;
    } catch (_) {
      wrap.hidden = true;
    }
  })();
  sel.addEventListener("change", () => {
    const id = parseInt(sel.value, 10);
    const url = new URL(location.href);
    url.searchParams.set("sitting", String(id));
    history.replaceState(null, "", url);
    client.reconnect({ sittingId: id });
  });
  return wrap;
}

export { t, lang, pick, errorText, onLangChange, applyI18n };
