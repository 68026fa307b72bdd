// Building DOM, and redrawing a region only when what it shows has changed.

/** h("button", {class: "btn", onclick: fn, attrs: {...}}, "text", child, [more]) */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "text") el.textContent = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key === "style") setStyle(el, value);
    else if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (key in el && typeof value !== "string") el[key] = value;
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

/**
 * "width:40%;left:3px" set through the CSSOM, one property at a time: the pages' Content-Security-Policy
 * (style-src 'self') refuses inline style attributes, not properties set by a script.
 */
function setStyle(el, css) {
  for (const decl of String(css).split(";")) {
    const colon = decl.indexOf(":");
    if (colon > 0) el.style.setProperty(decl.slice(0, colon).trim(), decl.slice(colon + 1).trim());
  }
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
 * Returns whether it rebuilt.
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

/** A table head row from catalogue keys ("" for an empty column). */
export function headRow(keys, t) {
  return h("thead", {}, h("tr", {}, keys.map((k) => h("th", { scope: "col" }, k ? t(k) : ""))));
}

/** Focus the element with ``id`` once it is on the page (after a redraw). */
export function focusId(id) {
  const el = document.getElementById(id);
  if (el) el.focus();
}
