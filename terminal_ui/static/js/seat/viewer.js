// The documents of the current item, read in a viewer over the page. The document route wants the
// tablet's bearer token, so the PDF is fetched and shown from a blob URL.
import { ApiError, failText } from "../core/api.js";
import { h } from "../core/dom.js";
import { t } from "../core/i18n.js";

const viewer = document.getElementById("doc-viewer");
const body = viewer.querySelector(".viewer-body");
let docUrl = null;
let opener = null;

function show(url, filename) {
  // <object> shows the PDF where the browser can; elsewhere (some tablet browsers) its fallback
  // offers the file itself.
  body.replaceChildren(h("object", { class: "pdf-frame", data: url, type: "application/pdf", "aria-label": filename },
    h("div", { class: "pdf-fallback" }, h("p", {}, t("seat.pdf_fallback")),
      h("a", { class: "btn primary big", href: url, download: filename, target: "_blank", rel: "noopener" }, t("seat.pdf_open")))));
}

export async function openDocument(doc, token) {
  opener = document.activeElement;
  viewer.querySelector(".viewer-title").textContent = doc.filename;
  body.replaceChildren(h("p", { class: "muted" }, t("common.loading")));
  viewer.hidden = false;
  viewer.querySelector(".viewer-close").focus();
  try {
    const r = await fetch(`/api/documents/${doc.id}`, { headers: { Authorization: `Bearer ${token}` } });
    if (!r.ok) throw new ApiError(r.status, await r.json().catch(() => null));
    const blob = await r.blob();
    if (docUrl) URL.revokeObjectURL(docUrl);
    docUrl = URL.createObjectURL(new Blob([blob], { type: "application/pdf" }));
    show(docUrl, doc.filename);
  } catch (ex) {
    body.replaceChildren(h("p", { class: "form-error" }, failText(ex)));
  }
}

/** Close the viewer (if open), giving the focus back to what opened it. */
export function closeDocument() {
  if (viewer.hidden) return;
  viewer.hidden = true;
  body.replaceChildren();
  if (docUrl) URL.revokeObjectURL(docUrl);
  docUrl = null;
  if (opener && document.contains(opener)) opener.focus();
}

viewer.querySelector(".viewer-close").addEventListener("click", closeDocument);
viewer.addEventListener("keydown", (e) => { if (e.key === "Escape") closeDocument(); });
