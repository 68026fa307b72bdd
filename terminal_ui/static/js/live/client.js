// The one connection module every page uses: connect to the live sitting over Socket.IO, keep the
// snapshot, apply the numbered pushes in order, resync after a gap or a reconnect, report the
// connection state for the banner, and send commands with their acknowledgements.
//
// State is the snapshot of docs/protocol.md: {seq, audience, sitting, attendance, agenda, ballot,
// speakers, results, me?}. Pushes:
//   event      {seq, type, sitting_id, changes: {section: replacement}}   applied when seq = ours + 1
//   attendance {seq, sitting_id, attendance, ballot}                      coalesced, not numbered
//   progress   {seq, sitting_id, ballot_id, round_id, voted, non_voters?} how many have voted
//   me         {sitting_id, me: {...}}   me_vote {sitting_id, vote}       this seat's own person
//   remind, revoked, alert {sitting_id, code, message, message_en, ...}  (alert: to the clerks)
//   devices {sitting_id, body_id, devices}: the clerks' pairing list; tablets, hall: the consoles' seat map
//   sync       {ok, reason, since}   consoles: the queue between server processes is lost (ok false) or back
// With follow, a terminal on a planned sitting joins the one sitting.moved_to names (live/start.js).
import { io } from "../../vendor/socket.io.esm.min.js";
import { t } from "../core/i18n.js";

const ACK_TIMEOUT = 10000;

export function newCastId() {
  if (globalThis.crypto && typeof crypto.randomUUID === "function") return crypto.randomUUID();
  // Older tablet browsers: 128 random bits from getRandomValues.
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

export class LiveClient {
  /**
   * @param {object} opts
   * @param {() => object} [opts.auth]  extra auth fields (e.g. {token}) read at every (re)connect
   * @param {number|null} [opts.sittingId]  the sitting to join; the server's default when absent
   * @param {boolean} [opts.follow]  move to the sitting that opens while on a planned one (not the clerk's)
   */
  constructor({ auth = () => ({}), sittingId = null, follow = true } = {}) {
    this.authFn = auth;
    this.sittingId = sittingId;
    this.follow = follow;
    this.state = null;
    this.status = "connecting"; // connecting | online | offline | refused
    this.refusal = null; // {error, message, message_en} when the server refused the connection
    this.serverOffset = 0; // server clock minus ours, in ms (from the Date header)
    this.everOnline = false;
    this.syncLost = null; // {reason, since} while this server process has lost the others (consoles)
    this._handlers = {};
    this._waiting = []; // commands waiting for the connection to come back (idempotent ones only)
    this._resyncing = false;
    this._retryTimer = null;
    this.socket = null;
  }

  on(name, fn) {
    (this._handlers[name] ||= []).push(fn);
    return this;
  }

  off(name, fn) {
    this._handlers[name] = (this._handlers[name] || []).filter((x) => x !== fn);
    return this;
  }

  _emitLocal(name, ...args) {
    for (const fn of this._handlers[name] || []) {
      try {
        fn(...args);
      } catch (err) {
        // One broken view must not stop the others from updating.
        setTimeout(() => { throw err; });
      }
    }
  }

  _setSync(lost) {
    if (!lost && !this.syncLost) return;
    this.syncLost = lost;
    this._emitLocal("sync", lost);
  }

  _setStatus(status) {
    if (this.status === status) return;
    this.status = status;
    this._emitLocal("status", status, this.refusal);
  }

  connect() {
    this.measureClock();
    const socket = io({
      autoConnect: false,
      transports: ["websocket", "polling"],
      tryAllTransports: true, // WebSocket first; long-polling where a network blocks it
      reconnectionDelay: 500,
      reconnectionDelayMax: 4000,
      auth: (cb) => {
        const auth = { ...(this.authFn() || {}) };
        if (this.sittingId != null) auth.sitting_id = this.sittingId;
        cb(auth);
      },
    });
    this.socket = socket;
    socket.on("connect", () => {
      // Nothing queued inside socket.io while offline is sent blindly: idempotent commands are
      // re-sent below with their original payload (a cast keeps its cast_id).
      socket.sendBuffer = [];
      this.refusal = null;
    });
    socket.on("disconnect", (reason) => {
      socket.sendBuffer = [];
      this._setSync(null); // the process reached next says so again right after its snapshot
      if (reason === "io client disconnect") return;
      this._setStatus("offline");
      if (reason === "io server disconnect") {
        // The server ended the connection (e.g. the tablet was revoked): try again shortly.
        this._scheduleReconnect(3000);
      }
    });
    socket.on("connect_error", (err) => {
      const data = err && err.data;
      if (data && data.error) {
        this.refusal = data;
        this._setStatus("refused");
        this._emitLocal("refused", data);
        if (data.error === "no_sitting" || data.error === "server_error") this._scheduleReconnect(10000);
      } else {
        this._setStatus(this.everOnline ? "offline" : "connecting");
      }
    });
    this._onPushes(socket);
    socket.connect();
    return this;
  }

  /** The server's pushes (docs/protocol.md, section 3). */
  _onPushes(socket) {
    socket.on("snapshot", (snap) => this._applySnapshot(snap));
    socket.on("event", (ev) => this._applyEvent(ev));
    socket.on("attendance", (msg) => this._applyAttendance(msg));
    socket.on("progress", (msg) => this._applyProgress(msg));
    socket.on("me", (msg) => {
      if (!this._mine(msg) || !this.state) return;
      this.state.me = { ...(this.state.me || {}), ...(msg.me || {}) };
      this._changed(["me"], "me");
    });
    socket.on("me_vote", (msg) => {
      if (!this._mine(msg) || !this.state) return;
      this.state.me = { ...(this.state.me || {}), vote: msg.vote };
      this._changed(["me"], "me_vote");
    });
    socket.on("remind", (msg) => {
      if (this._mine(msg)) this._emitLocal("remind", msg);
    });
    socket.on("revoked", (msg) => {
      this._emitLocal("revoked", msg);
    });
    for (const name of ["alert", "devices", "tablets", "hall"]) {
      socket.on(name, (msg) => {
        if (this._mine(msg)) this._emitLocal(name, msg);
      });
    }
    socket.on("body_changed", (msg) => {
      if (msg && typeof msg === "object") this._emitLocal("body_changed", msg);
    });
    socket.on("sync", (msg) => {
      if (msg && typeof msg === "object") this._setSync(msg.ok ? null : { reason: msg.reason, since: msg.since });
    });
  }

  /** Close and open again (e.g. after choosing another sitting or a new login). */
  reconnect({ sittingId } = {}) {
    if (sittingId !== undefined) this.sittingId = sittingId;
    if (!this.socket) return this.connect();
    this.state = null;
    this.socket.disconnect();
    this._setStatus("connecting");
    this.socket.connect();
    return this;
  }

  close() {
    clearTimeout(this._retryTimer);
    if (this.socket) this.socket.disconnect();
  }

  _scheduleReconnect(ms) {
    clearTimeout(this._retryTimer);
    this._retryTimer = setTimeout(() => {
      if (this.socket && !this.socket.connected) this.socket.connect();
    }, ms);
  }

  _mine(msg) {
    return !msg || msg.sitting_id == null || !this.state || msg.sitting_id === this.state.sitting.id;
  }

  // --- state ------------------------------------------------------------------------------------

  _applySnapshot(snap) {
    if (!snap || typeof snap !== "object") return;
    this.state = { ...snap };
    this._resyncing = false;
    this.everOnline = true;
    this.refusal = null;
    this._setStatus("online");
    this._changed(["sitting", "attendance", "agenda", "ballot", "speakers", "results", "me"], "snapshot");
    this._flushWaiting();
  }

  _applyEvent(ev) {
    if (!this.state || !ev || !this._mine(ev)) return;
    if (ev.seq <= this.state.seq) return; // already in our state
    if (ev.seq !== this.state.seq + 1) {
      this.resync();
      return;
    }
    const changes = ev.changes || {};
    Object.assign(this.state, changes);
    this.state.seq = ev.seq;
    this._changed(Object.keys(changes), ev.type, ev);
  }

  _applyAttendance(msg) {
    if (!this.state || !msg || !this._mine(msg)) return;
    if (msg.seq < this.state.seq) return; // built before a numbered event we already applied: stale
    if (msg.seq > this.state.seq) {
      // Built after a numbered event we have not seen: a fresh snapshot is the safe answer.
      this.resync();
      return;
    }
    const names = [];
    for (const key of ["attendance", "ballot"]) {
      if (key in msg) {
        this.state[key] = msg[key];
        names.push(key);
      }
    }
    this._changed(names, "attendance");
  }

  _applyProgress(msg) {
    if (!this.state || !msg || !this._mine(msg)) return;
    if (msg.seq < this.state.seq) return; // stale: built before a numbered event we applied
    if (msg.seq > this.state.seq) {
      this.resync();
      return;
    }
    const b = this.state.ballot;
    if (!b || b.round_id !== msg.round_id) return;
    const next = { ...b, voted: msg.voted };
    if ("time_up" in msg) next.time_up = msg.time_up;
    for (const key of ["non_voters", "video_votes", "video_pending", "video_waiting", "hands_entered"]) if (key in msg) next[key] = msg[key];
    this.state.ballot = next;
    this._changed(["ballot"], "progress");
  }

  /** Change a section on this terminal only (e.g. "signed in" before the push arrives) and tell the views. */
  setLocal(name, value) {
    if (!this.state) return;
    this.state[name] = value;
    this._changed([name], "local");
  }

  _changed(names, type, ev) {
    this._emitLocal("state", this.state, new Set(names), type, ev);
  }

  /** Ask for a fresh snapshot (after a gap in the sequence). */
  async resync() {
    if (this._resyncing || !this.socket || !this.socket.connected) return;
    this._resyncing = true;
    const ack = await this.call("snapshot", {});
    this._resyncing = false;
    if (ack && ack.ok && ack.snapshot) this._applySnapshot(ack.snapshot);
  }

  // --- commands -----------------------------------------------------------------------------------

  /**
   * Send a command; resolves with its acknowledgement ({ok: true, ...} or {ok: false, error, message,
   * message_en}). With {retry: true} (idempotent commands: a cast with its cast_id, sign_in) the same
   * payload is sent again after a lost acknowledgement or a reconnect, until an answer arrives.
   */
  call(command, payload = {}, { retry = false, timeout = ACK_TIMEOUT } = {}) {
    return new Promise((resolve) => {
      const attempt = () => {
        if (!this.socket || !this.socket.connected) {
          if (retry) {
            this._waiting.push(attempt);
            return;
          }
          resolve({ ok: false, error: "offline", message: t("error.offline") });
          return;
        }
        this.socket.timeout(timeout).emit(command, payload, (err, ack) => {
          if (err) {
            if (retry) {
              if (this.socket.connected) setTimeout(attempt, 1000);
              else this._waiting.push(attempt);
              return;
            }
            resolve({ ok: false, error: "timeout", message: t("error.timeout") });
            return;
          }
          resolve(ack || { ok: true });
        });
      };
      attempt();
    });
  }

  _flushWaiting() {
    const waiting = this._waiting;
    this._waiting = [];
    for (const attempt of waiting) attempt();
  }

  // --- time -----------------------------------------------------------------------------------------

  /** The server's clock, from the Date header of a cheap request: countdowns do not trust the tablet's. */
  async measureClock() {
    try {
      const before = Date.now();
      const r = await fetch("/healthz", { cache: "no-store" });
      const after = Date.now();
      const date = r.headers.get("Date");
      if (date) {
        const server = Date.parse(date);
        if (!Number.isNaN(server)) this.serverOffset = server + 500 - (before + after) / 2;
      }
    } catch (_) {
      this.serverOffset = 0;
    }
  }

  now() {
    return Date.now() + this.serverOffset;
  }

  /** Seconds left before an ISO deadline ("...Z"), never negative; null without a deadline. */
  secondsLeft(deadline) {
    if (!deadline) return null;
    const end = Date.parse(deadline);
    if (Number.isNaN(end)) return null;
    return Math.max(0, Math.ceil((end - this.now()) / 1000));
  }
}

/** Whether this seat has voted in the round on screen. */
export function hasVoted(state) {
  const b = state && state.ballot;
  const v = state && state.me && state.me.vote;
  return Boolean(b && v && v.voted && v.round_id === b.round_id);
}
