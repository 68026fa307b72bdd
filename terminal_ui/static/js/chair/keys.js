// The chair's console by keyboard alone: N starts the next item, O opens its ballot, C closes the open
// ballot (Enter confirms), R reminds those who have not voted. Keys act only when no text field has the
// focus and no modifier is held. After every change the focus lands on the next action, where nothing
// has it: the confirmation, the close, the open, the next item. The console lists the keys (chair.html).
const enabled = (sel) => [...document.querySelectorAll(sel)].filter((el) => !el.disabled && el.getClientRects().length);

/** The next item's start button: the first item after the current one that has not been dealt with, else
 * the first such item (an item left pending before). */
function nextItemButton() {
  const items = [...document.querySelectorAll("#agenda-body .agenda-item")];
  const at = items.findIndex((li) => li.classList.contains("current"));
  const pending = (li) => li.classList.contains("st-pending") && li.querySelector("[data-fk^='start-']:not(:disabled)");
  const after = items.slice(at + 1).find(pending) || items.find(pending);
  return after ? after.querySelector("[data-fk^='start-']") : null;
}

const ACTIONS = {
  n: nextItemButton,
  o: () => enabled("#current-panel [data-fk^='open-']")[0] || null,
  c: () => enabled("#current-panel [data-fk='close'], #current-panel [data-fk='close-now']")[0] || null,
  r: () => enabled("#current-panel [data-fk='remind']")[0] || null,
};

/** Where the focus goes when nothing has it: the step that comes next in a sitting. */
function nextAction() {
  return enabled("#current-panel [data-fk='confirm-yes']")[0] || ACTIONS.c() || ACTIONS.o() || nextItemButton();
}

function typing(el) {
  return el && (el.isContentEditable || ["INPUT", "SELECT", "TEXTAREA"].includes(el.tagName));
}

/** Move the focus to the next action when it has been lost (its button redrawn away) or never placed. */
function landFocus() {
  const active = document.activeElement;
  if (active && active !== document.body && document.contains(active)) return;
  const next = nextAction();
  if (next) next.focus();
}

export function keyboard(client) {
  document.addEventListener("keydown", (e) => {
    if (e.altKey || e.ctrlKey || e.metaKey || e.repeat || typing(e.target)) return;
    if (document.querySelector("dialog[open]")) return; // a dialog (撤回) has the keyboard
    const find = ACTIONS[e.key.toLowerCase()];
    if (!find) return;
    const button = find();
    if (!button) return;
    e.preventDefault();
    button.focus();
    button.click();
    setTimeout(landFocus);
  });
  client.on("state", () => setTimeout(landFocus));
}
