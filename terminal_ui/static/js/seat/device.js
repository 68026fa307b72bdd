// What a paired tablet keeps: its device token and body (localStorage), the member's choice in the
// round on screen (sessionStorage, so a reload keeps it) and a confirmed cast not yet acknowledged.
const TOKEN_KEY = "biaojue.seat.token";
const BODY_KEY = "biaojue.seat.body";
const PENDING_KEY = "biaojue.seat.pending"; // {round_id, ballot_id, choice, cast_id, ballot (tablet-encrypted rounds)}
const DRAFT_KEY = "biaojue.seat.draft"; // {roundId, choice, stage}

function loadJSON(store, key) {
  try {
    return JSON.parse(store.getItem(key) || "null");
  } catch (_) {
    return null;
  }
}

export const device = {
  token: () => localStorage.getItem(TOKEN_KEY),
  setToken: (token) => localStorage.setItem(TOKEN_KEY, token),
  body: () => localStorage.getItem(BODY_KEY),
  setBody: (id) => localStorage.setItem(BODY_KEY, String(id)),
  /** Unpaired: the token and any unsent cast are forgotten. */
  forget() {
    localStorage.removeItem(TOKEN_KEY);
    localStorage.removeItem(PENDING_KEY);
  },
  pending: () => loadJSON(localStorage, PENDING_KEY),
  setPending: (p) => localStorage.setItem(PENDING_KEY, JSON.stringify(p)),
  dropPending: () => localStorage.removeItem(PENDING_KEY),
  draft: () => loadJSON(sessionStorage, DRAFT_KEY),
  setDraft: (d) => sessionStorage.setItem(DRAFT_KEY, JSON.stringify(d)),
};
