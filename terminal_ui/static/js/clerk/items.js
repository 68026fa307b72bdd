// The agenda of the chosen sitting: its items (an amendment points at the item it amends), each with
// its papers (PDF uploads) and its ballots; adding an item, and a ballot through the ballot form.
// Until a ballot of an item opens, the item, its papers and its ballots can be corrected or deleted and
// the item moved (dragged, or with its arrows and Alt+↑/↓); only the controls for what may still
// change are shown, and a refusal of the server is shown in Chinese with nothing changed.
import { api } from "../core/api.js";
import { focusId, h } from "../core/dom.js";
import { fmtSize } from "../core/format.js";
import { t } from "../core/i18n.js";
import { toast } from "../core/notify.js";
import { Panel } from "../core/panel.js";
import { ballotChips, kindLabel, methodLabel, verdictPill } from "../views/labels.js";
import { withdrawnNote } from "../views/withdraw.js";
import { ballotForm, editForm, formFor, newForm } from "./ballot-form.js";
import { get, guarded, loadAgenda } from "./data.js";
import { bound, changedFields, deleteButton, editKey, errorLine, isEditing, send, startEditing } from "./editing.js";
import { withdrawAction } from "./withdraw.js";

const ITEM_KINDS = ["resolution", "appointment", "evaluation", "selection", "election", "report", "other"];

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

/** What may still change: nothing of a closed sitting or a withdrawn item; an item (its title, papers,
 * number) until one of its ballots has opened; a ballot until it has opened. */
const sittingClosed = () => get("agenda").sitting.status === "closed";
const opened = (item) => item.ballots.some((b) => b.rounds.length);
const itemEditable = (item) => !sittingClosed() && item.status !== "withdrawn" && !opened(item);
const itemDeletable = (item) => itemEditable(item) && item.status === "pending"
  && !get("agenda").items.some((i) => i.amends_item_id === item.id);
const ballotEditable = (item, b) => !sittingClosed() && item.status !== "withdrawn" && b.status !== "withdrawn" && !b.rounds.length;

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

/** Replacing a paper by a corrected PDF: choosing the file sends it. */
function replaceButton(d) {
  const input = h("input", { type: "file", accept: "application/pdf,.pdf", id: `doc-replace-${d.id}`, class: "visually-hidden",
    "aria-label": `${t("clerk.replace_pdf")} ${d.filename}`, onchange: async () => {
      if (!input.files.length) return;
      const form = new FormData();
      form.append("file", input.files[0]);
      if (await guarded(() => api("POST", `/api/documents/${d.id}/replace`, undefined, { form }), t("clerk.document_replaced"))) await guarded(loadAgenda);
    } });
  return h("span", {}, input, h("label", { for: input.id, class: "btn small ghost", role: "button", tabindex: "0",
    onkeydown: (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); input.click(); } } }, t("clerk.replace_pdf")));
}

function papers(item) {
  const change = itemEditable(item);
  return h("div", {}, h("h4", {}, t("seat.documents")),
    item.documents.length ? h("ul", { class: "plain doc-list" }, item.documents.map((d) => h("li", {},
      h("a", { href: `/api/documents/${d.id}`, target: "_blank", rel: "noopener" }, d.filename),
      h("span", { class: "muted small" }, ` ${fmtSize(d.size)}`),
      change ? h("span", { class: "row-actions" }, replaceButton(d),
        deleteButton(`delete-doc:${d.id}`, `${t("clerk.delete")} ${d.filename}`, `/api/documents/${d.id}`, t("clerk.document_deleted"), () => guarded(loadAgenda))) : null)))
      : h("p", { class: "muted small" }, t("seat.no_documents")),
    change ? uploadForm(item) : null);
}

function ballotLine(item, b, redraw) {
  const tail = [
    b.method === "hands" ? null : h("span", { class: "chip" }, methodLabel(b.method)), // a show of hands is among the chips already
    b.timer_seconds ? h("span", { class: "chip" }, t("clerk.timer_s", { n: b.timer_seconds })) : null,
    h("span", { class: `status-tag st-${b.status}` }, t(`ballot.status_${b.status}`)),
    b.rounds.map((r) => (r.outcome ? verdictPill(r.outcome, `${t("ballot.round_n", { n: r.number })} ${t(`outcome.${r.outcome}`)}`) : null)),
  ];
  const actions = ballotEditable(item, b) && !formFor(null) ? h("span", { class: "row-actions" },
    h("button", { type: "button", class: "btn small ghost", id: `edit-ballot-${b.id}`, "aria-label": `${t("clerk.edit")} ${b.title}`, onclick: () => {
      editForm(item, b);
      redraw();
      focusId("bf-title");
    } }, t("clerk.edit")),
    deleteButton(`delete-ballot:${b.id}`, `${t("clerk.delete")} ${b.title}`, `/api/ballots/${b.id}`, t("clerk.ballot_deleted"), () => guarded(loadAgenda)))
    : null;
  return h("li", { class: "ballot-line", "data-ballot": String(b.id) }, h("strong", {}, b.title), " ", ballotChips(b, { round: 1, tail }), actions, " ", withdrawAction("ballot", b), withdrawnNote(b));
}

function ballots(item, redraw) {
  const open = formFor(item.id);
  return h("div", {}, h("h4", {}, t("clerk.ballots")),
    item.ballots.length ? h("ul", { class: "plain" }, item.ballots.map((b) => ballotLine(item, b, redraw))) : h("p", { class: "muted small" }, t("clerk.no_ballots")),
    open || sittingClosed() || item.status === "withdrawn" ? null : h("button", { class: "btn small secondary", id: `add-ballot-${item.id}`, onclick: () => {
      newForm(item);
      redraw();
      focusId("bf-title");
    } }, t("clerk.add_ballot")));
}

// --- correcting an item ------------------------------------------------------------------------------

function itemEditForm(item, items) {
  const key = `item:${item.id}`;
  const title = bound(key, "title", h("input", { id: `ie-title-${item.id}`, "data-fk": `ie-title-${item.id}`, required: true }));
  const kind = bound(key, "kind", h("select", { id: `ie-kind-${item.id}` }, ITEM_KINDS.map((k) => h("option", { value: k }, kindLabel(k)))));
  const amends = bound(key, "amends", h("select", { id: `ie-amends-${item.id}` }, h("option", { value: "" }, t("clerk.amends_none")),
    items.filter((i) => i.id !== item.id).map((i) => h("option", { value: String(i.id) }, `${i.position}. ${i.title}`))));
  const stored = { title: item.title, kind: item.kind, amends: item.amends_item_id ? String(item.amends_item_id) : "" };
  return h("form", { class: "form-row item-edit", "aria-label": t("clerk.edit_item"), onsubmit: (e) => {
    e.preventDefault();
    const changed = changedFields(key, stored);
    const body = {};
    if ("title" in changed) body.title = changed.title;
    if ("kind" in changed) body.kind = changed.kind;
    if ("amends" in changed) body.amends_item_id = changed.amends ? parseInt(changed.amends, 10) : null;
    if (!Object.keys(body).length) { startEditing(null); return; }
    send(key, () => api("PATCH", `/api/items/${item.id}`, body), t("clerk.item_saved"), () => guarded(loadAgenda));
  } },
  h("div", { class: "grow" }, h("label", { for: title.id }, t("clerk.item_title")), title),
  h("div", {}, h("label", { for: kind.id }, t("clerk.item_kind")), kind),
  h("div", {}, h("label", { for: amends.id }, t("clerk.amends")), amends),
  h("div", { class: "form-actions" },
    h("button", { class: "btn primary", type: "submit", id: `ie-save-${item.id}` }, t("clerk.save_changes")),
    h("button", { class: "btn ghost", type: "button", onclick: () => startEditing(null) }, t("common.cancel"))),
  errorLine(key));
}

// --- moving an item: drag and drop, its arrows, Alt+↑/↓ -------------------------------------------------

let dragged = null; // the id of the item being dragged

/** Move the item to ``position``; the keyboard focus stays on the moved item (its control ``fk``). */
async function moveTo(item, position, fk = `move-${item.id}`) {
  const count = get("agenda").items.length;
  if (position < 1 || position > count || position === item.position) return;
  if (!await guarded(() => api("POST", `/api/items/${item.id}/move`, { position }))) return;
  toast(t("clerk.item_moved", { n: position }), "ok");
  await guarded(loadAgenda);
  const again = document.querySelector(`[data-fk="${fk}"]`);
  (again && !again.disabled ? again : document.getElementById(`move-${item.id}`))?.focus();
}

function moveControls(item, count) {
  const handle = h("button", { type: "button", class: "btn small ghost drag-handle", id: `move-${item.id}`, "data-fk": `move-${item.id}`,
    draggable: "true", "aria-label": t("clerk.move_handle", { n: item.position }), "aria-keyshortcuts": "Alt+ArrowUp Alt+ArrowDown",
    title: t("clerk.move_handle", { n: item.position }),
    ondragstart: (e) => {
      dragged = item.id;
      e.dataTransfer.effectAllowed = "move";
      e.dataTransfer.setData("text/plain", String(item.id));
      const card = e.target.closest(".clerk-item");
      if (card) e.dataTransfer.setDragImage(card, 20, 20);
    },
    ondragend: () => { dragged = null; } }, "⠿");
  return h("div", { class: "move-controls" }, handle,
    h("button", { type: "button", class: "btn small ghost", id: `up-${item.id}`, "data-fk": `up-${item.id}`, disabled: item.position <= 1,
      "aria-label": `${t("clerk.move_up")} ${item.title}`, onclick: () => moveTo(item, item.position - 1, `up-${item.id}`) }, "↑"),
    h("button", { type: "button", class: "btn small ghost", id: `down-${item.id}`, "data-fk": `down-${item.id}`, disabled: item.position >= count,
      "aria-label": `${t("clerk.move_down")} ${item.title}`, onclick: () => moveTo(item, item.position + 1, `down-${item.id}`) }, "↓"));
}

/** The item card takes a dragged item (dropped on it: it takes this one's place) and Alt+↑/↓. */
function movable(item, li) {
  li.addEventListener("dragover", (e) => {
    if (dragged === null || dragged === item.id) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = "move";
    li.classList.add("drop-target");
  });
  li.addEventListener("dragleave", (e) => { if (!li.contains(e.relatedTarget)) li.classList.remove("drop-target"); });
  li.addEventListener("drop", (e) => {
    e.preventDefault();
    li.classList.remove("drop-target");
    const moving = get("agenda").items.find((i) => i.id === (dragged ?? parseInt(e.dataTransfer.getData("text/plain"), 10)));
    dragged = null;
    if (moving && moving.id !== item.id) moveTo(moving, item.position);
  });
  li.addEventListener("keydown", (e) => {
    if (!e.altKey || (e.key !== "ArrowUp" && e.key !== "ArrowDown")) return;
    if (e.target.closest("input, select, textarea")) return;
    e.preventDefault();
    moveTo(item, item.position + (e.key === "ArrowUp" ? -1 : 1));
  });
  return li;
}

function itemCard(item, items, redraw) {
  const editing = isEditing(`item:${item.id}`);
  const change = itemEditable(item);
  const actions = change && !editing ? h("div", { class: "row-actions" },
    h("button", { type: "button", class: "btn small ghost", id: `edit-item-${item.id}`, "data-fk": `edit-item-${item.id}`,
      "aria-label": `${t("clerk.edit")} ${item.title}`, onclick: () => {
        startEditing(`item:${item.id}`, { title: item.title, kind: item.kind, amends: item.amends_item_id ? String(item.amends_item_id) : "" });
        focusId(`ie-title-${item.id}`);
      } }, t("clerk.edit")),
    itemDeletable(item) ? deleteButton(`delete-item:${item.id}`, `${t("clerk.delete")} ${item.title}`, `/api/items/${item.id}`,
      t("clerk.item_deleted"), () => guarded(loadAgenda)) : null) : null;
  const li = h("li", { class: `clerk-item st-${item.status}`, id: `item-${item.id}`, "data-item": String(item.id) },
    h("div", { class: "clerk-item-head" },
      change ? moveControls(item, items.length) : null,
      h("span", { class: "agenda-no" }, item.position),
      h("div", { class: "grow" }, editing ? itemEditForm(item, items) : h("h3", {}, item.title),
        h("span", { class: "chips" }, h("span", { class: "chip" }, kindLabel(item.kind)),
          h("span", { class: `status-tag st-${item.status}` }, t(`item.${item.status}`)),
          item.amends_item_id ? h("span", { class: "chip warn" }, t("clerk.is_amendment")) : null, withdrawAction("item", item)),
        withdrawnNote(item)),
      actions),
    h("div", { class: "clerk-item-body" }, papers(item), ballots(item, redraw)),
    formFor(item.id) ? ballotForm(item, redraw) : null);
  return change ? movable(item, li) : li;
}

export function itemsPanel(el) {
  const panel = new Panel({
    el,
    reads: ["agenda", "editing", "armed"],
    key: () => { const bf = formFor(null); return [get("agenda"), editKey(), bf && [bf.itemId, bf.ballotId, bf.kind, bf.rows.length, bf.version]]; },
    build: () => {
      const agenda = get("agenda");
      if (!agenda) return [];
      const redraw = () => panel.draw();
      return h("section", { class: "card", "aria-labelledby": "items-title" },
        h("h2", { id: "items-title" }, t("clerk.agenda"), h("span", { class: "muted small" }, ` · ${agenda.sitting.title}`)),
        agenda.items.length ? h("ol", { class: "clerk-items" }, agenda.items.map((i) => itemCard(i, agenda.items, redraw)))
          : h("p", { class: "muted" }, t("chair.no_items")),
        agenda.items.length > 1 && !sittingClosed() ? h("p", { class: "muted small" }, t("clerk.move_help")) : null,
        sittingClosed() ? null
          : h("details", { class: "form-details", open: !agenda.items.length }, h("summary", {}, t("clerk.add_item")), addItemForm(agenda.items)));
    },
  });
  return panel;
}
