// A 监票人 on their own seat, when a round whose box the scrutineers hold has closed: "监票人解密 1/2",
// and for a scrutineer who has not yet decrypted, the key card (typed, pasted or read by a QR scanner,
// which types it) and their PIN. The card is unlocked here, the box rebuilt from the server's request
// and only its sums decrypted (../ballotbox/holder.js); the card and the PIN never leave the tablet.
import { h } from "../core/dom.js";
import { errorText, t } from "../core/i18n.js";
import { partialDecrypt, readBox, unlockCard } from "../ballotbox/holder.js";

// What a key card or a PIN can get wrong, in the member's words (other failures show the server's).
const CARD_ERRORS = {
  wrong_pin: "seat.card_wrong_pin",
  invalid_pin: "seat.card_invalid_pin",
  invalid_key_card: "seat.card_invalid",
  card_other_key: "seat.card_other_key",
  not_a_holder: "seat.card_not_yours",
  share_mismatch: "seat.card_invalid",
  malformed: "seat.decrypt_other_box", // the server's request does not make a box this tablet accepts
  duplicate_ballot: "seat.decrypt_other_box",
};

/** Whose share on this seat: the holder entry of the sitting's key ceremony, or null. */
function myShare(state) {
  const kh = state.sitting && state.sitting.key_holders;
  const me = state.me || {};
  return kh ? (kh.holders || []).find((x) => x.person_id === me.person_id) || null : null;
}

// Kept across redraws (another scrutineer's answer redraws the panel): what was typed, and a refusal.
const typed = { card: "", pin: "", problem: null };
let busy = false;

async function decrypt(client, b, form) {
  if (busy) return;
  busy = true;
  typed.problem = null;
  form.show();
  try {
    const req = await client.call("decryption_request", { ballot_id: b.id });
    if (!(req && req.ok)) throw new Error(errorText(req) || t("error.generic"));
    const share = await unlockCard(typed.card, typed.pin, req.keys);
    const box = readBox(req.keys, req.request);
    if (box.hash !== req.box) throw new Error(t("seat.decrypt_other_box"));
    const ack = await client.call("give_share", { ballot_id: b.id, partial: partialDecrypt(share, box) }, { retry: true });
    if (!(ack && ack.ok)) throw new Error(errorText(ack) || t("error.generic"));
    typed.card = "";
    typed.pin = "";
  } catch (err) {
    typed.problem = (err && CARD_ERRORS[err.code]) ? t(CARD_ERRORS[err.code]) : String((err && err.message) || err);
  } finally {
    busy = false;
    form.show();
  }
}

function form(client, b) {
  const card = h("textarea", { id: "key-card", class: "key-card", rows: "3", autocomplete: "off", spellcheck: "false",
    "aria-label": t("seat.key_card"), placeholder: "BJKEY:…", oninput: (ev) => { typed.card = ev.target.value; } });
  const pin = h("input", { id: "key-pin", type: "password", inputmode: "numeric", autocomplete: "off",
    "aria-label": t("seat.key_pin"), maxlength: "12", oninput: (ev) => { typed.pin = ev.target.value; } });
  card.value = typed.card;
  pin.value = typed.pin;
  const error = h("p", { class: "form-error", role: "alert", hidden: true });
  const button = h("button", { class: "btn primary huge", type: "submit", "data-fk": "decrypt" });
  const el = h("form", { class: "scrutineer-form", onsubmit: (ev) => { ev.preventDefault(); decrypt(client, b, el); } },
    h("label", { for: "key-card" }, t("seat.key_card")), card,
    h("label", { for: "key-pin" }, t("seat.key_pin")), pin, error, button);
  el.show = () => {
    error.hidden = !typed.problem;
    error.textContent = typed.problem || "";
    button.disabled = busy;
    button.textContent = busy ? t("seat.decrypting") : t("seat.decrypt");
  };
  el.show();
  return el;
}

/** The counting round on the seat: progress for everyone, the decryption for a scrutineer who owes it. */
export function countingBlock(client, state, b) {
  const c = b.counting;
  const progress = h("p", { class: "notice big-note", role: "status" },
    t("ballot.decrypted_of", { received: c.received, needed: c.needed }));
  const share = myShare(state);
  if (!share) return h("div", { class: "counting" }, progress, h("p", { class: "muted" }, t("seat.counting_holders")));
  if (c.given.includes(share.index)) return h("div", { class: "counting" }, progress, h("p", { class: "muted" }, t("seat.decrypt_done")));
  return h("div", { class: "counting scrutineer" }, progress,
    h("p", {}, h("strong", {}, t("seat.you_are_holder", { index: share.index }))), form(client, b));
}
