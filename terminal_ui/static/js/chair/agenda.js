// The agenda: every item with its status, ballots and papers; the chair starts the next item here.
import { h } from "../core/dom.js";
import { t } from "../core/i18n.js";
import { Panel } from "../core/panel.js";
import { kindLabel } from "../views/labels.js";
import { canWithdrawItem, withdrawButton, withdrawnNote } from "../views/withdraw.js";
import { run, withdraw } from "./commands.js";

function item(client, it, { current, sittingOpen, ballotOpen, sittingStatus }) {
  const start = !current && sittingOpen && it.status !== "withdrawn"
    ? h("button", { class: "btn ghost small", disabled: ballotOpen, "data-fk": `start-${it.id}`,
      "aria-label": t("common.labelled", { label: t("chair.start_item"), value: it.title }), onclick: () => run(client, "start_item", { item_id: it.id }) },
    t(it.status === "done" ? "chair.resume_item" : "chair.start_item"))
    : null;
  const withdrawAction = canWithdrawItem(it, sittingStatus)
    ? withdrawButton({ kind: "item", id: it.id, title: it.title }, (reason) => withdraw(client, "item", it.id, reason))
    : null;
  return h("li", { class: `agenda-item st-${it.status}${current ? " current" : ""}`, "aria-current": current ? "step" : null },
    h("span", { class: "agenda-no" }, it.position),
    h("div", { class: "agenda-main" },
      h("span", { class: "agenda-title" }, it.title),
      h("span", { class: "agenda-sub" },
        h("span", { class: `status-tag st-${it.status}` }, t(`item.${it.status}`)),
        (it.ballots || []).map((b) => h("span", { class: `mini-ballot st-${b.status}`, title: b.title },
          `${kindLabel(b.kind)} · ${t(`ballot.status_${b.status}`)}`)),
        it.documents && it.documents.length ? h("span", { class: "muted small" }, t("chair.docs_n", { n: it.documents.length })) : null),
      withdrawnNote(it)),
    h("div", { class: "agenda-actions" }, start, withdrawAction));
}

export function agendaPanel(client, el) {
  const state = () => client.state || {};
  const view = () => ({
    agenda: state().agenda || { items: [] },
    ballotOpen: Boolean(state().ballot && state().ballot.status === "open"),
    sittingOpen: Boolean(state().sitting && state().sitting.status === "open"),
    sittingStatus: state().sitting && state().sitting.status,
  });
  return new Panel({
    el,
    reads: ["agenda", "ballot", "sitting"],
    key: () => { const v = view(); return [v.agenda, v.ballotOpen && state().ballot.id, v.sittingStatus]; },
    build: () => {
      const { agenda, ballotOpen, sittingOpen, sittingStatus } = view();
      if (!agenda.items || !agenda.items.length) return h("p", { class: "muted" }, t("chair.no_items"));
      return h("ol", { class: "agenda-list" }, agenda.items.map((it) => item(client, it,
        { current: it.id === agenda.current_item_id, sittingOpen, ballotOpen, sittingStatus })));
    },
  });
}
