// The chair's console: attendance and quorum, the agenda, opening/timing/closing ballots, progress,
// reminders, re-votes, the speaker queue and the announcement to read out after each close.
import { LiveClient } from "./client.js";
import {
  ackOk,
  announcement,
  attendanceFigures,
  chrome,
  connectionIndicator,
  errorText,
  fmtClock,
  fmtDate,
  fmtTime,
  h,
  invalidate,
  kindLabel,
  lang,
  logout,
  onLangChange,
  outcomeClass,
  outcomeHeadline,
  pick,
  region,
  resultBars,
  resultTable,
  sittingPicker,
  staffGate,
  t,
  tickCountdowns,
  toast,
  turnoutLine,
} from "./ui.js";

const els = {
  login: document.getElementById("login"),
  app: document.getElementById("chair-app"),
  title: document.getElementById("top-title"),
  who: document.getElementById("who"),
  logout: document.getElementById("logout"),
  att: document.getElementById("att-body"),
  speakers: document.getElementById("speakers-body"),
  alert: document.getElementById("quorum-alert"),
  current: document.getElementById("current-panel"),
  results: document.getElementById("results-body"),
  sitting: document.getElementById("sitting-body"),
  agenda: document.getElementById("agenda-body"),
};

let client = null;
// Inline confirmations: {kind: "override"|"close"|"revote"|"close_sitting"|"finish", id, message}
let pending = null;
let busy = false;

function params() {
  return new URLSearchParams(location.search);
}

async function main() {
  chrome();
  els.logout.addEventListener("click", logout);
  const who = await staffGate(els.login, els.app, ["chair"]);
  els.who.textContent = who.name || "";
  els.logout.hidden = false;
  const sid = parseInt(params().get("sitting"), 10);
  client = new LiveClient({ sittingId: Number.isFinite(sid) ? sid : null });
  connectionIndicator(client);
  client.on("state", (state) => render(state));
  client.on("refused", (why) => {
    if (why.error === "unauthenticated") location.reload(); // the staff session ended: log in again
    if (!client.state) els.current.replaceChildren(h("p", { class: "notice warn" }, errorText(why)));
  });
  onLangChange(() => {
    invalidate(els.att, els.speakers, els.alert, els.current, els.results, els.sitting, els.agenda);
    if (client.state) render(client.state);
  });
  client.connect();
  setInterval(tick, 1000);
}

function render(state) {
  const s = state.sitting || {};
  els.title.textContent = s.title || "";
  document.title = `${t("chair.page_title")} · ${s.title || ""}`;
  renderAttendance(state);
  renderAlert(state);
  renderCurrent(state);
  renderSpeakers(state);
  renderResults(state);
  renderSitting(state);
  renderAgenda(state);
}

function tick() {
  if (!client || !client.state) return;
  tickCountdowns(client);
}

async function command(name, payload, okText) {
  if (busy) return null;
  busy = true;
  const ack = await client.call(name, payload);
  busy = false;
  if (ack && ack.ok && okText) toast(okText, "ok");
  return ack;
}

function setPending(p) {
  pending = p;
  invalidate(els.current, els.sitting, els.agenda);
  render(client.state);
  const focus = document.querySelector(".inline-confirm [data-autofocus]");
  if (focus) focus.focus();
}

// --- attendance -------------------------------------------------------------------------------------

function renderAttendance(state) {
  const att = state.attendance;
  region(els.att, [att, lang()], () => {
    if (!att) return h("p", { class: "muted" }, t("common.loading"));
    const people = att.people || [];
    const notHere = people.filter((p) => p.role === "member" && !["present", "video"].includes(p.status));
    return [
      attendanceFigures(att),
      notHere.length
        ? h("details", { class: "absent-list" },
          h("summary", {}, t("chair.not_present", { n: notHere.length })),
          h("ul", {}, notHere.map((p) => h("li", {},
            h("span", {}, p.name), h("span", { class: `status-tag st-${p.status}` }, t(`status.${p.status}`)),
            p.reason ? h("span", { class: "muted small" }, p.reason) : null))))
        : null,
    ];
  });
}

function renderAlert(state) {
  const att = state.attendance;
  const open = state.sitting && state.sitting.status === "open";
  const lost = Boolean(open && att && !att.quorum_held);
  region(els.alert, [lost, att && att.attending, att && att.quorum_needed, lang()], () => lost
    ? h("div", { class: "alert danger", role: "alert" },
      h("strong", {}, t("chair.quorum_lost_title")), " ",
      t("chair.quorum_lost_text", { present: att.attending, needed: att.quorum_needed }))
    : []);
}

// --- current item and ballot -----------------------------------------------------------------------------

function currentItem(state) {
  const ag = state.agenda || { items: [] };
  return (ag.items || []).find((i) => i.id === ag.current_item_id) || null;
}

function openBallotId(state) {
  const b = state.ballot;
  return b && b.status === "open" ? b.id : null;
}

function renderCurrent(state) {
  const item = currentItem(state);
  const b = state.ballot;
  const deps = [item, b && { ...b, voted: undefined, non_voters: undefined }, pending, state.sitting && state.sitting.status, lang()];
  region(els.current, deps, () => buildCurrent(state, item, b));
  renderProgress(state);
}

function buildCurrent(state, item, b) {
  const sitting = state.sitting || {};
  if (sitting.status !== "open") {
    return h("div", { class: "empty-state" },
      h("h2", {}, sitting.status === "closed" ? t("chair.sitting_closed") : t("chair.sitting_planned")),
      h("p", { class: "muted" }, sitting.status === "closed" ? t("chair.sitting_closed_help") : t("chair.sitting_planned_help")));
  }
  if (!item) {
    return h("div", { class: "empty-state" }, h("h2", {}, t("chair.no_current")), h("p", { class: "muted" }, t("chair.no_current_help")));
  }
  const open = openBallotId(state);
  const head = h("header", { class: "panel-head" },
    h("div", {}, h("p", { class: "eyebrow" }, t("chair.current_item"), " · ", t("agenda.item_no", { n: item.position })),
      h("h2", { id: "current-title" }, item.title)),
    h("button", { class: "btn ghost", disabled: Boolean(open), "data-fk": "finish",
      onclick: () => finishItem(item) }, t("chair.finish_item")));
  const blocks = [head];
  if (pending && pending.kind === "override") {
    const { id, revote: again } = pending;
    blocks.push(confirmBox(pending.message, t("chair.override_confirm"), () => (again ? revote(id, true) : openBallot(id, true))));
  }
  if (b && b.item_id === item.id) blocks.push(b.status === "open" ? buildLive(b) : buildClosed(b, open));
  const others = (item.ballots || []);
  if (others.length) {
    blocks.push(h("h3", { class: "section-title" }, t("chair.ballots_of_item")),
      h("ul", { class: "ballot-list" }, others.map((x) => ballotRow(x, open))));
  } else {
    blocks.push(h("p", { class: "muted" }, t("chair.no_ballots")));
  }
  return blocks;
}

function ballotRow(x, openId) {
  let action = null;
  if (x.status === "draft") {
    action = h("button", { class: "btn primary", disabled: Boolean(openId), "data-fk": `open-${x.id}`,
      onclick: () => openBallot(x.id, false) }, t("chair.open_ballot"));
  } else if (x.status === "closed") {
    action = h("button", { class: "btn ghost", disabled: Boolean(openId), "data-fk": `revote-${x.id}`,
      onclick: () => setPending({ kind: "revote", id: x.id, message: t("chair.revote_confirm_text", { title: x.title }) }) },
    t("chair.revote"));
  }
  const status = x.status === "open" ? t("ballot.status_open") : x.status === "closed" ? t("ballot.status_closed") : t("ballot.status_draft");
  const row = h("li", { class: `ballot-row st-${x.status}` },
    h("div", {}, h("span", { class: "ballot-row-title" }, x.title),
      h("span", { class: "chips" }, h("span", { class: "chip" }, kindLabel(x.kind)),
        h("span", { class: "chip" }, x.secret ? t("ballot.secret") : t("ballot.named")),
        x.method !== "tablet" ? h("span", { class: "chip" }, t(`method.${x.method}`)) : null,
        x.rounds > 1 ? h("span", { class: "chip" }, t("ballot.rounds_n", { n: x.rounds })) : null)),
    h("span", { class: `status-tag st-${x.status}` }, status),
    action);
  if (pending && pending.kind === "revote" && pending.id === x.id) {
    return [row, h("li", {}, confirmBox(pending.message, t("chair.revote"), () => revote(x.id)))];
  }
  return row;
}

function buildLive(b) {
  const closing = pending && pending.kind === "close" && pending.id === b.id;
  return h("section", { class: "live-ballot", "aria-labelledby": "live-title" },
    h("div", { class: "live-head" },
      h("div", {},
        h("div", { class: "chips" }, h("span", { class: "chip live" }, t("ballot.status_open")),
          h("span", { class: "chip" }, kindLabel(b.kind)), h("span", { class: "chip" }, b.secret ? t("ballot.secret") : t("ballot.named")),
          b.round > 1 ? h("span", { class: "chip warn" }, t("ballot.round_n", { n: b.round })) : null),
        h("h3", { id: "live-title" }, b.title),
        h("p", { class: "muted" }, t("ballot.needed", { n: b.needed }), " · ", pick(b.threshold_zh, b.threshold_en))),
      h("div", { class: "timer-box" },
        h("span", { class: "muted small" }, t("chair.time_left")),
        b.deadline
          ? h("span", { class: "countdown big", "data-deadline": b.deadline, role: "timer" }, fmtClock(client.secondsLeft(b.deadline)))
          : h("span", { class: "countdown big none" }, t("chair.no_timer")))),
    h("div", { class: "progress-box", id: "chair-progress" }),
    h("div", { class: "live-actions", role: "group", "aria-label": t("chair.ballot_actions") },
      h("button", { class: "btn secondary", "data-fk": "remind", onclick: () => remind(b.id) }, t("chair.remind")),
      [30, 60, 120].map((sec) => h("button", { class: "btn ghost", "data-fk": `extend-${sec}`,
        onclick: () => extend(b.id, sec) }, t("chair.extend", { n: sec }))),
      h("button", { class: "btn danger big", "data-fk": "close", disabled: closing,
        onclick: () => setPending({ kind: "close", id: b.id, message: t("chair.close_confirm_text") }) }, t("chair.close_ballot"))),
    closing ? confirmBox(pending.message, t("chair.close_ballot"), () => closeBallot(b.id), "danger") : null);
}

function renderProgress(state) {
  const el = document.getElementById("chair-progress");
  const b = state.ballot;
  if (!el || !b || b.status !== "open") return;
  const voted = b.voted ?? 0;
  const present = b.present ?? 0;
  const pct = present ? Math.min(100, Math.round((100 * voted) / present)) : 0;
  region(el, [voted, present, b.non_voters, b.secret, lang()], () => [
    h("p", { class: "progress-figure" }, h("span", { class: "muted" }, t("chair.voted_label")),
      h("strong", {}, voted), h("span", { class: "of" }, ` / ${present}`)),
    h("div", { class: "progress-track", role: "progressbar", "aria-valuemin": "0", "aria-valuemax": String(present),
      "aria-valuenow": String(voted), "aria-label": t("chair.voted_label") }, h("div", { class: "progress-fill", style: `width:${pct}%` })),
    b.secret
      ? h("p", { class: "muted small" }, t("chair.secret_no_names"))
      : (b.non_voters && b.non_voters.length
        ? h("div", { class: "non-voters" }, h("p", { class: "muted small" }, t("chair.non_voters", { n: b.non_voters.length })),
          h("ul", { class: "name-chips" }, b.non_voters.map((p) => h("li", {}, p.seat ? `${p.seat} ${p.name}` : p.name))))
        : h("p", { class: "muted small" }, t("chair.all_voted"))),
  ]);
}

function buildClosed(b, openId) {
  const r = b.result;
  if (!r) return h("p", { class: "muted" }, t("seat.counting"));
  return h("section", { class: "closed-ballot", "aria-labelledby": "closed-title" },
    h("div", { class: "closed-head" },
      h("div", {}, h("p", { class: "eyebrow" }, t("chair.result_of"), b.round > 1 ? ` · ${t("ballot.round_n", { n: b.round })}` : ""),
        h("h3", { id: "closed-title" }, b.title),
        h("p", { class: "muted" }, turnoutLine(r), b.method_used && b.method_used !== "tablet" ? ` · ${t(`method.${b.method_used}`)}` : "")),
      outcomeHeadline(r, { extraClass: "huge" })),
    h("div", { class: "script" },
      h("p", { class: "script-label" }, t("chair.script")),
      h("p", { class: "script-text", id: "announcement" }, announcement(r))),
    r.kind === "resolution" || (r.kind === "appointment" && r.questions.length === 1)
      ? resultBars(b, r)
      : resultTable(b, r));
}

function confirmBox(message, label, onYes, tone = "primary") {
  return h("div", { class: "inline-confirm", role: "alertdialog", "aria-label": message },
    h("p", {}, message),
    h("div", { class: "confirm-actions" },
      h("button", { class: `btn ${tone}`, "data-autofocus": "", "data-fk": "confirm-yes", onclick: async (e) => {
        e.currentTarget.disabled = true;
        await onYes();
      } }, label),
      h("button", { class: "btn ghost", "data-fk": "confirm-no", onclick: () => setPending(null) }, t("common.cancel"))));
}

async function openBallot(id, override) {
  const ack = await command("open_ballot", override ? { ballot_id: id, override_quorum: true } : { ballot_id: id });
  if (!ack) return;
  if (ack.ok) {
    setPending(null);
    toast(t("chair.opened"), "ok");
  } else if (ack.error === "no_quorum" && !override) {
    setPending({ kind: "override", id, message: overrideMessage(ack) });
  } else {
    setPending(null);
    ackOk(ack);
  }
}

async function closeBallot(id) {
  const ack = await command("close_ballot", { ballot_id: id });
  setPending(null);
  if (ackOk(ack)) toast(t("chair.closed"), "ok");
}

async function revote(id, override = false) {
  const ack = await command("revote", override ? { ballot_id: id, override_quorum: true } : { ballot_id: id });
  if (!ack) return;
  if (ack.ok) {
    setPending(null);
    toast(t("chair.revote_opened"), "ok");
  } else if (ack.error === "no_quorum" && !override) {
    // Without quorum the chair must say so explicitly (the override is audited).
    setPending({ kind: "override", id, revote: true, message: overrideMessage(ack) });
  } else {
    setPending(null);
    ackOk(ack);
  }
}

function overrideMessage(ack) {
  return `${errorText(ack)}${lang() === "en" ? ". " : "。"}${t("chair.override_question")}`;
}

async function extend(id, seconds) {
  const ack = await command("extend", { ballot_id: id, seconds });
  if (ackOk(ack)) toast(t("chair.extended", { n: seconds }), "ok");
}

async function remind(id) {
  const ack = await command("remind", { ballot_id: id });
  if (ackOk(ack)) toast(t("chair.reminded", { n: ack.reminded ?? 0 }), "ok");
}

async function finishItem(item) {
  ackOk(await command("finish_item", { item_id: item.id }));
}

async function startItem(item) {
  ackOk(await command("start_item", { item_id: item.id }));
}

// --- speakers ---------------------------------------------------------------------------------------

function renderSpeakers(state) {
  const list = state.speakers || [];
  region(els.speakers, [list, lang()], () => {
    if (!list.length) return h("p", { class: "muted" }, t("chair.no_speakers"));
    return h("ol", { class: "speaker-list" }, list.map((s) => h("li", { class: `speaker st-${s.status}` },
      h("span", { class: "speaker-name" }, s.seat ? `${s.seat} ` : "", s.name,
        s.role === "observer" ? h("span", { class: "chip" }, t("seat.observer_tag")) : null),
      s.status === "granted"
        ? [h("span", { class: "status-tag st-open" }, t("chair.speaking")),
          h("button", { class: "btn ghost", "data-fk": `done-${s.id}`, onclick: () => speaker(s.id, "done") }, t("chair.speaker_done"))]
        : h("button", { class: "btn secondary", "data-fk": `grant-${s.id}`, onclick: () => speaker(s.id, "grant") }, t("chair.speaker_grant")))));
  });
}

async function speaker(id, move) {
  ackOk(await command("speaker", { request_id: id, move }));
}

// --- results of the sitting -------------------------------------------------------------------------

function renderResults(state) {
  const list = state.results || [];
  region(els.results, [list, lang()], () => {
    if (!list.length) return h("p", { class: "muted" }, t("chair.no_results"));
    return h("ol", { class: "results-history" }, [...list].reverse().map((r) => h("li", {},
      h("details", {},
        h("summary", {},
          h("span", {}, r.title, r.round > 1 ? ` · ${t("ballot.round_n", { n: r.round })}` : ""),
          h("span", { class: `verdict-pill ${outcomeClass(r.outcome)}` }, t(`outcome.${r.outcome}`)),
          h("span", { class: "muted small" }, fmtTime(r.closed_at))),
        h("p", { class: "script-text small" }, pick(r.announcement_zh, r.announcement_en))))));
  });
}

// --- sitting and agenda -------------------------------------------------------------------------------

function renderSitting(state) {
  const s = state.sitting || {};
  region(els.sitting, [s, pending && pending.kind === "close_sitting", lang()], () => {
    const status = h("span", { class: `status-tag st-sitting-${s.status}` }, t(`sitting.${s.status}`));
    let action = null;
    if (s.status === "planned") {
      action = h("button", { class: "btn primary", "data-fk": "open-sitting", onclick: async () => {
        if (ackOk(await command("open_sitting", {}))) toast(t("chair.sitting_opened"), "ok");
      } }, t("chair.open_sitting"));
    } else if (s.status === "open") {
      action = pending && pending.kind === "close_sitting"
        ? confirmBox(t("chair.close_sitting_confirm"), t("chair.close_sitting"), async () => {
          const ack = await command("close_sitting", {});
          setPending(null);
          ackOk(ack);
        }, "danger")
        : h("button", { class: "btn ghost", "data-fk": "close-sitting",
          onclick: () => setPending({ kind: "close_sitting" }) }, t("chair.close_sitting"));
    }
    return [
      h("p", { class: "sitting-title" }, s.title || ""),
      h("p", { class: "muted small" }, [s.body && s.body.name, fmtDate(s.date), s.place].filter(Boolean).join(" · ")),
      h("div", { class: "sitting-status" }, status, action),
      sittingPicker(client, s.id),
    ];
  });
}

function renderAgenda(state) {
  const ag = state.agenda || { items: [] };
  const open = openBallotId(state);
  const sittingOpen = state.sitting && state.sitting.status === "open";
  region(els.agenda, [ag, open, sittingOpen, lang()], () => {
    if (!ag.items || !ag.items.length) return h("p", { class: "muted" }, t("chair.no_items"));
    return h("ol", { class: "agenda-list" }, ag.items.map((item) => {
      const current = item.id === ag.current_item_id;
      return h("li", { class: `agenda-item st-${item.status}${current ? " current" : ""}`, "aria-current": current ? "step" : null },
        h("span", { class: "agenda-no" }, item.position),
        h("div", { class: "agenda-main" },
          h("span", { class: "agenda-title" }, item.title),
          h("span", { class: "agenda-sub" },
            h("span", { class: `status-tag st-${item.status}` }, t(`item.${item.status}`)),
            (item.ballots || []).map((b) => h("span", { class: `mini-ballot st-${b.status}`, title: b.title },
              `${kindLabel(b.kind)} · ${t(`ballot.status_${b.status}`)}`)),
            item.documents && item.documents.length ? h("span", { class: "muted small" }, t("chair.docs_n", { n: item.documents.length })) : null)),
        !current && sittingOpen
          ? h("button", { class: "btn ghost small", disabled: Boolean(open), "data-fk": `start-${item.id}`,
            "aria-label": `${t("chair.start_item")}：${item.title}`, onclick: () => startItem(item) },
          item.status === "done" ? t("chair.resume_item") : t("chair.start_item"))
          : null);
    }));
  });
}

main();
