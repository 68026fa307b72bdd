// The bodies (a standing committee, a congress …) with their rule presets; creating one.
import { api } from "../core/api.js";
import { h, headRow } from "../core/dom.js";
import { t } from "../core/i18n.js";
import { Panel } from "../core/panel.js";
import { publicAddressForm } from "./address.js";
import { chooseBody, get, guarded, refreshAll } from "./data.js";

const PRESETS = ["standing_committee", "congress_plenary", "generic_committee"];
const VIDEO_VOTES = ["clerk", "tablet"];

/** How members attending by video vote: the clerk enters their votes, or a remote tablet (``video_votes``). */
function videoSelect(attrs, chosen, { presetDefault = false } = {}) {
  return h("select", attrs,
    presetDefault ? h("option", { value: "" }, t("clerk.video_votes_preset")) : null,
    VIDEO_VOTES.map((v) => h("option", { value: v, selected: v === chosen }, t(`video_votes.${v}`))));
}

/** A body's rule for video attendance changed in place (its next ballots freeze it). */
function videoRule(b) {
  return videoSelect({ "aria-label": `${b.name} · ${t("clerk.video_votes")}`, class: "video-votes", "data-body": b.id,
    onchange: async (e) => {
      const overrides = { ...(b.overrides || {}), video_votes: e.target.value };
      const out = await guarded(() => api("PUT", `/api/bodies/${b.id}/rules`, { preset: b.preset, overrides }),
        t("clerk.video_votes_saved"));
      if (out === undefined) e.target.value = b.video_votes; // refused: the stored rule stays
    } }, b.video_votes);
}

function createForm() {
  const name = h("input", { id: "body-name", required: true, placeholder: t("clerk.body_name_placeholder") });
  const preset = h("select", { id: "body-preset" }, PRESETS.map((p) => h("option", { value: p }, t(`preset.${p}`))));
  const autoClose = h("input", { id: "body-auto-close", type: "checkbox" });
  const video = videoSelect({ id: "body-video-votes" }, "", { presetDefault: true });
  return h("form", { class: "form-row", onsubmit: async (e) => {
    e.preventDefault();
    const body = { name: name.value.trim(), preset: preset.value };
    const overrides = {};
    if (autoClose.checked) overrides.auto_close_at_deadline = true;
    if (video.value) overrides.video_votes = video.value;
    if (Object.keys(overrides).length) body.overrides = overrides;
    const out = await guarded(() => api("POST", "/api/bodies", body), t("clerk.body_created"));
    if (!out) return;
    chooseBody(out.id);
    await refreshAll();
  } },
  h("div", { class: "grow" }, h("label", { for: "body-name" }, t("clerk.body_name")), name),
  h("div", {}, h("label", { for: "body-preset" }, t("clerk.preset")), preset),
  h("div", {}, h("label", { for: "body-auto-close" }, autoClose, " ", t("clerk.auto_close"))),
  h("div", {}, h("label", { for: "body-video-votes" }, t("clerk.video_votes")), video),
  h("button", { class: "btn primary", type: "submit" }, t("clerk.create_body")));
}

function table(bodies) {
  return h("table", { class: "data-table" },
    headRow(["clerk.body_name", "clerk.preset", "clerk.video_votes", "clerk.members", "clerk.observers"], t),
    h("tbody", {}, bodies.map((b) => h("tr", { class: b.id === get("bodyId") ? "selected" : "" },
      h("th", { scope: "row" }, b.name), h("td", {}, t(`preset.${b.preset}`)), h("td", {}, videoRule(b)),
      h("td", { class: "num" }, b.members), h("td", { class: "num" }, b.observers)))));
}

export function bodiesPanel(el) {
  return new Panel({
    el,
    reads: ["bodies", "bodyId"],
    key: () => [get("bodies"), get("bodyId")],
    build: () => h("section", { class: "card", "aria-labelledby": "bodies-title" },
      h("h2", { id: "bodies-title" }, t("clerk.bodies")),
      get("bodies").length ? table(get("bodies")) : h("p", { class: "muted" }, t("clerk.no_body")),
      h("details", { class: "form-details" }, h("summary", {}, t("clerk.create_body")), createForm()),
      h("details", { class: "form-details", id: "public-url-details" }, h("summary", {}, t("clerk.public_url")),
        publicAddressForm())),
  });
}
