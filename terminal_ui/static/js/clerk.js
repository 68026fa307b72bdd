// The clerk's console: body and roster (with the import preview), sittings, agenda, documents and
// ballots; tablet pairing with printable QR codes; attendance with leave reasons; show-of-hands entry
// with a second confirmation; results of every round, printable; the audit log.
import { LiveClient } from "./client.js";
import {
  h, region, invalidate, api, ApiError, staffGate, logout, chrome, connectionIndicator, toast, ackOk,
  kindLabel, optionLabel, outcomeHeadline, resultTable, announcement, turnoutLine, attendanceFigures, outcomeClass,
  fmtDate, fmtTime, t, lang, pick, errorText, onLangChange,
} from "./ui.js";

const BODY_KEY = "biaojue.clerk.body";
const SITTING_KEY = "biaojue.clerk.sitting";
const SECTIONS = ["live", "roster", "agenda", "pairing", "results", "audit"];

const els = {
  login: document.getElementById("login"),
  app: document.getElementById("clerk-app"),
  title: document.getElementById("top-title"),
  who: document.getElementById("who"),
  logout: document.getElementById("logout"),
  context: document.getElementById("clerk-context"),
  print: document.getElementById("print-area"),
};
const sec = Object.fromEntries(SECTIONS.map((s) => [s, document.getElementById(`sec-${s}`)]));

const ctx = {
  bodies: [],
  bodyId: parseInt(localStorage.getItem(BODY_KEY), 10) || null,
  sittings: [],
  sittingId: null,
  people: [],
  agenda: null,
  devices: [],
  pairings: {}, // person_id -> pairing answer (code, qr, link, expires_in)
  preview: null, // roster import preview
  previewFile: null,
  ballotForm: null, // {itemId, kind, rows: [...], ...}
  hands: null, // {ballotId, roundId, counts, ballots, invalid, note, stage}
  attEdits: {},
  results: {}, // ballot_id -> results answer
  audit: null,
  auditCheck: null,
};

let client = null;

function errText(ex) {
  return ex instanceof ApiError ? ex.text : t("error.network");
}

async function guarded(fn, okText) {
  try {
    const out = await fn();
    if (okText) toast(okText, "ok");
    return out;
  } catch (ex) {
    toast(errText(ex), "error", 9000);
    return undefined;
  }
}

// --- navigation -----------------------------------------------------------------------------------------

function currentSection() {
  const name = location.hash.replace("#", "");
  return SECTIONS.includes(name) ? name : "live";
}

function showSection() {
  const name = currentSection();
  for (const s of SECTIONS) sec[s].hidden = s !== name;
  for (const a of document.querySelectorAll(".side-nav a")) {
    if (a.getAttribute("href") === `#${name}`) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  renderAll();
  if (name === "audit") loadAudit();
  if (name === "results") loadAllResults();
  if (name === "pairing") loadDevices();
}

// --- loading ---------------------------------------------------------------------------------------------

async function loadBodies() {
  ctx.bodies = (await api("GET", "/api/bodies")).bodies;
  if (!ctx.bodies.find((b) => b.id === ctx.bodyId)) ctx.bodyId = ctx.bodies.length ? ctx.bodies[0].id : null;
  if (ctx.bodyId) localStorage.setItem(BODY_KEY, String(ctx.bodyId));
}

async function loadPeople() {
  ctx.people = ctx.bodyId ? (await api("GET", `/api/bodies/${ctx.bodyId}/people`)).people : [];
}

async function loadSittings() {
  ctx.sittings = ctx.bodyId ? (await api("GET", `/api/bodies/${ctx.bodyId}/sittings`)).sittings : [];
  const wanted = parseInt(new URLSearchParams(location.search).get("sitting"), 10)
    || parseInt(localStorage.getItem(SITTING_KEY), 10) || ctx.sittingId;
  const pick = ctx.sittings.find((s) => s.id === wanted)
    || ctx.sittings.find((s) => s.status === "open") || ctx.sittings.find((s) => s.status === "planned") || ctx.sittings[0];
  ctx.sittingId = pick ? pick.id : null;
}

async function loadAgenda() {
  ctx.agenda = ctx.sittingId ? await api("GET", `/api/sittings/${ctx.sittingId}/agenda`) : null;
}

async function loadDevices() {
  if (!ctx.bodyId) return;
  await guarded(async () => {
    ctx.devices = (await api("GET", `/api/bodies/${ctx.bodyId}/devices`)).devices;
  });
  renderPairing();
}

async function loadAudit() {
  if (!ctx.sittingId) return;
  await guarded(async () => {
    ctx.audit = await api("GET", `/api/audit?sitting_id=${ctx.sittingId}&limit=100`);
  });
  renderAudit();
}

async function loadAllResults() {
  if (!ctx.agenda) return;
  const ids = ctx.agenda.items.flatMap((i) => i.ballots).filter((b) => b.rounds.some((r) => r.status === "closed")).map((b) => b.id);
  await guarded(async () => {
    const answers = await Promise.all(ids.map((id) => api("GET", `/api/ballots/${id}/results`)));
    for (const a of answers) ctx.results[a.ballot.id] = a;
  });
  renderResults();
}

async function refreshAll() {
  await guarded(async () => {
    await loadBodies();
    await Promise.all([loadPeople(), loadSittings()]);
    await loadAgenda();
  });
  connectLive();
  renderAll();
}

function chooseSitting(id) {
  ctx.sittingId = id;
  localStorage.setItem(SITTING_KEY, String(id));
  const url = new URL(location.href);
  url.searchParams.set("sitting", String(id));
  history.replaceState(null, "", url);
  ctx.results = {};
  ctx.audit = null;
  guarded(loadAgenda).then(() => renderAll());
  connectLive();
}

let agendaReload = null;

function connectLive() {
  if (!ctx.sittingId) return;
  if (client) {
    if (client.sittingId !== ctx.sittingId) client.reconnect({ sittingId: ctx.sittingId });
    return;
  }
  client = new LiveClient({ sittingId: ctx.sittingId });
  connectionIndicator(client);
  client.on("refused", (why) => {
    if (why.error === "unauthenticated") location.reload(); // the staff session ended: log in again
  });
  client.on("state", (state, changed, type) => {
    if (changed.has("agenda") && type !== "snapshot") {
      clearTimeout(agendaReload);
      agendaReload = setTimeout(async () => {
        await guarded(loadAgenda);
        if (type === "ballot_closed" && currentSection() === "results") await loadAllResults();
        renderAll();
      }, 150);
    }
    renderLive();
    renderContext();
  });
  client.connect();
}

// --- rendering ----------------------------------------------------------------------------------------------

function renderAll() {
  renderContext();
  renderLive();
  renderRoster();
  renderAgenda();
  renderPairing();
  renderResults();
  renderAudit();
}

function body() {
  return ctx.bodies.find((b) => b.id === ctx.bodyId) || null;
}

function sitting() {
  return ctx.sittings.find((s) => s.id === ctx.sittingId) || null;
}

function renderContext() {
  const s = client && client.state ? client.state.sitting : sitting();
  els.title.textContent = s ? s.title : "";
  document.title = `${t("clerk.page_title")}${s ? ` · ${s.title}` : ""}`;
  region(els.context, [ctx.bodies.map((b) => [b.id, b.name]), ctx.bodyId, ctx.sittings.map((x) => [x.id, x.title, x.status]), ctx.sittingId, lang()], () => {
    const bodySel = h("select", { id: "ctx-body", "data-fk": "ctx-body", onchange: async (e) => {
      ctx.bodyId = parseInt(e.target.value, 10);
      localStorage.setItem(BODY_KEY, String(ctx.bodyId));
      localStorage.removeItem(SITTING_KEY);
      await guarded(async () => { await Promise.all([loadPeople(), loadSittings()]); await loadAgenda(); });
      if (ctx.sittingId) chooseSitting(ctx.sittingId);
      renderAll();
    } }, ctx.bodies.map((b) => h("option", { value: String(b.id), selected: b.id === ctx.bodyId }, b.name)));
    const sitSel = h("select", { id: "ctx-sitting", "data-fk": "ctx-sitting", disabled: !ctx.sittings.length,
      onchange: (e) => chooseSitting(parseInt(e.target.value, 10)) },
    ctx.sittings.map((x) => h("option", { value: String(x.id), selected: x.id === ctx.sittingId }, `${x.title}（${t(`sitting.${x.status}`)}）`)));
    return [
      h("div", {}, h("label", { for: "ctx-body" }, t("clerk.body")), ctx.bodies.length ? bodySel : h("span", { class: "muted" }, t("clerk.no_body"))),
      h("div", {}, h("label", { for: "ctx-sitting" }, t("clerk.sitting")), ctx.sittings.length ? sitSel : h("span", { class: "muted" }, t("clerk.no_sitting"))),
    ];
  });
}

// --- live: sitting, attendance, show of hands ------------------------------------------------------------

function renderLive() {
  const state = client && client.state;
  const el = sec.live.querySelector(".sec-body");
  const deps = [state && state.sitting, state && state.attendance, state && state.ballot && { ...state.ballot, voted: undefined, non_voters: undefined },
    ctx.attEdits, ctx.hands, lang()];
  region(el, deps, () => {
    if (!ctx.sittingId) return h("p", { class: "notice" }, t("clerk.create_sitting_first"));
    if (!state) return h("p", { class: "muted" }, t("common.loading"));
    const s = state.sitting;
    const openBtn = s.status === "planned"
      ? h("button", { class: "btn primary", "data-fk": "open-sitting", onclick: async () => {
        if (ackOk(await client.call("open_sitting", {}))) toast(t("chair.sitting_opened"), "ok");
      } }, t("chair.open_sitting"))
      : null;
    return [
      h("div", { class: "card" },
        h("div", { class: "panel-head" },
          h("div", {}, h("h2", {}, s.title), h("p", { class: "muted" }, [fmtDate(s.date), s.place, s.chair_name && `${t("clerk.chair_name")}：${s.chair_name}`].filter(Boolean).join(" · "))),
          h("div", { class: "sitting-status" }, h("span", { class: `status-tag st-sitting-${s.status}` }, t(`sitting.${s.status}`)), openBtn)),
        attendanceFigures(state.attendance, { compact: true })),
      buildHands(state),
      buildAttendanceTable(state),
    ];
  });
}

const STATUSES = ["present", "video", "leave", "absent"];

function buildAttendanceTable(state) {
  const people = (state.attendance && state.attendance.people) || [];
  const closed = state.sitting.status === "closed";
  return h("section", { class: "card", "aria-labelledby": "att-title" },
    h("h2", { id: "att-title" }, t("clerk.attendance")),
    h("p", { class: "muted small" }, t("clerk.attendance_help")),
    h("table", { class: "data-table att-table" },
      h("thead", {}, h("tr", {}, ["clerk.seat", "clerk.name", "clerk.role", "clerk.status", "clerk.reason", ""].map((k) => h("th", { scope: "col" }, k ? t(k) : "")))),
      h("tbody", {}, people.map((p) => {
        const edit = ctx.attEdits[p.person_id] || {};
        const status = edit.status ?? p.status;
        const reason = edit.reason ?? p.reason ?? "";
        const dirty = edit.status !== undefined || edit.reason !== undefined;
        const sel = h("select", { id: `att-status-${p.person_id}`, "data-fk": `att-status-${p.person_id}`, disabled: closed,
          "aria-label": `${p.name} ${t("clerk.status")}`,
          onchange: (e) => { ctx.attEdits[p.person_id] = { ...edit, status: e.target.value }; renderLive(); } },
        STATUSES.map((st) => h("option", { value: st, selected: st === status }, t(`status.${st}`))));
        const input = h("input", { id: `att-reason-${p.person_id}`, "data-fk": `att-reason-${p.person_id}`, value: reason, disabled: closed,
          "aria-label": `${p.name} ${t("clerk.reason")}`, placeholder: status === "leave" ? t("clerk.reason_placeholder") : "",
          oninput: (e) => { ctx.attEdits[p.person_id] = { ...(ctx.attEdits[p.person_id] || {}), reason: e.target.value }; } });
        return h("tr", { class: `st-${status}${dirty ? " dirty" : ""}` },
          h("td", {}, p.seat || ""), h("th", { scope: "row" }, p.name, p.title ? h("span", { class: "muted small" }, ` ${p.title}`) : null),
          h("td", {}, p.role === "observer" ? t("seat.observer_tag") : t("clerk.member")),
          h("td", {}, sel), h("td", {}, input),
          h("td", {}, h("button", { class: "btn small", "data-fk": `att-save-${p.person_id}`, disabled: closed,
            onclick: () => saveAttendance(p) }, t("common.save"))));
      }))));
}

async function saveAttendance(p) {
  const edit = ctx.attEdits[p.person_id] || {};
  const status = edit.status ?? p.status;
  const reason = edit.reason ?? p.reason ?? "";
  const ack = await client.call("set_attendance", { person_id: p.person_id, status, reason });
  if (ackOk(ack)) {
    delete ctx.attEdits[p.person_id];
    toast(t("clerk.attendance_saved", { name: p.name }), "ok", 2500);
    renderLive();
  }
}

function buildHands(state) {
  const b = state.ballot;
  if (!b || b.status !== "open") {
    return h("section", { class: "card", "aria-labelledby": "hands-title" }, h("h2", { id: "hands-title" }, t("clerk.hands")),
      h("p", { class: "muted" }, t("clerk.hands_none")));
  }
  if (!ctx.hands || ctx.hands.roundId !== b.round_id) {
    ctx.hands = { ballotId: b.id, roundId: b.round_id, counts: {}, ballots: "", invalid: "0", note: "", stage: "enter", touched: false };
  }
  const hs = ctx.hands;
  const qs = b.questions || [];
  if (hs.stage === "saved") {
    return h("section", { class: "card hands", "aria-labelledby": "hands-title" },
      h("h2", { id: "hands-title" }, t("clerk.hands"), h("span", { class: "muted small" }, ` · ${b.title}`)),
      h("p", { class: "notice ok", role: "status" }, t("clerk.hands_saved")));
  }
  const num = (id, value, label, onInput) => h("input", { id, "data-fk": id, type: "number", min: "0", step: "1", value: String(value ?? ""),
    inputmode: "numeric", "aria-label": label, disabled: hs.stage === "confirm", oninput: onInput });
  const autoBallots = () => {
    if (hs.touched) return;
    const sums = qs.map((q) => q.options.reduce((a, o) => a + (parseInt((hs.counts[q.id] || {})[o.code], 10) || 0), 0));
    hs.ballots = String(Math.max(0, ...sums));
    const el = document.getElementById("hands-ballots");
    if (el) el.value = hs.ballots;
  };
  const grid = h("table", { class: "data-table hands-table" },
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t(`result.subject.${b.kind}`)), (qs[0] ? qs[0].options : []).map((o) => h("th", { scope: "col" }, optionLabel(o))))),
    h("tbody", {}, qs.map((q) => h("tr", {}, h("th", { scope: "row" }, q.label), q.options.map((o) => h("td", {},
      num(`hands-${q.id}-${o.code}`, (hs.counts[q.id] || {})[o.code], `${q.label} ${optionLabel(o)}`, (e) => {
        hs.counts[q.id] = { ...(hs.counts[q.id] || {}), [o.code]: e.target.value };
        autoBallots();
      })))))));
  const err = h("p", { class: "form-error", role: "alert", id: "hands-error" });
  const enter = hs.stage !== "confirm";
  const summary = enter ? null : h("div", { class: "inline-confirm", role: "alertdialog", "aria-labelledby": "hands-confirm-title" },
    h("p", { id: "hands-confirm-title" }, h("strong", {}, t("clerk.hands_confirm_title"))),
    h("ul", {}, qs.map((q) => h("li", {}, `${q.label}：`, q.options.map((o) => `${optionLabel(o)} ${parseInt((hs.counts[q.id] || {})[o.code], 10) || 0}`).join("，"))),
      h("li", {}, t("clerk.hands_ballots"), "：", hs.ballots, "；", t("clerk.hands_invalid"), "：", hs.invalid || "0")),
    h("p", { class: "muted small" }, t("clerk.hands_confirm_help")),
    h("div", { class: "confirm-actions" },
      h("button", { class: "btn primary", id: "hands-confirm", "data-fk": "hands-confirm", onclick: () => submitHands(b) }, t("clerk.hands_confirm")),
      h("button", { class: "btn ghost", "data-fk": "hands-back", onclick: () => { hs.stage = "enter"; renderLive(); } }, t("seat.back"))));
  return h("section", { class: "card hands", "aria-labelledby": "hands-title" },
    h("h2", { id: "hands-title" }, t("clerk.hands"), h("span", { class: "muted small" }, ` · ${b.title}`)),
    h("p", { class: "muted small" }, b.method === "hands" ? t("clerk.hands_help_full") : t("clerk.hands_help_mixed", { voted: b.voted ?? 0 })),
    grid,
    h("div", { class: "form-row" },
      h("div", {}, h("label", { for: "hands-ballots" }, t("clerk.hands_ballots")),
        num("hands-ballots", hs.ballots, t("clerk.hands_ballots"), (e) => { hs.ballots = e.target.value; hs.touched = true; })),
      h("div", {}, h("label", { for: "hands-invalid" }, t("clerk.hands_invalid")),
        num("hands-invalid", hs.invalid, t("clerk.hands_invalid"), (e) => { hs.invalid = e.target.value; })),
      h("div", { class: "grow" }, h("label", { for: "hands-note" }, t("clerk.hands_note")),
        h("input", { id: "hands-note", "data-fk": "hands-note", value: hs.note, disabled: !enter, placeholder: t("clerk.hands_note_placeholder"),
          oninput: (e) => { hs.note = e.target.value; } }))),
    err,
    enter ? h("button", { class: "btn primary", id: "hands-check", "data-fk": "hands-check", onclick: () => {
      const bad = [hs.ballots, hs.invalid || "0"].some((v) => !/^\d+$/.test(String(v).trim()));
      if (bad) { err.textContent = t("clerk.hands_bad_number"); return; }
      hs.stage = "confirm";
      renderLive();
      const c = document.getElementById("hands-confirm");
      if (c) c.focus();
    } }, t("clerk.hands_check")) : summary);
}

async function submitHands(b) {
  const hs = ctx.hands;
  const counts = {};
  for (const q of b.questions || []) {
    counts[q.id] = {};
    for (const o of q.options) counts[q.id][o.code] = parseInt((hs.counts[q.id] || {})[o.code], 10) || 0;
  }
  const payload = { ballot_id: b.id, counts, ballots: parseInt(hs.ballots, 10) || 0, invalid: parseInt(hs.invalid, 10) || 0, confirm: true };
  if (hs.note.trim()) payload.note = hs.note.trim();
  const ack = await client.call("hands", payload);
  if (ackOk(ack)) {
    hs.stage = "saved";
    toast(t("clerk.hands_saved"), "ok");
  } else {
    hs.stage = "enter";
  }
  renderLive();
}

// --- roster ----------------------------------------------------------------------------------------------

function renderRoster() {
  const el = sec.roster.querySelector(".sec-body");
  region(el, [ctx.bodies, ctx.bodyId, ctx.people, ctx.preview, lang()], () => [buildBodies(), buildPeople(), buildImport()]);
}

const PRESETS = ["standing_committee", "congress_plenary", "generic_committee"];

function buildBodies() {
  const name = h("input", { id: "body-name", required: true, placeholder: t("clerk.body_name_placeholder") });
  const preset = h("select", { id: "body-preset" }, PRESETS.map((p) => h("option", { value: p }, t(`preset.${p}`))));
  const form = h("form", { class: "form-row", onsubmit: async (e) => {
    e.preventDefault();
    const out = await guarded(() => api("POST", "/api/bodies", { name: name.value.trim(), preset: preset.value }), t("clerk.body_created"));
    if (out) { ctx.bodyId = out.id; localStorage.setItem(BODY_KEY, String(out.id)); await refreshAll(); }
  } },
  h("div", { class: "grow" }, h("label", { for: "body-name" }, t("clerk.body_name")), name),
  h("div", {}, h("label", { for: "body-preset" }, t("clerk.preset")), preset),
  h("button", { class: "btn primary", type: "submit" }, t("clerk.create_body")));
  return h("section", { class: "card", "aria-labelledby": "bodies-title" },
    h("h2", { id: "bodies-title" }, t("clerk.bodies")),
    ctx.bodies.length ? h("table", { class: "data-table" },
      h("thead", {}, h("tr", {}, ["clerk.body_name", "clerk.preset", "clerk.members", "clerk.observers"].map((k) => h("th", { scope: "col" }, t(k))))),
      h("tbody", {}, ctx.bodies.map((b) => h("tr", { class: b.id === ctx.bodyId ? "selected" : "" },
        h("th", { scope: "row" }, b.name), h("td", {}, t(`preset.${b.preset}`)), h("td", { class: "num" }, b.members), h("td", { class: "num" }, b.observers)))))
      : h("p", { class: "muted" }, t("clerk.no_body")),
    h("details", { class: "form-details" }, h("summary", {}, t("clerk.create_body")), form));
}

function buildPeople() {
  if (!ctx.bodyId) return null;
  const f = {
    name: h("input", { id: "p-name", required: true }),
    role: h("select", { id: "p-role" }, h("option", { value: "member" }, t("clerk.member")), h("option", { value: "observer" }, t("seat.observer_tag"))),
    seat: h("input", { id: "p-seat", size: "4" }),
    title: h("input", { id: "p-title" }),
    joined_on: h("input", { id: "p-joined", type: "date" }),
  };
  const form = h("form", { class: "form-row", onsubmit: async (e) => {
    e.preventDefault();
    const data = { name: f.name.value.trim(), role: f.role.value };
    if (f.seat.value.trim()) data.seat = f.seat.value.trim();
    if (f.title.value.trim()) data.title = f.title.value.trim();
    if (f.joined_on.value) data.joined_on = f.joined_on.value;
    if (await guarded(() => api("POST", `/api/bodies/${ctx.bodyId}/people`, data), t("clerk.person_added"))) {
      await guarded(loadPeople);
      renderRoster();
    }
  } },
  h("div", { class: "grow" }, h("label", { for: "p-name" }, t("clerk.name")), f.name),
  h("div", {}, h("label", { for: "p-role" }, t("clerk.role")), f.role),
  h("div", {}, h("label", { for: "p-seat" }, t("clerk.seat")), f.seat),
  h("div", {}, h("label", { for: "p-title" }, t("clerk.title")), f.title),
  h("div", {}, h("label", { for: "p-joined" }, t("clerk.joined_on")), f.joined_on),
  h("button", { class: "btn primary", type: "submit" }, t("clerk.add_person")));
  return h("section", { class: "card", "aria-labelledby": "people-title" },
    h("h2", { id: "people-title" }, t("clerk.roster"), h("span", { class: "muted small" }, ` · ${t("clerk.count_people", { n: ctx.people.length })}`)),
    h("table", { class: "data-table" },
      h("thead", {}, h("tr", {}, ["clerk.seat", "clerk.name", "clerk.role", "clerk.title", "clerk.joined_on", "clerk.left_on", "clerk.pin"].map((k) => h("th", { scope: "col" }, t(k))))),
      h("tbody", {}, ctx.people.map((p) => h("tr", { class: p.current ? "" : "dim" },
        h("td", {}, p.seat || ""), h("th", { scope: "row" }, p.name), h("td", {}, p.role === "observer" ? t("seat.observer_tag") : t("clerk.member")),
        h("td", {}, p.title), h("td", {}, p.joined_on), h("td", {}, p.left_on || ""),
        h("td", {}, pinCell(p)))))),
    h("details", { class: "form-details" }, h("summary", {}, t("clerk.add_person")), form));
}

function pinCell(p) {
  const input = h("input", { class: "pin-input", type: "password", inputmode: "numeric", pattern: "[0-9]{4,8}", size: "6",
    "aria-label": `${p.name} ${t("clerk.pin")}`, placeholder: p.has_pin ? "••••" : t("clerk.pin_none") });
  return h("form", { class: "inline-form", onsubmit: async (e) => {
    e.preventDefault();
    if (await guarded(() => api("PUT", `/api/people/${p.id}/pin`, { pin: input.value.trim() }), t("clerk.pin_saved"))) {
      input.value = "";
      await guarded(loadPeople);
      renderRoster();
    }
  } }, input, h("button", { class: "btn small", type: "submit" }, t("clerk.set_pin")));
}

function buildImport() {
  if (!ctx.bodyId) return null;
  const file = h("input", { id: "roster-file", type: "file", accept: ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" });
  const p = ctx.preview;
  const check = h("form", { class: "form-row", onsubmit: async (e) => {
    e.preventDefault();
    if (!file.files.length) return;
    ctx.previewFile = file.files[0];
    const form = new FormData();
    form.append("file", ctx.previewFile);
    const out = await guarded(() => api("POST", `/api/bodies/${ctx.bodyId}/roster/preview`, undefined, { form }));
    if (out) { ctx.preview = out; renderRoster(); }
  } },
  h("div", { class: "grow" }, h("label", { for: "roster-file" }, t("clerk.roster_file")), file),
  h("button", { class: "btn secondary", type: "submit", id: "roster-check" }, t("clerk.roster_check")));
  let preview = null;
  if (p) {
    const problems = p.problems || [];
    preview = h("div", { class: "preview" },
      h("p", { class: `notice ${problems.length ? "warn" : "ok"}`, role: "status" },
        t("clerk.preview_summary", { file: ctx.previewFile ? ctx.previewFile.name : "", n: p.count, m: problems.length })),
      problems.length ? h("table", { class: "data-table problems", id: "roster-problems" },
        h("caption", {}, t("clerk.problems")),
        h("thead", {}, h("tr", {}, ["clerk.row", "clerk.field", "clerk.problem"].map((k) => h("th", { scope: "col" }, t(k))))),
        h("tbody", {}, problems.map((x) => h("tr", {}, h("td", { class: "num" }, x.row || t("clerk.whole_file")),
          h("td", {}, x.field ? t(`field.${x.field}`) : ""), h("td", {}, pick(x.zh, x.en)))))) : null,
      p.rows && p.rows.length ? h("details", { open: !problems.length }, h("summary", {}, t("clerk.valid_rows", { n: p.rows.length })),
        h("table", { class: "data-table" },
          h("thead", {}, h("tr", {}, ["clerk.row", "clerk.name", "clerk.role", "clerk.seat", "clerk.title", "clerk.joined_on"].map((k) => h("th", { scope: "col" }, t(k))))),
          h("tbody", {}, p.rows.map((r) => h("tr", {}, h("td", { class: "num" }, r.row), h("td", {}, r.name),
            h("td", {}, r.role === "observer" ? t("seat.observer_tag") : t("clerk.member")), h("td", {}, r.seat || ""), h("td", {}, r.title || ""), h("td", {}, r.joined_on || "")))))) : null,
      h("div", { class: "form-row" },
        h("button", { class: "btn primary", id: "roster-import", disabled: !p.ok || !p.count, onclick: async () => {
          const form = new FormData();
          form.append("file", ctx.previewFile);
          const out = await guarded(() => api("POST", `/api/bodies/${ctx.bodyId}/roster/import`, undefined, { form }));
          if (out) {
            toast(t("clerk.imported", { n: out.imported }), "ok");
            ctx.preview = null;
            await guarded(loadPeople);
            renderRoster();
          }
        } }, t("clerk.roster_import", { n: p.count })),
        h("button", { class: "btn ghost", onclick: () => { ctx.preview = null; renderRoster(); } }, t("common.cancel"))));
  }
  return h("section", { class: "card", "aria-labelledby": "import-title" },
    h("h2", { id: "import-title" }, t("clerk.import")),
    h("p", { class: "muted small" }, t("clerk.import_help")),
    check, preview);
}

// --- sittings, agenda, documents, ballots ------------------------------------------------------------------

function renderAgenda() {
  const el = sec.agenda.querySelector(".sec-body");
  region(el, [ctx.bodyId, ctx.sittings, ctx.sittingId, ctx.agenda, ctx.ballotForm && ctx.ballotForm.itemId, ctx.ballotForm && ctx.ballotForm.kind,
    ctx.ballotForm && ctx.ballotForm.rows.length, lang()], () => [buildSittings(), buildItems()]);
}

function buildSittings() {
  if (!ctx.bodyId) return h("p", { class: "notice" }, t("clerk.create_body_first"));
  const today = new Date().toISOString().slice(0, 10);
  const f = {
    title: h("input", { id: "s-title", required: true, placeholder: t("clerk.sitting_title_placeholder") }),
    date: h("input", { id: "s-date", type: "date", required: true, value: today }),
    place: h("input", { id: "s-place" }),
    chair: h("input", { id: "s-chair" }),
    clerk: h("input", { id: "s-clerk" }),
  };
  const form = h("form", { class: "form-grid", onsubmit: async (e) => {
    e.preventDefault();
    const out = await guarded(() => api("POST", `/api/bodies/${ctx.bodyId}/sittings`, {
      title: f.title.value.trim(), date: f.date.value, place: f.place.value.trim(), chair_name: f.chair.value.trim(), clerk_name: f.clerk.value.trim(),
    }), t("clerk.sitting_created"));
    if (out) { await guarded(loadSittings); chooseSitting(out.id); }
  } },
  h("div", { class: "span2" }, h("label", { for: "s-title" }, t("clerk.sitting_title")), f.title),
  h("div", {}, h("label", { for: "s-date" }, t("clerk.date")), f.date),
  h("div", {}, h("label", { for: "s-place" }, t("clerk.place")), f.place),
  h("div", {}, h("label", { for: "s-chair" }, t("clerk.chair_name")), f.chair),
  h("div", {}, h("label", { for: "s-clerk" }, t("clerk.clerk_name")), f.clerk),
  h("div", {}, h("button", { class: "btn primary", type: "submit" }, t("clerk.create_sitting"))));
  return h("section", { class: "card", "aria-labelledby": "sittings-title" },
    h("h2", { id: "sittings-title" }, t("clerk.sittings")),
    ctx.sittings.length ? h("table", { class: "data-table" },
      h("thead", {}, h("tr", {}, ["clerk.sitting_title", "clerk.date", "clerk.status", "clerk.items", ""].map((k) => h("th", { scope: "col" }, k ? t(k) : "")))),
      h("tbody", {}, ctx.sittings.map((s) => h("tr", { class: s.id === ctx.sittingId ? "selected" : "" },
        h("th", { scope: "row" }, s.title), h("td", {}, fmtDate(s.date)), h("td", {}, t(`sitting.${s.status}`)), h("td", { class: "num" }, s.items),
        h("td", {}, s.id === ctx.sittingId ? h("span", { class: "chip" }, t("clerk.working_on")) : h("button", { class: "btn small", onclick: () => chooseSitting(s.id) }, t("clerk.choose")))))))
      : h("p", { class: "muted" }, t("clerk.no_sitting")),
    h("details", { class: "form-details", open: !ctx.sittings.length }, h("summary", {}, t("clerk.create_sitting")), form));
}

const ITEM_KINDS = ["resolution", "appointment", "evaluation", "selection", "report", "other"];

function buildItems() {
  if (!ctx.agenda) return null;
  const items = ctx.agenda.items;
  const title = h("input", { id: "i-title", required: true });
  const kind = h("select", { id: "i-kind" }, ITEM_KINDS.map((k) => h("option", { value: k }, t(`kind.${k}`))));
  const amends = h("select", { id: "i-amends" }, h("option", { value: "" }, t("clerk.amends_none")),
    items.map((i) => h("option", { value: String(i.id) }, `${i.position}. ${i.title}`)));
  const form = h("form", { class: "form-row", onsubmit: async (e) => {
    e.preventDefault();
    const data = { title: title.value.trim(), kind: kind.value };
    if (amends.value) data.amends_item_id = parseInt(amends.value, 10);
    if (await guarded(() => api("POST", `/api/sittings/${ctx.sittingId}/items`, data), t("clerk.item_added"))) {
      await guarded(loadAgenda);
      renderAgenda();
    }
  } },
  h("div", { class: "grow" }, h("label", { for: "i-title" }, t("clerk.item_title")), title),
  h("div", {}, h("label", { for: "i-kind" }, t("clerk.item_kind")), kind),
  h("div", {}, h("label", { for: "i-amends" }, t("clerk.amends")), amends),
  h("button", { class: "btn primary", type: "submit", id: "add-item" }, t("clerk.add_item")));
  return h("section", { class: "card", "aria-labelledby": "items-title" },
    h("h2", { id: "items-title" }, t("clerk.agenda"), h("span", { class: "muted small" }, ` · ${ctx.agenda.sitting.title}`)),
    items.length ? h("ol", { class: "clerk-items" }, items.map(buildItem)) : h("p", { class: "muted" }, t("chair.no_items")),
    h("details", { class: "form-details", open: !items.length }, h("summary", {}, t("clerk.add_item")), form));
}

function buildItem(item) {
  const upload = h("input", { type: "file", accept: "application/pdf,.pdf", id: `doc-file-${item.id}`, "aria-label": t("clerk.upload_pdf") });
  const uploadForm = h("form", { class: "inline-form", onsubmit: async (e) => {
    e.preventDefault();
    if (!upload.files.length) return;
    const form = new FormData();
    form.append("file", upload.files[0]);
    if (await guarded(() => api("POST", `/api/items/${item.id}/documents`, undefined, { form }), t("clerk.uploaded"))) {
      await guarded(loadAgenda);
      renderAgenda();
    }
  } }, h("label", { for: `doc-file-${item.id}`, class: "muted small" }, t("clerk.upload_pdf")), upload,
  h("button", { class: "btn small", type: "submit" }, t("clerk.upload")));
  const formOpen = ctx.ballotForm && ctx.ballotForm.itemId === item.id;
  return h("li", { class: `clerk-item st-${item.status}` },
    h("div", { class: "clerk-item-head" },
      h("span", { class: "agenda-no" }, item.position),
      h("div", { class: "grow" }, h("h3", {}, item.title),
        h("span", { class: "chips" }, h("span", { class: "chip" }, t(`kind.${item.kind}`)), h("span", { class: `status-tag st-${item.status}` }, t(`item.${item.status}`)),
          item.amends_item_id ? h("span", { class: "chip warn" }, t("clerk.is_amendment")) : null))),
    h("div", { class: "clerk-item-body" },
      h("div", {}, h("h4", {}, t("seat.documents")),
        item.documents.length ? h("ul", { class: "plain" }, item.documents.map((d) => h("li", {},
          h("a", { href: `/api/documents/${d.id}`, target: "_blank", rel: "noopener" }, d.filename), h("span", { class: "muted small" }, ` ${Math.round(d.size / 1024)} KB`))))
          : h("p", { class: "muted small" }, t("seat.no_documents")),
        uploadForm),
      h("div", {}, h("h4", {}, t("clerk.ballots")),
        item.ballots.length ? h("ul", { class: "plain" }, item.ballots.map((b) => h("li", {},
          h("strong", {}, b.title), " ",
          h("span", { class: "chips" }, h("span", { class: "chip" }, kindLabel(b.kind)), h("span", { class: "chip" }, b.secret ? t("ballot.secret") : t("ballot.named")),
            h("span", { class: "chip" }, t(`method.${b.method}`)), b.timer_seconds ? h("span", { class: "chip" }, t("clerk.timer_s", { n: b.timer_seconds })) : null,
            h("span", { class: `status-tag st-${b.status}` }, t(`ballot.status_${b.status}`)),
            b.rounds.map((r) => r.outcome ? h("span", { class: `verdict-pill ${outcomeClass(r.outcome)}` }, `${t("ballot.round_n", { n: r.number })} ${t(`outcome.${r.outcome}`)}`) : null)))))
          : h("p", { class: "muted small" }, t("clerk.no_ballots")),
        formOpen ? null : h("button", { class: "btn small secondary", id: `add-ballot-${item.id}`, onclick: () => {
          ctx.ballotForm = newBallotForm(item);
          renderAgenda();
          const first = document.getElementById("bf-title");
          if (first) first.focus();
        } }, t("clerk.add_ballot")))),
    formOpen ? buildBallotForm(item) : null);
}

function newBallotForm(item) {
  const kind = ["resolution", "appointment", "evaluation", "selection"].includes(item.kind) ? item.kind : "resolution";
  return { itemId: item.id, kind, rows: defaultRows(kind), fields: {} };
}

/** Keep a form field's value in the ballot form's state, so a push that redraws the page keeps it. */
function field(bf, key, el, prop = "value") {
  if (bf.fields[key] !== undefined) el[prop] = bf.fields[key];
  el.addEventListener(el.tagName === "SELECT" || prop === "checked" ? "change" : "input", () => { bf.fields[key] = el[prop]; });
  return el;
}

function defaultRows(kind) {
  if (kind === "appointment") return [{ name: "", post: "", action: "appoint" }];
  if (kind === "evaluation" || kind === "selection") return [{ name: "" }, { name: "" }];
  return [];
}

function buildBallotForm(item) {
  const bf = ctx.ballotForm;
  const kindSel = h("select", { id: "bf-kind", "data-fk": "bf-kind", onchange: (e) => {
    bf.kind = e.target.value;
    bf.rows = defaultRows(bf.kind);
    bf.fields = { title: bf.fields.title };
    renderAgenda();
  } }, ["resolution", "appointment", "evaluation", "selection"].map((k) => h("option", { value: k, selected: k === bf.kind }, t(`kind.${k}`))));
  const title = field(bf, "title", h("input", { id: "bf-title", "data-fk": "bf-title", placeholder: item.title }));
  const secret = field(bf, "secret", h("select", { id: "bf-secret" }, h("option", { value: "" }, t("clerk.secret_default")),
    h("option", { value: "secret" }, t("ballot.secret")), h("option", { value: "named" }, t("ballot.named"))));
  const change = field(bf, "change", h("input", { id: "bf-change", type: "checkbox" }), "checked");
  const method = field(bf, "method", h("select", { id: "bf-method" }, ["tablet", "hands", "mixed"].map((m) => h("option", { value: m }, t(`method.${m}`)))));
  const timer = field(bf, "timer", h("input", { id: "bf-timer", type: "number", min: "10", max: "3600", step: "10", placeholder: t("clerk.timer_none") }));
  const procedural = field(bf, "procedural", h("input", { id: "bf-procedural", type: "checkbox" }), "checked");
  const err = h("p", { class: "form-error", role: "alert" });
  const rowEditor = buildRows(bf);
  const extra = [];
  let question = null;
  let maxMarks = null;
  let selOptions = null;
  let cap = null;
  let unknown = null;
  let combined = null;
  if (bf.kind === "resolution") {
    question = field(bf, "question", h("input", { id: "bf-question", placeholder: t("clerk.question_placeholder") }));
    extra.push(h("div", { class: "span2" }, h("label", { for: "bf-question" }, t("clerk.question")), question));
  } else if (bf.kind === "appointment") {
    combined = field(bf, "combined", h("input", { id: "bf-combined", type: "checkbox" }), "checked");
    extra.push(h("div", { class: "check" }, combined, h("label", { for: "bf-combined" }, t("clerk.combined"))));
  } else if (bf.kind === "evaluation") {
    cap = field(bf, "cap", h("input", { id: "bf-cap", type: "number", min: "0", placeholder: t("clerk.cap_none") }));
    unknown = field(bf, "unknown", h("input", { id: "bf-unknown", type: "checkbox" }), "checked");
    extra.push(h("div", {}, h("label", { for: "bf-cap" }, t("clerk.cap_satisfied")), cap),
      h("div", { class: "check" }, unknown, h("label", { for: "bf-unknown" }, t("clerk.grade_unknown"))));
  } else if (bf.kind === "selection") {
    maxMarks = field(bf, "max", h("input", { id: "bf-max", type: "number", min: "1", required: true, value: "1" }));
    selOptions = field(bf, "options", h("select", { id: "bf-options" }, h("option", { value: "mark" }, t("clerk.sel_mark")),
      h("option", { value: "for_against_abstain" }, t("clerk.sel_faa"))));
    extra.push(h("div", {}, h("label", { for: "bf-max" }, t("clerk.max_marks")), maxMarks),
      h("div", {}, h("label", { for: "bf-options" }, t("clerk.sel_options")), selOptions));
  }
  const form = h("form", { class: "ballot-form", "aria-labelledby": "bf-heading", onsubmit: async (e) => {
    e.preventDefault();
    err.textContent = "";
    const rows = bf.rows.filter((r) => r.name.trim());
    let spec;
    if (bf.kind === "resolution") spec = { kind: "resolution", question: question.value.trim() };
    else if (bf.kind === "appointment") {
      spec = { kind: "appointment", persons: rows.map((r, i) => ({ id: `p${i + 1}`, name: r.name.trim(), post: r.post.trim(), action: r.action })) };
      if (combined.checked || rows.length > 1) spec.combined = true;
    } else if (bf.kind === "evaluation") {
      spec = { kind: "evaluation", objects: rows.map((r, i) => ({ id: `o${i + 1}`, name: r.name.trim() })) };
      if (unknown.checked) {
        spec.grades = [{ code: "satisfied", zh: "满意", en: "satisfied" }, { code: "basic", zh: "基本满意", en: "basically satisfied" },
          { code: "unsatisfied", zh: "不满意", en: "unsatisfied" }, { code: "unknown", zh: "不了解", en: "don't know" }];
      }
      if (cap.value !== "") spec.caps = { satisfied: parseInt(cap.value, 10) };
    } else {
      spec = { kind: "selection", candidates: rows.map((r, i) => ({ id: `c${i + 1}`, name: r.name.trim() })),
        max_marks: parseInt(maxMarks.value, 10) || 1, options: selOptions.value };
    }
    if (bf.kind !== "resolution" && !rows.length) { err.textContent = t("clerk.rows_needed"); return; }
    const data = { spec, method: method.value, allow_change: change.checked, procedural: procedural.checked };
    if (title.value.trim()) data.title = title.value.trim();
    if (secret.value) data.secret = secret.value === "secret";
    if (timer.value) data.timer_seconds = parseInt(timer.value, 10);
    try {
      await api("POST", `/api/items/${item.id}/ballots`, data);
      toast(t("clerk.ballot_created"), "ok");
      ctx.ballotForm = null;
      await guarded(loadAgenda);
      renderAgenda();
    } catch (ex) {
      err.textContent = errText(ex);
    }
  } },
  h("h4", { id: "bf-heading" }, t("clerk.new_ballot")),
  h("div", { class: "form-grid" },
    h("div", {}, h("label", { for: "bf-kind" }, t("clerk.ballot_kind")), kindSel),
    h("div", { class: "span2" }, h("label", { for: "bf-title" }, t("clerk.ballot_title")), title),
    extra),
  rowEditor,
  h("fieldset", { class: "form-grid" }, h("legend", {}, t("clerk.ballot_options")),
    h("div", {}, h("label", { for: "bf-secret" }, t("clerk.secrecy")), secret),
    h("div", {}, h("label", { for: "bf-method" }, t("clerk.method")), method),
    h("div", {}, h("label", { for: "bf-timer" }, t("clerk.timer")), timer),
    h("div", { class: "check" }, change, h("label", { for: "bf-change" }, t("clerk.allow_change"))),
    h("div", { class: "check" }, procedural, h("label", { for: "bf-procedural" }, t("clerk.procedural")))),
  err,
  h("div", { class: "form-row" },
    h("button", { class: "btn primary", type: "submit", id: "bf-submit" }, t("clerk.create_ballot")),
    h("button", { class: "btn ghost", type: "button", onclick: () => { ctx.ballotForm = null; renderAgenda(); } }, t("common.cancel"))));
  return form;
}

function buildRows(bf) {
  if (bf.kind === "resolution") return null;
  const label = t(`clerk.rows_${bf.kind}`);
  const rows = bf.rows.map((r, i) => {
    const name = h("input", { id: `bf-row-${i}-name`, "data-fk": `bf-row-${i}-name`, value: r.name, required: i === 0,
      "aria-label": `${t(`clerk.row_name_${bf.kind}`)} ${i + 1}`, oninput: (e) => { r.name = e.target.value; } });
    const cells = [h("span", { class: "row-no" }, i + 1), name];
    if (bf.kind === "appointment") {
      cells.push(h("input", { id: `bf-row-${i}-post`, value: r.post, placeholder: t("clerk.post"), "aria-label": `${t("clerk.post")} ${i + 1}`,
        oninput: (e) => { r.post = e.target.value; } }),
      h("select", { id: `bf-row-${i}-action`, "aria-label": `${t("clerk.action")} ${i + 1}`, onchange: (e) => { r.action = e.target.value; } },
        h("option", { value: "appoint", selected: r.action === "appoint" }, t("clerk.appoint")),
        h("option", { value: "remove", selected: r.action === "remove" }, t("clerk.remove"))));
    }
    cells.push(h("button", { type: "button", class: "btn small ghost", "aria-label": `${t("common.remove")} ${i + 1}`, disabled: bf.rows.length <= 1,
      onclick: () => { bf.rows.splice(i, 1); renderAgenda(); } }, "✕"));
    return h("li", { class: "row-edit" }, cells);
  });
  return h("fieldset", { class: "rows" }, h("legend", {}, label),
    bf.kind === "appointment" ? h("p", { class: "muted small" }, t("clerk.appointment_help")) : null,
    h("ol", { class: "plain" }, rows),
    h("button", { type: "button", class: "btn small secondary", id: "bf-add-row", onclick: () => {
      bf.rows.push(bf.kind === "appointment" ? { name: "", post: "", action: "appoint" } : { name: "" });
      renderAgenda();
      const last = document.getElementById(`bf-row-${bf.rows.length - 1}-name`);
      if (last) last.focus();
    } }, t("clerk.add_row")));
}

// --- pairing --------------------------------------------------------------------------------------------

function renderPairing() {
  const el = sec.pairing.querySelector(".sec-body");
  region(el, [ctx.people, ctx.pairings, ctx.devices, lang()], () => {
    if (!ctx.bodyId) return h("p", { class: "notice" }, t("clerk.create_body_first"));
    const people = ctx.people.filter((p) => p.current);
    const cards = people.filter((p) => ctx.pairings[p.id]);
    const head = h("div", { class: "panel-head" }, h("p", { class: "muted" }, t("clerk.pairing_help")),
      h("div", { class: "form-row" },
        h("button", { class: "btn secondary", id: "pair-all", onclick: pairAll }, t("clerk.pair_all")),
        h("button", { class: "btn primary", id: "pair-print", disabled: !cards.length, onclick: printPairing }, t("clerk.print_cards"))));
    return [
      head,
      cards.length ? h("section", { class: "card", "aria-labelledby": "cards-title" }, h("h2", { id: "cards-title" }, t("clerk.qr_cards")),
        h("div", { class: "qr-grid", id: "qr-cards" }, cards.map((p) => qrCard(p, ctx.pairings[p.id])))) : null,
      h("section", { class: "card", "aria-labelledby": "pair-title" },
        h("h2", { id: "pair-title" }, t("clerk.pairing_people")),
        h("table", { class: "data-table" },
          h("thead", {}, h("tr", {}, ["clerk.seat", "clerk.name", "clerk.role", "clerk.pairing_code", ""].map((k) => h("th", { scope: "col" }, k ? t(k) : "")))),
          h("tbody", {}, people.map((p) => {
            const pr = ctx.pairings[p.id];
            return h("tr", {}, h("td", {}, p.seat || ""), h("th", { scope: "row" }, p.name), h("td", {}, p.role === "observer" ? t("seat.observer_tag") : t("clerk.member")),
              h("td", {}, pr ? h("code", {}, pr.code) : ""),
              h("td", {}, h("button", { class: "btn small", "aria-label": `${pr ? t("clerk.pair_again") : t("clerk.pair_one")}：${p.name}`,
                onclick: () => pairOne(p) }, pr ? t("clerk.pair_again") : t("clerk.pair_one"))));
          })))),
      h("section", { class: "card", "aria-labelledby": "devices-title" }, h("h2", { id: "devices-title" }, t("clerk.devices")),
        ctx.devices.length ? h("table", { class: "data-table" },
          h("thead", {}, h("tr", {}, ["clerk.seat", "clerk.name", "clerk.status", "clerk.paired_at", ""].map((k) => h("th", { scope: "col" }, k ? t(k) : "")))),
          h("tbody", {}, ctx.devices.map((d) => h("tr", { class: d.status === "revoked" ? "dim" : "" },
            h("td", {}, d.seat || ""), h("th", { scope: "row" }, d.name), h("td", {}, t(`device.${d.status}`)), h("td", {}, d.paired_at ? `${fmtDate(d.paired_at.slice(0, 10))} ${fmtTime(d.paired_at)}` : ""),
            h("td", {}, d.status === "paired" || d.status === "pending"
              ? h("button", { class: "btn small danger", "aria-label": `${t("clerk.revoke")} ${d.name}`, onclick: () => revoke(d) }, t("clerk.revoke")) : null)))))
          : h("p", { class: "muted" }, t("clerk.no_devices"))),
    ];
  });
}

function qrCard(p, pr) {
  return h("figure", { class: "qr-card" },
    h("img", { src: pr.qr, alt: t("clerk.qr_alt", { name: p.name }), width: "180", height: "180" }),
    h("figcaption", {}, h("strong", {}, p.seat ? `${p.seat} · ${p.name}` : p.name),
      h("span", { class: "small" }, t("clerk.code_line", { code: pr.code })),
      h("span", { class: "small muted" }, (pr.expires_in || 0) >= 7200
        ? t("clerk.expires_in_h", { n: Math.round(pr.expires_in / 3600) })
        : t("clerk.expires_in", { n: Math.round((pr.expires_in || 0) / 60) }))));
}

async function pairOne(p) {
  const out = await guarded(() => api("POST", `/api/people/${p.id}/pairing`, {}));
  if (out) {
    ctx.pairings = { ...ctx.pairings, [p.id]: out };
    renderPairing();
    loadDevices();
  }
}

async function pairAll() {
  const next = { ...ctx.pairings };
  for (const p of ctx.people.filter((x) => x.current)) {
    const out = await guarded(() => api("POST", `/api/people/${p.id}/pairing`, {}));
    if (!out) break;
    next[p.id] = out;
  }
  ctx.pairings = next;
  renderPairing();
  loadDevices();
}

function printPairing() {
  const cards = ctx.people.filter((p) => p.current && ctx.pairings[p.id]);
  els.print.replaceChildren(h("h1", {}, t("clerk.qr_cards"), " · ", body() ? body().name : ""),
    h("div", { class: "qr-grid print" }, cards.map((p) => qrCard(p, ctx.pairings[p.id]))));
  window.print();
}

async function revoke(d) {
  if (await guarded(() => api("POST", `/api/devices/${d.id}/revoke`, {}), t("clerk.revoked"))) loadDevices();
}

// --- results ----------------------------------------------------------------------------------------------

function renderResults() {
  const el = sec.results.querySelector(".sec-body");
  region(el, [ctx.agenda, ctx.results, lang()], () => {
    if (!ctx.agenda) return h("p", { class: "notice" }, t("clerk.create_sitting_first"));
    const ballots = ctx.agenda.items.flatMap((i) => i.ballots.map((b) => ({ ...b, item: i })));
    const done = ballots.filter((b) => b.rounds.some((r) => r.status === "closed"));
    return [
      h("div", { class: "panel-head" }, h("p", { class: "muted" }, t("clerk.results_help")),
        h("div", { class: "form-row" },
          h("button", { class: "btn secondary", onclick: loadAllResults }, t("common.refresh")))),
      buildSittingFiles(done.length > 0),
      done.length ? done.map((b) => buildBallotResults(b, ctx.results[b.id])) : h("p", { class: "muted card" }, t("chair.no_results")),
    ];
  });
}

/** The signed sheets of the whole sitting and its exports, from the server's sheet routes. */
function buildSittingFiles(any) {
  const id = ctx.sittingId;
  const q = lang() === "en" ? "?lang=en" : "";
  const link = (href, key) => h("li", {}, h("a", { href, target: "_blank", rel: "noopener" }, t(key)));
  return h("section", { class: "card", "aria-labelledby": "files-title" },
    h("h2", { id: "files-title" }, t("clerk.sitting_files")),
    any ? h("ul", { class: "file-links" },
      link(`/api/sittings/${id}/summary.pdf${q}`, "clerk.file_summary"),
      link(`/api/sittings/${id}/attendance.pdf${q}`, "clerk.file_attendance"),
      link(`/api/sittings/${id}/bundle.pdf${q}`, "clerk.file_bundle"),
      link(`/api/sittings/${id}/export.xlsx`, "clerk.file_xlsx"),
      link(`/api/sittings/${id}/export.csv?table=results`, "clerk.file_csv"),
      link(`/api/sittings/${id}/export.json`, "clerk.file_json"))
      : h("p", { class: "muted" }, t("chair.no_results")));
}

function buildBallotResults(b, answer) {
  const rounds = answer ? answer.rounds.filter((r) => r.result) : [];
  return h("section", { class: "card result-card", "aria-label": b.title },
    h("div", { class: "panel-head" },
      h("div", {}, h("p", { class: "eyebrow" }, `${b.item.position}. ${b.item.title}`), h("h2", {}, b.title),
        h("span", { class: "chips" }, h("span", { class: "chip" }, kindLabel(b.kind)), h("span", { class: "chip" }, b.secret ? t("ballot.secret") : t("ballot.named")))),
      answer ? null : h("span", { class: "muted" }, t("common.loading"))),
    rounds.map((r) => {
      const data = r.result.data;
      const ballotLike = { questions: questionsFromSpec(b.spec, data), spec: b.spec };
      return h("div", { class: "round" },
        h("div", { class: "round-head" },
          h("h3", {}, t("ballot.round_n", { n: r.number }), " · ", `${fmtTime(r.opened_at)}–${fmtTime(r.closed_at)}`, " · ", t(`method.${r.result.method}`)),
          outcomeHeadline(data, { extraClass: "medium" }),
          h("a", { class: "btn small primary", href: `/api/ballots/${b.id}/rounds/${r.number}/sheet.pdf${lang() === "en" ? "?lang=en" : ""}`,
            target: "_blank", rel: "noopener" }, t("clerk.sheet_pdf")),
          h("button", { class: "btn small", onclick: () => printResult(b, answer, r) }, t("clerk.print"))),
        h("p", { class: "muted" }, turnoutLine(data)),
        resultTable(ballotLike, data),
        r.show_of_hands ? h("p", { class: "muted small" }, t("clerk.hands_entered", { who: r.show_of_hands.entered_by, n: r.show_of_hands.ballots })) : null,
        h("p", { class: "announcement-text" }, announcement(data)),
        r.result.absentees && r.result.absentees.length ? h("p", { class: "muted small" }, t("clerk.absentees"), "：",
          r.result.absentees.map((a) => `${a.name}（${t(`status.${a.status}`)}${a.reason ? `，${a.reason}` : ""}）`).join("、")) : null,
        h("p", { class: "muted small mono" }, t("clerk.audit_head", { id: r.result.audit_id, hash: (r.result.audit_head || "").slice(0, 16) })));
    }));
}

/** Option labels for a stored result: the ballot's spec gives them (the live snapshot is not needed). */
function questionsFromSpec(spec, data) {
  const FAA = [{ code: "for", zh: "赞成", en: "for" }, { code: "against", zh: "反对", en: "against" }, { code: "abstain", zh: "弃权", en: "abstain" }];
  let options;
  if (spec.kind === "evaluation") {
    options = spec.grades || [{ code: "satisfied", zh: "满意", en: "satisfied" }, { code: "basic", zh: "基本满意", en: "basically satisfied" },
      { code: "unsatisfied", zh: "不满意", en: "unsatisfied" }];
  } else if (spec.kind === "selection") {
    options = spec.options === "for_against_abstain" ? [FAA[0], { code: "against", zh: "不赞成", en: "against" }, FAA[2]] : [{ code: "mark", zh: "选择", en: "mark" }];
  } else options = FAA;
  return data.questions.map((q) => ({ id: q.question_id, label: q.label, options }));
}

function printResult(b, answer, r) {
  const data = r.result.data;
  const s = answer.sitting;
  const ballotLike = { questions: questionsFromSpec(b.spec, data), spec: b.spec };
  els.print.replaceChildren(h("article", { class: "sheet" },
    h("p", { class: "sheet-body" }, body() ? body().name : ""),
    h("h1", {}, t("clerk.sheet_title")),
    h("p", {}, s.title, " · ", fmtDate(s.date), s.place ? ` · ${s.place}` : ""),
    h("p", {}, t("clerk.sheet_item", { n: b.item.position, title: b.item.title })),
    h("p", {}, t("clerk.sheet_ballot", { title: b.title, kind: kindLabel(b.kind), secret: b.secret ? t("ballot.secret") : t("ballot.named"),
      method: t(`method.${r.result.method}`), round: r.number })),
    h("p", {}, turnoutLine(data)),
    resultTable(ballotLike, data),
    outcomeHeadline(data, { extraClass: "medium" }),
    h("p", { class: "announcement-text" }, announcement(data)),
    r.result.absentees && r.result.absentees.length ? h("p", { class: "small" }, t("clerk.absentees"), "：",
      r.result.absentees.map((a) => `${a.name}（${t(`status.${a.status}`)}${a.reason ? `，${a.reason}` : ""}）`).join("、")) : null,
    r.show_of_hands ? h("p", { class: "small" }, t("clerk.hands_entered", { who: r.show_of_hands.entered_by, n: r.show_of_hands.ballots })) : null,
    h("p", { class: "small" }, t("clerk.sheet_times", { opened: `${fmtDate(r.opened_at.slice(0, 10))} ${fmtTime(r.opened_at)}`, closed: fmtTime(r.closed_at) })),
    h("p", { class: "small mono" }, t("clerk.audit_head", { id: r.result.audit_id, hash: r.result.audit_head || "" })),
    h("div", { class: "signatures" }, ["clerk.sig_chair", "clerk.sig_scrutineer", "clerk.sig_teller", "clerk.sig_clerk"].map((k) => h("p", {}, t(k), "：", h("span", { class: "sig-line" }))))));
  window.print();
}

// --- audit --------------------------------------------------------------------------------------------------

function renderAudit() {
  const el = sec.audit.querySelector(".sec-body");
  region(el, [ctx.audit, ctx.auditCheck, lang()], () => {
    const check = h("button", { class: "btn secondary", onclick: async () => {
      const out = await guarded(() => api("GET", "/api/audit/verify"));
      if (out) { ctx.auditCheck = out; renderAudit(); }
    } }, t("clerk.verify_chain"));
    const verdict = ctx.auditCheck ? h("p", { class: `notice ${ctx.auditCheck.ok ? "ok" : "danger"}`, role: "status" },
      ctx.auditCheck.ok ? t("clerk.chain_ok", { n: ctx.auditCheck.entries }) : t("clerk.chain_broken", { id: ctx.auditCheck.broken_id, reason: ctx.auditCheck.reason || "" })) : null;
    const entries = (ctx.audit && ctx.audit.entries) || [];
    return [
      h("div", { class: "panel-head" }, h("p", { class: "muted" }, t("clerk.audit_help")), h("div", { class: "form-row" },
        h("button", { class: "btn ghost", onclick: loadAudit }, t("common.refresh")), check)),
      verdict,
      h("table", { class: "data-table audit" },
        h("thead", {}, h("tr", {}, ["clerk.audit_id", "clerk.audit_at", "clerk.audit_actor", "clerk.audit_action", "clerk.audit_hash"].map((k) => h("th", { scope: "col" }, t(k))))),
        h("tbody", {}, entries.map((e) => h("tr", {}, h("td", { class: "num" }, e.id), h("td", {}, String(e.at).replace("T", " ").slice(0, 19)),
          h("td", {}, e.actor), h("td", {}, e.action), h("td", { class: "mono small" }, (e.hash || "").slice(0, 12)))))),
    ];
  });
}

// --- start ---------------------------------------------------------------------------------------------------

async function main() {
  chrome();
  els.logout.addEventListener("click", logout);
  const who = await staffGate(els.login, els.app, ["clerk", "admin"]);
  els.who.textContent = who.name || "";
  els.logout.hidden = false;
  window.addEventListener("hashchange", showSection);
  onLangChange(() => {
    invalidate(els.context, ...SECTIONS.map((s) => sec[s].querySelector(".sec-body")));
    renderAll();
  });
  await refreshAll();
  showSection();
  await loadDevices();
}

main();
