// The agenda of the chosen sitting: its items (an amendment points at the item it amends), each with
// its papers (PDF uploads) and its ballots; adding an item, and a ballot through the ballot form.
import { api } from "../core/api.js";
import { focusId, h } from "../core/dom.js";
import { fmtSize } from "../core/format.js";
import { t } from "../core/i18n.js";
import { Panel } from "../core/panel.js";
import { ballotChips, kindLabel, methodLabel, verdictPill } from "../views/labels.js";
import { ballotForm, formFor, newForm } from "./ballot-form.js";
import { get, guarded, loadAgenda } from "./data.js";

const ITEM_KINDS = ["resolution", "appointment", "evaluation", "selection", "report", "other"];

function addItemForm(items) {
  const title = h("input", { id: "i-title", required: true });
  const kind = h("select", { id: "i-kind" }, ITEM_KINDS.map((k) => h("option", { value: k }, kindLabel(k))));
  const amends = h("select", { id: "i-amends" }, h("option", { value: "" }, t("clerk.amends_none")),
    items.map((i) => h("option", { value: String(i.id) }, `${i.position}. ${i.title}`)));
  return h("form", { class: "form-row", onsubmit: async (e) => {
    e.preventDefault();
    const item = { title: title.value.trim(), kind: kind.value };
    if (amends.value) item.amends_item_id = parseInt(amends.value, 10);
    if (await guarded(() => api("POST", `/api/sittings/${get("sittingId")}/items`, item), t("clerk.item_added"))) await guarded(loadAgenda);
  } },
  h("div", { class: "grow" }, h("label", { for: "i-title" }, t("clerk.item_title")), title),
  h("div", {}, h("label", { for: "i-kind" }, t("clerk.item_kind")), kind),
  h("div", {}, h("label", { for: "i-amends" }, t("clerk.amends")), amends),
  h("button", { class: "btn primary", type: "submit", id: "add-item" }, t("clerk.add_item")));
}

function uploadForm(item) {
  const upload = h("input", { type: "file", accept: "application/pdf,.pdf", id: `doc-file-${item.id}`, "aria-label": t("clerk.upload_pdf") });
  return h("form", { class: "inline-form", onsubmit: async (e) => {
    e.preventDefault();
    if (!upload.files.length) return;
    const form = new FormData();
    form.append("file", upload.files[0]);
    if (await guarded(() => api("POST", `/api/items/${item.id}/documents`, undefined, { form }), t("clerk.uploaded"))) await guarded(loadAgenda);
  } }, h("label", { for: `doc-file-${item.id}`, class: "muted small" }, t("clerk.upload_pdf")), upload,
  h("button", { class: "btn small", type: "submit" }, t("clerk.upload")));
}

function papers(item) {
  return h("div", {}, h("h4", {}, t("seat.documents")),
    item.documents.length ? h("ul", { class: "plain" }, item.documents.map((d) => h("li", {},
      h("a", { href: `/api/documents/${d.id}`, target: "_blank", rel: "noopener" }, d.filename),
      h("span", { class: "muted small" }, ` ${fmtSize(d.size)}`))))
      : h("p", { class: "muted small" }, t("seat.no_documents")),
    uploadForm(item));
}

function ballotLine(b) {
  const tail = [
    h("span", { class: "chip" }, methodLabel(b.method)),
    b.timer_seconds ? h("span", { class: "chip" }, t("clerk.timer_s", { n: b.timer_seconds })) : null,
    h("span", { class: `status-tag st-${b.status}` }, t(`ballot.status_${b.status}`)),
    b.rounds.map((r) => (r.outcome ? verdictPill(r.outcome, `${t("ballot.round_n", { n: r.number })} ${t(`outcome.${r.outcome}`)}`) : null)),
  ];
  return h("li", {}, h("strong", {}, b.title), " ", ballotChips(b, { round: 1, tail }));
}

function ballots(item, redraw) {
  const open = formFor(item.id);
  return h("div", {}, h("h4", {}, t("clerk.ballots")),
    item.ballots.length ? h("ul", { class: "plain" }, item.ballots.map(ballotLine)) : h("p", { class: "muted small" }, t("clerk.no_ballots")),
    open ? null : h("button", { class: "btn small secondary", id: `add-ballot-${item.id}`, onclick: () => {
      newForm(item);
      redraw();
      focusId("bf-title");
    } }, t("clerk.add_ballot")));
}

function itemCard(item, redraw) {
  return h("li", { class: `clerk-item st-${item.status}` },
    h("div", { class: "clerk-item-head" },
      h("span", { class: "agenda-no" }, item.position),
      h("div", { class: "grow" }, h("h3", {}, item.title),
        h("span", { class: "chips" }, h("span", { class: "chip" }, kindLabel(item.kind)),
          h("span", { class: `status-tag st-${item.status}` }, t(`item.${item.status}`)),
          item.amends_item_id ? h("span", { class: "chip warn" }, t("clerk.is_amendment")) : null))),
    h("div", { class: "clerk-item-body" }, papers(item), ballots(item, redraw)),
    formFor(item.id) ? ballotForm(item, redraw) : null);
}

export function itemsPanel(el) {
  const panel = new Panel({
    el,
    reads: ["agenda"],
    key: () => { const bf = formFor(null); return [get("agenda"), bf && [bf.itemId, bf.kind, bf.rows.length, bf.version]]; },
    build: () => {
      const agenda = get("agenda");
      if (!agenda) return [];
      const redraw = () => panel.draw();
      return h("section", { class: "card", "aria-labelledby": "items-title" },
        h("h2", { id: "items-title" }, t("clerk.agenda"), h("span", { class: "muted small" }, ` · ${agenda.sitting.title}`)),
        agenda.items.length ? h("ol", { class: "clerk-items" }, agenda.items.map((i) => itemCard(i, redraw)))
          : h("p", { class: "muted" }, t("chair.no_items")),
        h("details", { class: "form-details", open: !agenda.items.length }, h("summary", {}, t("clerk.add_item")), addItemForm(agenda.items)));
    },
  });
  return panel;
}
