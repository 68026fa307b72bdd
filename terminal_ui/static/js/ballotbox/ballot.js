// Encrypting a member's choice in the browser: exponential ElGamal per slot, a 0/1 proof per slot and
// a range proof per constrained sum, the same wire format and proofs as voting_server/ballotbox/ballot.py.
// The layout (which slots, which sums, which bounds) is computed by the server from the rules engine
// (ballotbox.Layout.to_dict()); this module only follows it.
// An election's write-ins (另选他人, layout.writeins lines after the questions): each line a "for" slot,
// its name sealed to the round key by hashed ElGamal with a nonce of its own (ε = ξ·G; key = framed
// SHA-256 of the line's α, ε and ξ·K; ChaCha20-Poly1305 with a zero nonce; ε before the ciphertext),
// as voting_server/ballotbox/writeins.py. Never the line's own r: r·K is β or β − G.
import {
  BallotBoxError, Fn, G, Point, challenge, digest, mul, pointToHex, randomScalar, readKeys, scalarToHex, sum, text,
  toHex, u32,
} from "./group.js";
import { chacha20poly1305 } from "../../vendor/noble-ballotbox.esm.js";

const MAX_CONTEXT = 256;
const WRITE_IN = "w:";
const NAME_BYTES = 256;
// key id -> the public key with a wNAF table (window 6: ~7 ms to build, then multiplications ~5x faster)
const keyTables = new Map();

function contextBytes(context) {
  const raw = typeof context === "string" ? text(context) : new Uint8Array(0);
  if (!raw.length || raw.length > MAX_CONTEXT) {
    throw new BallotBoxError("invalid_context", "the round context must be a non-empty string of at most 256 bytes");
  }
  return raw;
}

function fastKey(keys) {
  const id = keys.id.join(",");
  if (!keyTables.has(id)) keyTables.set(id, Point.fromBytes(keys.publicKey.toBytes()).precompute(6, false));
  return keyTables.get(id);
}

/** The names a choice writes in ({"w:name": "for"}), at most one per write-in line. */
function writtenNames(layout, choice) {
  const lines = layout.writeins || 0;
  const names = [];
  for (const [id, code] of Object.entries(choice)) {
    if (!lines || !id.startsWith(WRITE_IN)) continue;
    const name = id.slice(WRITE_IN.length).trim();
    if (!name || code !== "for") throw new BallotBoxError("invalid_write_in", "a write-in names a person, voted for");
    names.push(name);
  }
  if (names.length > lines) throw new BallotBoxError("invalid_choice", `more write-ins than the ${lines} places`);
  return names;
}

/** The 0/1 vector of a choice {question id: option code}, checked against the layout. */
function choiceValues(layout, choice) {
  if (!choice || typeof choice !== "object") {
    throw new BallotBoxError("not_a_mapping", "a ballot must be a mapping");
  }
  const known = new Set(layout.questions.map((q) => q.id));
  for (const id of Object.keys(choice)) {
    if (!known.has(id) && !(layout.writeins && id.startsWith(WRITE_IN))) {
      throw new BallotBoxError("unknown_question", `this ballot has no question ${id}`);
    }
  }
  const names = writtenNames(layout, choice);
  const values = [];
  for (const q of layout.questions) {
    const code = Object.hasOwn(choice, q.id) ? choice[q.id] : layout.default;
    if (code == null && layout.required) {
      throw new BallotBoxError("missing_answer", `no answer for ${q.id}`);
    }
    if (code != null && !q.options.includes(code)) {
      throw new BallotBoxError("unknown_option", `${q.id} has no option ${code}`);
    }
    for (const option of q.options) values.push(option === code ? 1 : 0);
  }
  for (let i = 0; i < (layout.writeins || 0); i++) values.push(i < names.length ? 1 : 0);
  for (const s of layout.sums) {
    const total = s.slots.reduce((acc, i) => acc + values[i], 0);
    if (total < s.min || total > s.max) {
      throw new BallotBoxError("invalid_choice", `a sum of choices is ${total}, outside ${s.min}..${s.max}`);
    }
  }
  return values;
}

// CDS range proof that (α, β) = (r·G, m·G + r·K) encrypts a value in lo..hi; see proofs.py. The
// prover knows r and m, so a simulated branch's commitments need only multiples of G and K.
function proveRange(head, K, alpha, beta, r, m, lo, hi) {
  const u = randomScalar();
  const cs = new Map();
  const vs = new Map();
  const commits = [];
  for (let j = lo; j <= hi; j++) {
    if (j === m) {
      commits.push(mul(G, u).toBytes(), mul(K, u).toBytes());
      continue;
    }
    const c = randomScalar();
    const v = randomScalar();
    cs.set(j, c);
    vs.set(j, v);
    const w = Fn.add(v, Fn.mul(c, r));
    commits.push(mul(G, w).toBytes(), mul(K, w).add(mul(G, Fn.mul(c, BigInt(m - j)))).toBytes());
  }
  const c = challenge("range", ...head, u32(lo), u32(hi), alpha.toBytes(), beta.toBytes(), ...commits);
  const cm = Fn.sub(c, [...cs.values()].reduce((acc, x) => Fn.add(acc, x), 0n));
  cs.set(m, cm);
  vs.set(m, Fn.sub(u, Fn.mul(cm, r)));
  const out = [];
  for (let j = lo; j <= hi; j++) out.push(scalarToHex(cs.get(j)), scalarToHex(vs.get(j)));
  return out;
}

/** The receipt hash of a ballot: SHA-256 over the key set, the round, every ciphertext and sealed name. */
export function ballotHash(keys, context, cts, names = []) {
  const points = cts.flatMap(([a, b]) => [a.toBytes(), b.toBytes()]);
  const tail = names.length ? [text("writeins"), u32(names.length), ...names] : [];
  return digest("ballot", keys.id, contextBytes(context), u32(cts.length), ...points, ...tail);
}

/** The name on write-in line `line` (its ciphertext's first part `alpha`) sealed to the round key K
 * (writeins.py's seal_name): ε = ξ·G for a fresh ξ, then ChaCha20-Poly1305 under the key of ξ·K. */
function sealName(keys, K, ctx, line, alpha, name) {
  const raw = text(name);
  if (raw.length > NAME_BYTES - 2) throw new BallotBoxError("invalid_write_in", "a write-in name is too long");
  const plain = new Uint8Array(NAME_BYTES);
  plain[0] = raw.length >> 8;
  plain[1] = raw.length & 255;
  plain.set(raw, 2);
  const a = alpha.toBytes();
  const xi = randomScalar();
  const eph = mul(G, xi).toBytes();
  const key = digest("write-in key", keys.id, ctx, u32(line), a, eph, mul(K, xi).toBytes());
  const ad = digest("write-in", keys.id, ctx, u32(line), a, eph);
  const body = chacha20poly1305(key, new Uint8Array(12), ad).encrypt(plain);
  const out = new Uint8Array(eph.length + body.length);
  out.set(eph, 0);
  out.set(body, eph.length);
  return out;
}

/** Encrypt a choice for the round: the wire ballot {v: 1, slots, sums} the server verifies. */
export function encryptBallot(layout, keySet, context, choice) {
  const keys = readKeys(keySet);
  const values = choiceValues(layout, choice);
  const names = writtenNames(layout, choice);
  const K = fastKey(keys);
  const rs = values.map(() => randomScalar());
  const shared = rs.map((r) => mul(K, r));
  const cts = values.map((m, i) => [mul(G, rs[i]), mul(G, BigInt(m)).add(shared[i])]);
  const lines = layout.writeins || 0;
  const first = values.length - lines;
  const ctx = contextBytes(context);
  const sealed = [];
  for (let i = 0; i < lines; i++) sealed.push(sealName(keys, K, ctx, i, cts[first + i][0], names[i] || ""));
  const head = [keys.id, ctx, ballotHash(keys, context, cts, sealed)];
  const slots = cts.map(([a, b], i) => [
    pointToHex(a), pointToHex(b), ...proveRange([...head, text("slot"), u32(i)], K, a, b, rs[i], values[i], 0, 1),
  ]);
  const sums = layout.sums.map((s, t) => proveRange(
    [...head, text("sum"), u32(t)], K,
    sum(s.slots.map((i) => cts[i][0])), sum(s.slots.map((i) => cts[i][1])),
    s.slots.reduce((acc, i) => Fn.add(acc, rs[i]), 0n), s.slots.reduce((acc, i) => acc + values[i], 0), s.min, s.max,
  ));
  return lines ? { v: 1, slots, sums, writeins: sealed.map(toHex) } : { v: 1, slots, sums };
}
