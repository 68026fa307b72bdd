// The seat tablet: pairing, sign-in, the current item and its documents, speaker requests, and the
// ballot — choose, confirm, "已表决" with the receipt — then the result after the close.
import { LiveClient, newCastId, hasVoted } from "./client.js";
import {
  ApiError,
  ackOk,
  announcement,
  api,
  chrome,
  connectionIndicator,
  errorText,
  fmtClock,
  fmtDate,
  h,
  invalidate,
  kindLabel,
  lang,
  onLangChange,
  optionLabel,
  outcomeClass,
  outcomeHeadline,
  pick,
  region,
  resultTable,
  session,
  t,
  tickCountdowns,
  toast,
  turnoutLine,
} from "./ui.js";

const TOKEN_KEY = "biaojue.seat.token";
const BODY_KEY = "biaojue.seat.body";
const PENDING_KEY = "biaojue.seat.pending"; // a confirmed cast not yet acknowledged: {round_id, ballot_id, choice, cast_id}
const DRAFT_KEY = "biaojue.seat.draft";

const els = {
  pairing: document.getElementById("pairing"),
  app: document.getElementById("seat-app"),
  title: document.getElementById("top-title"),
  who: document.getElementById("who"),
  remind: document.getElementById("remind"),
  signin: document.getElementById("signin"),
  ballot: document.getElementById("ballot"),
  item: document.getElementById("item"),
  results: document.getElementById("results"),
  viewer: document.getElementById("doc-viewer"),
};

let client = null;
let token = localStorage.getItem(TOKEN_KEY);
// What the member is choosing in the round on screen; survives pushes, reconnects and reloads.
let draft = loadJSON(sessionStorage, DRAFT_KEY) || { roundId: null, choice: {}, stage: "choose" };
let sending = false;
let castError = null;
let changing = false; // re-voting where the ballot allows changing
let justVoted = null; // the ack of this tablet's cast (shows the choice on named ballots)

function loadJSON(store, key) {
  try {
    return JSON.parse(store.getItem(key) || "null");
  } catch (_) {
    return null;
  }
}

function saveDraft() {
  sessionStorage.setItem(DRAFT_KEY, JSON.stringify(draft));
}

// --- pairing --------------------------------------------------------------------------------------

async function pair(payload) {
  await session();
  const data = await api("POST", "/api/pair", payload);
  token = data.token;
  localStorage.setItem(TOKEN_KEY, token);
  return data;
}

function showPairing(message = null) {
  els.app.hidden = true;
  els.pairing.hidden = false;
  els.title.textContent = "";
  els.who.textContent = "";
  const params = new URLSearchParams(location.search);
  const body = params.get("body") || localStorage.getItem(BODY_KEY) || "1";
  const seat = h("input", { id: "pair-seat", name: "seat", inputmode: "text", autocomplete: "off", required: true,
    "data-fk": "seat" });
  const pin = h("input", { id: "pair-pin", name: "pin", type: "password", inputmode: "numeric",
    autocomplete: "one-time-code", pattern: "[0-9]{4,8}", required: true, "data-fk": "pin" });
  const bodyInput = h("input", { id: "pair-body", name: "body", type: "number", min: "1", value: body });
  const err = h("p", { class: "form-error", role: "alert" }, message || "");
  const form = h("form", { class: "card pair-card", "aria-labelledby": "pair-title" },
    h("h1", { id: "pair-title" }, t("seat.pair_title")),
    h("p", { class: "muted" }, t("seat.pair_help")),
    h("div", { class: "pair-fields" },
      h("div", {}, h("label", { for: "pair-seat" }, t("seat.seat_no")), seat),
      h("div", {}, h("label", { for: "pair-pin" }, t("seat.pin")), pin)),
    h("details", { class: "pair-more" }, h("summary", {}, t("seat.more")),
      h("label", { for: "pair-body" }, t("seat.body_id")), bodyInput),
    err,
    h("button", { class: "btn primary huge", type: "submit" }, t("seat.pair_submit")));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    err.textContent = "";
    const bodyId = parseInt(bodyInput.value, 10) || 1;
    try {
      await pair({ body_id: bodyId, seat: seat.value.trim(), pin: pin.value.trim() });
      localStorage.setItem(BODY_KEY, String(bodyId));
      startLive();
    } catch (ex) {
      err.textContent = ex instanceof ApiError ? ex.text : t("error.network");
      pin.value = "";
      pin.focus();
    }
  });
  els.pairing.replaceChildren(form);
  seat.focus();
}

function unpaired(message) {
  localStorage.removeItem(TOKEN_KEY);
  localStorage.removeItem(PENDING_KEY);
  token = null;
  if (client) client.close();
  client = null;
  showPairing(message);
}

// --- live -----------------------------------------------------------------------------------------

function startLive() {
  els.pairing.hidden = true;
  els.app.hidden = false;
  client = new LiveClient({ auth: () => ({ token }) });
  connectionIndicator(client);
  client.on("state", (state, changed, type) => render(state, changed, type));
  client.on("refused", (why) => {
    if (why.error === "revoked") unpaired(t("seat.revoked"));
    else renderRefused(why);
  });
  client.on("revoked", (msg) => {
    // Pushed to every tablet of the person: only the one whose device id it names was unpaired.
    const mine = client && client.state && client.state.me ? client.state.me.device_id : null;
    if (!msg || msg.device_id == null || mine == null || msg.device_id === mine) unpaired(t("seat.revoked"));
  });
  client.on("remind", () => showRemind());
  client.on("status", (st) => {
    if (st === "online") resendPending();
    renderSending();
  });
  client.connect();
}

function renderRefused(why) {
  if (client && client.state) return; // keep what is on screen; the banner says why
  els.ballot.replaceChildren(h("div", { class: "card idle" }, h("p", { class: "big-note" }, errorText(why))));
}

function render(state, changed, type) {
  const me = state.me || {};
  const sitting = state.sitting || {};
  els.title.textContent = sitting.title || "";
  document.title = `${t("seat.page_title")} · ${sitting.title || ""}`;
  const seatText = me.seat ? t("seat.seat_of", { seat: me.seat }) : "";
  els.who.textContent = [seatText, me.name, me.role === "observer" ? t("seat.observer_tag") : ""].filter(Boolean).join(" · ");
  if (type === "ballot_opened" || type === "revote" || type === "ballot_closed") hideRemind();
  syncDraft(state);
  renderSignin(state);
  renderBallot(state);
  renderItem(state);
  renderResults(state);
}

/** Drop a draft of an earlier round; a confirmed cast already acknowledged needs no resending. */
function syncDraft(state) {
  const b = state.ballot;
  const roundId = b && b.status === "open" ? b.round_id : null;
  if (draft.roundId !== roundId) {
    draft = { roundId, choice: {}, stage: "choose" };
    castError = null;
    changing = false;
    saveDraft();
  }
  if (justVoted && (!b || justVoted.round_id !== b.round_id)) justVoted = null;
  const pending = loadJSON(localStorage, PENDING_KEY);
  if (pending && (!b || pending.round_id !== b.round_id || b.status !== "open" || (hasVoted(state) && !changing))) {
    localStorage.removeItem(PENDING_KEY);
  }
}

// --- sign-in ----------------------------------------------------------------------------------------

function renderSignin(state) {
  const me = state.me || {};
  const closed = state.sitting && state.sitting.status === "closed";
  const need = !me.signed_in && !closed && (me.entitled || me.role === "observer");
  region(els.signin, [need, me.attendance, lang()], () => {
    if (!need) return [];
    const note = me.attendance === "leave" ? h("p", { class: "muted" }, t("seat.on_leave")) : null;
    return h("div", { class: "card signin-card" },
      h("div", {},
        h("h2", {}, t("seat.signin_title")),
        h("p", { class: "muted" }, t("seat.signin_help")), note),
      h("button", { class: "btn primary huge", id: "signin-btn", "data-fk": "signin", onclick: signIn },
        t("seat.signin")));
  });
}

async function signIn(e) {
  const btn = e.currentTarget;
  btn.disabled = true;
  const ack = await client.call("sign_in", {}, { retry: true });
  btn.disabled = false;
  if (ackOk(ack)) {
    client.state.me = { ...client.state.me, signed_in: true, attendance: "present" };
    render(client.state, new Set(["me"]), "local");
    toast(t("seat.signed_in"), "ok");
  }
}

// --- ballot ---------------------------------------------------------------------------------------

function ballotQuestions(b) {
  return b.questions || [];
}

function choiceComplete(b) {
  const qs = ballotQuestions(b);
  if (b.kind === "selection") return marksOf(b) <= maxMarks(b);
  return qs.every((q) => draft.choice[q.id]);
}

function maxMarks(b) {
  return (b.spec && b.spec.max_marks) || 0;
}

function forCode(b) {
  return b.spec && b.spec.options === "for_against_abstain" ? "for" : "mark";
}

function marksOf(b) {
  const code = forCode(b);
  return Object.values(draft.choice).filter((v) => v === code).length;
}

function capsOf(b) {
  return (b.spec && b.spec.caps) || {};
}

function gradeCount(code) {
  return Object.values(draft.choice).filter((v) => v === code).length;
}

function timeUp(b) {
  return Boolean(b && b.deadline && client.secondsLeft(b.deadline) === 0);
}

function renderBallot(state) {
  const b = state.ballot;
  const me = state.me || {};
  const voted = hasVoted(state);
  const deps = [b && { ...b, voted: undefined, non_voters: undefined }, me.vote, me.signed_in, me.entitled, me.role,
    draft, sending, castError, changing, justVoted, timeUp(b), lang()];
  region(els.ballot, deps, () => buildBallot(state, b, me, voted));
  renderProgress(state);
  renderSending();
}

function buildBallot(state, b, me, voted) {
  if (!b) {
    return h("div", { class: "card idle" },
      h("p", { class: "big-note" }, state.sitting && state.sitting.status === "closed" ? t("seat.sitting_closed") : t("seat.no_ballot")));
  }
  const head = ballotHead(b);
  if (b.status === "closed") return h("article", { class: "card ballot closed", "aria-labelledby": "ballot-title" }, head, buildResult(b, voted, me));
  const observer = me.role === "observer" || !me.entitled;
  let body;
  if (observer) body = h("p", { class: "notice" }, t(me.role === "observer" ? "seat.observer_no_vote" : "seat.not_entitled"));
  else if (b.method === "hands") body = h("p", { class: "notice big-note" }, t("seat.hands_only"));
  else if (!me.signed_in) {
    body = h("div", { class: "notice warn" }, h("p", {}, t("seat.signin_first")),
      h("button", { class: "btn primary huge", "data-fk": "signin2", onclick: signIn }, t("seat.signin")));
  } else if (voted && !changing) body = buildVoted(b, me);
  else if (timeUp(b)) body = h("p", { class: "notice warn big-note" }, t("seat.time_up"));
  else body = buildControls(b);
  return h("article", { class: "card ballot open", "aria-labelledby": "ballot-title" }, head, body,
    h("p", { class: "progress-line", id: "seat-progress" }));
}

function ballotHead(b) {
  const chips = [
    h("span", { class: "chip" }, kindLabel(b.kind)),
    h("span", { class: "chip" }, b.secret ? t("ballot.secret") : t("ballot.named")),
    b.round > 1 ? h("span", { class: "chip warn" }, t("ballot.round_n", { n: b.round })) : null,
  ];
  const right = b.status === "open"
    ? h("div", { class: "ballot-meta" },
      h("span", { class: "needed" }, t("ballot.needed", { n: b.needed })),
      b.deadline ? h("span", { class: "countdown", "data-deadline": b.deadline, role: "timer", "aria-live": "off" },
        fmtClock(client.secondsLeft(b.deadline))) : null)
    : h("div", { class: "ballot-meta" }, h("span", { class: "chip done" }, t("ballot.closed")));
  return h("header", { class: "ballot-head" },
    h("div", {}, h("div", { class: "chips" }, chips), h("h2", { id: "ballot-title" }, b.title),
      h("p", { class: "muted small" }, pick(b.threshold_zh, b.threshold_en))),
    right);
}

function setChoice(qid, code) {
  draft.choice = { ...draft.choice, [qid]: code };
  castError = null;
  saveDraft();
}

function buildControls(b) {
  const qs = ballotQuestions(b);
  const confirming = draft.stage === "confirm";
  let controls;
  if (b.kind === "resolution") {
    const q = qs[0];
    controls = h("div", { class: "vote-block" },
      q && q.label && q.label !== b.title ? h("p", { class: "question" }, q.label) : null,
      h("div", { class: "vote-buttons three", role: "group", "aria-label": q ? q.label : b.title },
        q.options.map((o) => voteButton(b, q, o, () => { setChoice(q.id, o.code); draft.stage = "confirm"; saveDraft(); rerender(); }, confirming))));
  } else if (b.kind === "appointment") {
    controls = h("div", { class: "vote-rows" }, qs.map((q) => h("div", { class: "vote-row", role: "group", "aria-label": q.label },
      h("p", { class: "row-label" }, q.label),
      h("div", { class: "vote-buttons three compact" }, q.options.map((o) => voteButton(b, q, o, () => { setChoice(q.id, o.code); rerender(); }, confirming))))));
  } else if (b.kind === "evaluation") {
    controls = buildEvaluation(b, qs, confirming);
  } else if (b.kind === "selection") {
    controls = buildSelection(b, qs, confirming);
  } else {
    controls = h("p", { class: "notice" }, b.kind);
  }
  const err = castError ? h("p", { class: "form-error", role: "alert" }, castError) : null;
  let footer;
  if (confirming) footer = buildConfirm(b);
  else if (b.kind !== "resolution") {
    const complete = choiceComplete(b);
    footer = h("div", { class: "submit-bar" },
      h("span", { class: "muted" }, complete ? t("seat.ready_to_confirm") : t("seat.answer_all")),
      h("button", { class: "btn primary huge", "data-fk": "next", disabled: !complete,
        onclick: () => { draft.stage = "confirm"; saveDraft(); rerender(); } }, t("seat.next_confirm")));
  }
  return [controls, err, footer];
}

function voteButton(b, q, o, onPick, locked, disabled = false) {
  const chosen = draft.choice[q.id] === o.code;
  return h("button", {
    type: "button",
    class: `vote-btn opt-${o.code}${chosen ? " chosen" : ""}`,
    "aria-pressed": chosen ? "true" : "false",
    "data-fk": `${q.id}:${o.code}`,
    "data-code": o.code,
    disabled: locked || (disabled && !chosen),
    onclick: onPick,
  }, h("span", { class: "vote-label" }, optionLabel(o)));
}

function buildEvaluation(b, qs, locked) {
  const grades = qs[0] ? qs[0].options : [];
  const caps = capsOf(b);
  const capNotes = Object.entries(caps).map(([code, cap]) => {
    const g = grades.find((x) => x.code === code);
    const n = gradeCount(code);
    return h("p", { class: `cap-note${n >= cap ? " full" : ""}`, "aria-live": "polite" },
      t("seat.cap_live", { grade: optionLabel(g), n, cap }));
  });
  const table = h("table", { class: "grade-grid" },
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("seat.eval_object")),
      grades.map((g) => h("th", { scope: "col" }, optionLabel(g))))),
    h("tbody", {}, qs.map((q) => h("tr", { role: "group", "aria-label": q.label },
      h("th", { scope: "row" }, q.label),
      q.options.map((o) => {
        const cap = caps[o.code];
        const full = cap != null && gradeCount(o.code) >= cap;
        return h("td", {}, voteButton(b, q, o, () => { setChoice(q.id, o.code); rerender(); }, locked, full));
      })))));
  return h("div", { class: "eval-block" }, capNotes, table);
}

function buildSelection(b, qs, locked) {
  const max = maxMarks(b);
  const k = marksOf(b);
  const counter = h("p", { class: `select-count${k >= max ? " full" : ""}`, "aria-live": "polite" },
    t("seat.selected_k_n", { k, n: max }), k >= max ? h("span", { class: "muted" }, ` ${t("seat.select_full")}`) : null);
  if (forCode(b) === "mark") {
    const list = h("ul", { class: "checklist" }, qs.map((q) => {
      const on = draft.choice[q.id] === "mark";
      const id = `sel-${q.id}`;
      const box = h("input", { type: "checkbox", id, checked: on, disabled: locked || (!on && k >= max), "data-fk": id,
        onchange: (e) => {
          const next = { ...draft.choice };
          if (e.target.checked) {
            if (marksOf(b) >= max) { e.target.checked = false; return; }
            next[q.id] = "mark";
          } else delete next[q.id];
          draft.choice = next;
          castError = null;
          saveDraft();
          rerender();
        } });
      return h("li", { class: on ? "on" : "" }, box, h("label", { for: id }, q.label));
    }));
    return h("div", { class: "select-block" }, counter, list);
  }
  const rows = h("div", { class: "vote-rows" }, qs.map((q) => h("div", { class: "vote-row", role: "group", "aria-label": q.label },
    h("p", { class: "row-label" }, q.label),
    h("div", { class: "vote-buttons three compact" }, q.options.map((o) => voteButton(b, q, o, () => { setChoice(q.id, o.code); rerender(); },
      locked, o.code === "for" && k >= max))))));
  return h("div", { class: "select-block" }, counter, rows);
}

function summaryOf(b, choice) {
  const qs = ballotQuestions(b);
  if (b.kind === "resolution") {
    const o = qs[0].options.find((x) => x.code === choice[qs[0].id]);
    return h("p", { class: `summary-one opt-${o ? o.code : ""}` }, o ? optionLabel(o) : "");
  }
  if (b.kind === "selection" && forCode(b) === "mark") {
    const chosen = qs.filter((q) => choice[q.id] === "mark");
    if (!chosen.length) return h("p", { class: "summary-one" }, t("seat.blank_selection"));
    return h("ol", { class: "summary-list" }, chosen.map((q) => h("li", {}, q.label)));
  }
  return h("ul", { class: "summary-list" }, qs.map((q) => {
    const o = q.options.find((x) => x.code === choice[q.id]);
    return h("li", {}, h("span", {}, q.label), h("strong", { class: `opt-text opt-${o ? o.code : "none"}` }, o ? optionLabel(o) : t("option.abstain_default")));
  }));
}

function buildConfirm(b) {
  return h("div", { class: "confirm-bar", role: "region", "aria-label": t("seat.confirm_title") },
    h("div", { class: "confirm-text" }, h("p", { class: "confirm-title" }, t("seat.confirm_title")), summaryOf(b, draft.choice)),
    h("div", { class: "confirm-actions" },
      h("button", { class: "btn ghost big", "data-fk": "back", disabled: sending,
        onclick: () => { draft.stage = "choose"; if (b.kind === "resolution") draft.choice = {}; saveDraft(); rerender(); } }, t("seat.back")),
      h("button", { class: "btn primary huge", id: "confirm-btn", "data-fk": "confirm", disabled: sending,
        onclick: () => submitCast(b) }, sending ? t("seat.sending") : t("seat.confirm"))),
    h("p", { class: "sending-note", id: "sending-note", "aria-live": "polite" }));
}

function buildVoted(b, me) {
  const v = me.vote || {};
  const choice = !b.secret ? (v.choice || (justVoted && justVoted.choice)) : null;
  return h("div", { class: "voted", role: "status" },
    h("div", { class: "voted-mark", "aria-hidden": "true" }, "✓"),
    h("div", {},
      h("p", { class: "voted-title" }, t("seat.voted")),
      h("p", { class: "receipt" }, t("seat.receipt"), h("code", { class: "receipt-code" }, v.receipt || "")),
      choice ? h("div", { class: "voted-choice" }, h("span", { class: "muted" }, t("seat.your_choice")), summaryOf(b, choice)) : null,
      h("p", { class: "muted" }, b.secret ? t("seat.voted_secret_note") : t("seat.voted_note")),
      b.allow_change && !b.secret && !timeUp(b)
        ? h("button", { class: "btn ghost big", "data-fk": "change", onclick: () => {
          changing = true;
          draft = { roundId: b.round_id, choice: { ...(choice || {}) }, stage: "choose" };
          saveDraft();
          rerender();
        } }, t("seat.change_vote"))
        : null));
}

function buildResult(b, voted, me) {
  const r = b.result;
  const mine = voted && me.vote && me.vote.receipt
    ? h("p", { class: "muted" }, t("seat.your_receipt"), h("code", { class: "receipt-code" }, me.vote.receipt)) : null;
  if (!r) return h("p", { class: "notice" }, t("seat.counting"));
  return h("div", { class: "result-block" },
    outcomeHeadline(r, { extraClass: "large" }),
    h("p", { class: "muted" }, turnoutLine(r)),
    resultTable(b, r),
    h("div", { class: "announcement" }, h("p", { class: "muted small" }, t("result.announcement")),
      h("p", { class: "announcement-text" }, announcement(r))),
    mine);
}

function rerender() {
  if (client && client.state) renderBallot(client.state);
}

async function submitCast(b) {
  if (sending) return;
  const choice = b.kind === "resolution" ? { main: draft.choice.main } : { ...draft.choice };
  const pending = { round_id: b.round_id, ballot_id: b.id, choice, cast_id: newCastId() };
  localStorage.setItem(PENDING_KEY, JSON.stringify(pending));
  await sendCast(pending);
}

async function sendCast(pending) {
  sending = true;
  castError = null;
  rerender();
  const ack = await client.call("cast", { ballot_id: pending.ballot_id, choice: pending.choice, cast_id: pending.cast_id },
    { retry: true });
  sending = false;
  const still = loadJSON(localStorage, PENDING_KEY);
  if (still && still.cast_id === pending.cast_id) localStorage.removeItem(PENDING_KEY);
  const state = client.state;
  if (ack && ack.ok) {
    justVoted = { round_id: pending.round_id, choice: ack.choice || pending.choice };
    if (state && state.ballot && state.ballot.round_id === pending.round_id) {
      state.me = { ...state.me, vote: { round_id: pending.round_id, voted: true, receipt: ack.receipt,
        choice: state.ballot.secret ? null : (ack.choice || pending.choice) } };
    }
    changing = false;
    draft = { roundId: pending.round_id, choice: {}, stage: "choose" };
    saveDraft();
    hideRemind();
  } else {
    castError = errorText(ack) || t("error.generic");
    draft.stage = "choose";
    saveDraft();
  }
  if (state) render(state, new Set(["me"]), "local");
}

/** A cast confirmed before a reload or a dropped link: send it again with its own cast_id. */
function resendPending() {
  const pending = loadJSON(localStorage, PENDING_KEY);
  const state = client && client.state;
  if (!pending || sending || !state || !state.ballot) return;
  if (state.ballot.round_id !== pending.round_id || state.ballot.status !== "open") return;
  if (hasVoted(state) && !changing) return;
  sendCast(pending);
}

function renderSending() {
  const note = document.getElementById("sending-note");
  if (!note) return;
  note.textContent = sending && client && client.status !== "online" ? t("seat.sending_offline") : "";
}

function renderProgress(state) {
  const el = document.getElementById("seat-progress");
  const b = state.ballot;
  if (!el || !b || b.status !== "open") return;
  el.textContent = t("ballot.progress_public", { voted: b.voted ?? 0, present: b.present ?? 0 });
}

// --- reminder ---------------------------------------------------------------------------------------

let remindTimer = null;

function showRemind() {
  if (!client || !client.state || hasVoted(client.state)) return;
  els.remind.hidden = false;
  els.remind.replaceChildren(h("p", {}, t("seat.remind")),
    h("button", { class: "btn ghost", onclick: hideRemind }, t("common.ok")));
  clearTimeout(remindTimer);
  remindTimer = setTimeout(hideRemind, 30000);
  if (navigator.vibrate) navigator.vibrate(200);
}

function hideRemind() {
  els.remind.hidden = true;
}

// --- current item, documents, speaking ----------------------------------------------------------------

function currentItem(state) {
  const ag = state.agenda || { items: [] };
  return (ag.items || []).find((i) => i.id === ag.current_item_id) || null;
}

function renderItem(state) {
  const item = currentItem(state);
  const me = state.me || {};
  const mine = (state.speakers || []).filter((s) => s.person_id === me.person_id);
  const queue = (state.speakers || []).filter((s) => s.status === "waiting");
  region(els.item, [item, mine, queue.map((s) => s.id), state.sitting && state.sitting.status, lang()], () => {
    if (!item) {
      return h("div", { class: "card" }, h("h2", {}, t("seat.current_item")),
        h("p", { class: "muted" }, state.sitting && state.sitting.status === "planned" ? t("seat.not_started") : t("seat.no_item")),
        sittingLine(state));
    }
    const docs = item.documents || [];
    const req = mine[0];
    let speak;
    if (req && req.status === "granted") {
      speak = h("p", { class: "speak-state granted", role: "status" }, t("seat.speak_granted"));
    } else if (req) {
      const pos = queue.findIndex((s) => s.id === req.id) + 1;
      speak = h("div", { class: "speak-state" }, h("span", {}, t("seat.speak_waiting", { n: pos || 1 })),
        h("button", { class: "btn ghost", "data-fk": "withdraw", onclick: () => withdraw(req.id) }, t("seat.speak_withdraw")));
    } else {
      speak = h("button", { class: "btn secondary big", "data-fk": "speak", onclick: () => speakRequest(item.id) }, t("seat.speak"));
    }
    return h("div", { class: "card item-card" },
      h("p", { class: "eyebrow" }, t("seat.current_item"), " · ", t("agenda.item_no", { n: item.position })),
      h("h2", { class: "item-title" }, item.title),
      sittingLine(state),
      h("div", { class: "item-actions" }, speak),
      h("h3", {}, t("seat.documents")),
      docs.length
        ? h("ul", { class: "doc-list" }, docs.map((d) => h("li", {},
          h("button", { class: "btn doc", "data-fk": `doc-${d.id}`, onclick: () => openDocument(d) },
            h("span", { class: "doc-icon", "aria-hidden": "true" }, "PDF"),
            h("span", {}, d.filename), h("span", { class: "muted small" }, sizeText(d.size))))))
        : h("p", { class: "muted" }, t("seat.no_documents")));
  });
}

function sittingLine(state) {
  const s = state.sitting || {};
  return h("p", { class: "muted small" }, [fmtDate(s.date), s.place].filter(Boolean).join(" · "));
}

function sizeText(n) {
  if (!n) return "";
  return n > 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(n / 1024))} KB`;
}

async function speakRequest(itemId) {
  const ack = await client.call("speak", { item_id: itemId });
  if (ackOk(ack)) toast(t("seat.speak_sent"), "ok");
}

async function withdraw(requestId) {
  ackOk(await client.call("speaker", { request_id: requestId, move: "withdraw" }));
}

let docUrl = null;
let docOpener = null;

async function openDocument(doc) {
  docOpener = document.activeElement;
  const frameBox = els.viewer.querySelector(".viewer-body");
  els.viewer.querySelector(".viewer-title").textContent = doc.filename;
  frameBox.replaceChildren(h("p", { class: "muted" }, t("common.loading")));
  els.viewer.hidden = false;
  els.viewer.querySelector(".viewer-close").focus();
  try {
    // The document route wants the tablet's bearer token: fetch it and show it from a blob URL.
    const r = await fetch(`/api/documents/${doc.id}`, { headers: { Authorization: `Bearer ${token}` } });
    if (!r.ok) throw new ApiError(r.status, await r.json().catch(() => null));
    const blob = await r.blob();
    if (docUrl) URL.revokeObjectURL(docUrl);
    docUrl = URL.createObjectURL(new Blob([blob], { type: "application/pdf" }));
    // <object> shows the PDF where the browser can; elsewhere (some tablet browsers) its fallback
    // offers the file itself.
    frameBox.replaceChildren(h("object", { class: "pdf-frame", data: docUrl, type: "application/pdf", "aria-label": doc.filename },
      h("div", { class: "pdf-fallback" }, h("p", {}, t("seat.pdf_fallback")),
        h("a", { class: "btn primary big", href: docUrl, download: doc.filename, target: "_blank", rel: "noopener" }, t("seat.pdf_open")))));
  } catch (ex) {
    frameBox.replaceChildren(h("p", { class: "form-error" }, ex instanceof ApiError ? ex.text : t("error.network")));
  }
}

function closeDocument() {
  els.viewer.hidden = true;
  els.viewer.querySelector(".viewer-body").replaceChildren();
  if (docUrl) URL.revokeObjectURL(docUrl);
  docUrl = null;
  if (docOpener && document.contains(docOpener)) docOpener.focus();
}

// --- results of the sitting -----------------------------------------------------------------------

function renderResults(state) {
  const results = state.results || [];
  region(els.results, [results, lang()], () => {
    if (!results.length) return [];
    return h("details", { class: "card results-list" },
      h("summary", {}, t("seat.results_of_sitting", { n: results.length })),
      h("ul", {}, results.map((r) => h("li", {},
        h("span", {}, r.title, r.round > 1 ? ` (${t("ballot.round_n", { n: r.round })})` : ""),
        h("span", { class: `verdict-pill ${outcomeClass(r.outcome)}` },
          t(`outcome.${r.outcome}`))))));
  });
}

// --- start -------------------------------------------------------------------------------------------

function tick() {
  if (!client || !client.state) return;
  tickCountdowns(client);
  const b = client.state.ballot;
  if (b && b.status === "open" && b.deadline) renderBallot(client.state); // rebuilds only when time runs out
}

async function main() {
  chrome();
  els.viewer.querySelector(".viewer-close").addEventListener("click", closeDocument);
  els.viewer.addEventListener("keydown", (e) => { if (e.key === "Escape") closeDocument(); });
  onLangChange(() => {
    invalidate(els.signin, els.ballot, els.item, els.results);
    if (client && client.state) render(client.state, new Set(), "lang");
    else if (!els.pairing.hidden) showPairing();
  });
  setInterval(tick, 1000);
  const params = new URLSearchParams(location.search);
  const code = params.get("pair");
  if (code) {
    params.delete("pair");
    const rest = params.toString();
    history.replaceState(null, "", location.pathname + (rest ? `?${rest}` : ""));
    try {
      await pair({ code });
    } catch (ex) {
      showPairing(ex instanceof ApiError ? ex.text : t("error.network"));
      return;
    }
  }
  if (token) startLive();
  else showPairing();
}

main();
