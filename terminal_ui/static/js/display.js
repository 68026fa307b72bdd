// The hall display (1920×1080): sitting, attendance and quorum, current item, ballot progress, and
// the result with a chart and 通过 / 未获通过 large enough to read across the hall.
import { LiveClient } from "./client.js";
import {
  announcement,
  attendanceFigures,
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
  outcomeHeadline,
  pick,
  region,
  resultBars,
  resultTable,
  sittingPicker,
  staffGate,
  t,
  tickCountdowns,
  turnoutLine,
} from "./ui.js";

const els = {
  login: document.getElementById("login"),
  app: document.getElementById("hall"),
  body: document.getElementById("hall-body"),
  title: document.getElementById("hall-title"),
  date: document.getElementById("hall-date"),
  clock: document.getElementById("hall-clock"),
  att: document.getElementById("hall-att"),
  item: document.getElementById("hall-item"),
  ballot: document.getElementById("hall-ballot"),
  tools: document.getElementById("hall-tools"),
};

let client = null;

async function main() {
  chrome();
  await staffGate(els.login, els.app, ["display", "clerk", "chair", "admin"]);
  document.body.classList.add("hall-on");
  const sid = parseInt(new URLSearchParams(location.search).get("sitting"), 10);
  client = new LiveClient({ sittingId: Number.isFinite(sid) ? sid : null });
  connectionIndicator(client);
  client.on("state", (state) => render(state));
  client.on("refused", (why) => {
    if (why.error === "unauthenticated") location.reload(); // the staff session ended: log in again
    if (!client.state) els.ballot.replaceChildren(h("p", { class: "hall-wait" }, errorText(why)));
  });
  onLangChange(() => {
    invalidate(els.att, els.item, els.ballot, els.tools);
    if (client.state) render(client.state);
  });
  document.getElementById("fullscreen").addEventListener("click", () => {
    if (!document.fullscreenElement) document.documentElement.requestFullscreen().catch(() => {});
    else document.exitFullscreen();
  });
  client.connect();
  setInterval(tick, 1000);
  tick();
}

function tick() {
  const now = client ? new Date(client.now()) : new Date();
  els.clock.textContent = now.toLocaleTimeString(lang() === "en" ? "en-GB" : "zh-CN", { hour: "2-digit", minute: "2-digit" });
  if (!client || !client.state) return;
  tickCountdowns(client);
}

function render(state) {
  const s = state.sitting || {};
  els.body.textContent = (s.body && s.body.name) || "";
  els.title.textContent = s.title || "";
  els.date.textContent = [fmtDate(s.date), s.place].filter(Boolean).join(" · ");
  document.title = `${t("display.page_title")} · ${s.title || ""}`;
  region(els.att, [state.attendance && { ...state.attendance, people: undefined }, lang()], () => [
    h("h2", { class: "hall-h" }, t("display.attendance")),
    attendanceFigures(state.attendance),
  ]);
  const ag = state.agenda || { items: [] };
  const item = (ag.items || []).find((i) => i.id === ag.current_item_id) || null;
  region(els.item, [item && { id: item.id, title: item.title, position: item.position }, s.status, lang()], () => item
    ? [h("p", { class: "hall-label" }, t("display.current_item"), " · ", t("agenda.item_no", { n: item.position })),
      h("h1", { class: "hall-item-title" }, item.title)]
    : [h("p", { class: "hall-label" }, t("display.current_item")),
      h("h1", { class: "hall-item-title muted" }, s.status === "closed" ? t("display.closed") : s.status === "open" ? t("display.between_items") : t("display.not_open"))]);
  const b = state.ballot;
  region(els.ballot, [b && { ...b, voted: undefined, non_voters: undefined }, lang()], () => buildBallot(b));
  renderProgress(b);
  region(els.tools, [s.id, lang()], () => sittingPicker(client, s.id));
}

function buildBallot(b) {
  if (!b) return h("p", { class: "hall-wait" }, t("display.waiting"));
  const head = h("div", { class: "hall-ballot-head" },
    h("div", { class: "chips" }, h("span", { class: `chip ${b.status === "open" ? "live" : "done"}` },
      b.status === "open" ? t("display.voting_now") : t("display.result")),
    h("span", { class: "chip" }, kindLabel(b.kind)), h("span", { class: "chip" }, b.secret ? t("ballot.secret") : t("ballot.named")),
    b.round > 1 ? h("span", { class: "chip warn" }, t("ballot.round_n", { n: b.round })) : null),
    h("h2", { class: "hall-ballot-title" }, b.title));
  if (b.status === "open") {
    return h("section", { class: "hall-live" }, head,
      h("div", { class: "hall-live-grid" },
        h("div", { class: "hall-stat" }, h("span", { class: "hall-stat-l" }, t("display.needed")), h("span", { class: "hall-stat-n" }, b.needed)),
        h("div", { class: "hall-stat" }, h("span", { class: "hall-stat-l" }, t("display.time_left")),
          b.deadline ? h("span", { class: "hall-stat-n countdown", "data-deadline": b.deadline }, fmtClock(client.secondsLeft(b.deadline)))
            : h("span", { class: "hall-stat-n dim" }, "—")),
        h("div", { class: "hall-stat wide", id: "hall-progress" })),
      h("p", { class: "hall-note" }, t("display.secret_note")));
  }
  const r = b.result;
  if (!r) return h("section", {}, head, h("p", { class: "hall-wait" }, t("seat.counting")));
  const showTable = r.kind === "evaluation" && r.questions.length > 8;
  return h("section", { class: `hall-result kind-${r.kind}` }, head,
    h("div", { class: "hall-result-grid" },
      h("div", { class: "hall-verdict" }, outcomeHeadline(r, { extraClass: "giant" }),
        h("p", { class: "hall-turnout" }, turnoutLine(r)),
        b.method_used && b.method_used !== "tablet" ? h("p", { class: "hall-turnout" }, t(`method.${b.method_used}`)) : null),
      h("div", { class: "hall-chart" }, showTable ? resultTable(b, r) : resultBars(b, r))),
    h("p", { class: "hall-announcement" }, announcement(r)));
}

function renderProgress(b) {
  const el = document.getElementById("hall-progress");
  if (!el || !b || b.status !== "open") return;
  const voted = b.voted ?? 0;
  const present = b.present ?? 0;
  const pct = present ? Math.min(100, (100 * voted) / present) : 0;
  region(el, [voted, present, lang()], () => [
    h("span", { class: "hall-stat-l" }, t("display.voted")),
    h("span", { class: "hall-stat-n" }, String(voted), h("small", {}, ` / ${present}`)),
    h("div", { class: "progress-track hall", role: "progressbar", "aria-valuemin": "0", "aria-valuemax": String(present),
      "aria-valuenow": String(voted), "aria-label": t("display.voted") }, h("div", { class: "progress-fill", style: `width:${pct}%` })),
  ]);
}

main();
