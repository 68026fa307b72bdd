// ristretto255 and the framed hashes of the encrypted ballot box, byte for byte as in
// voting_server/ballotbox/group.py: @noble/curves' ristretto255 point class and scalar field, noble's
// SHA-2; points and scalars travel as 64-digit lowercase hex (32 bytes, scalars little-endian).
import {
  ristretto255, bytesToNumberLE, numberToBytesLE, sha256, sha512, randomBytes,
} from "../../vendor/noble-ballotbox.esm.js";

export const Point = ristretto255.Point;
export const Fn = Point.Fn;
export const G = Point.BASE;

const utf8 = new TextEncoder();
const PROTOCOL = utf8.encode("biaojue-ballotbox-v1");
const GROUP = utf8.encode("ristretto255");
const HEX = /^[0-9a-f]{64}$/;

/** A refusal with a stable code, like the server's BallotBoxError; a page shows the catalogue's words for
 *  the code (`ballotbox.<code>`), the English detail is for logs. */
export class BallotBoxError extends Error {
  constructor(code, en) {
    super(en);
    this.code = code;
    this.en = en;
  }
}

export const text = (s) => utf8.encode(s);

export function u32(n) {
  return new Uint8Array([(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
}

function framed(hash, label, items) {
  const h = hash.create();
  for (const item of [PROTOCOL, GROUP, utf8.encode(label), ...items]) {
    h.update(u32(item.length));
    h.update(item);
  }
  return h.digest();
}

/** A Fiat–Shamir challenge: SHA-512 of the framed transcript, reduced mod the group order. */
export const challenge = (label, ...items) => Fn.create(bytesToNumberLE(framed(sha512, label, items)));

/** A 32-byte fingerprint: SHA-256 of the framed items. */
export const digest = (label, ...items) => framed(sha256, label, items);

/** A uniformly random non-zero scalar (64 random bytes reduced mod the order, as libsodium does). */
export function randomScalar() {
  for (;;) {
    const s = Fn.create(bytesToNumberLE(randomBytes(64)));
    if (s !== 0n) return s;
  }
}

const scalarBytes = (s) => numberToBytesLE(Fn.create(s), 32);

/** s·P for any scalar, zero included (noble's constant-time multiply takes 1 ≤ s < order). */
export function mul(p, s) {
  const r = Fn.create(s);
  return r === 0n ? Point.ZERO : p.multiply(r);
}

export const sum = (points) => points.reduce((acc, p) => acc.add(p), Point.ZERO);

export function toHex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export function fromHex(value, what) {
  if (typeof value !== "string" || !HEX.test(value)) {
    throw new BallotBoxError("malformed_encoding", `${what}: not a 64-digit lowercase hex encoding`);
  }
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = parseInt(value.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** A point from the wire: a canonical ristretto255 encoding other than the identity. */
export function pointHex(value, what) {
  const raw = fromHex(value, what);
  let p;
  try {
    p = Point.fromBytes(raw);
  } catch {
    p = Point.ZERO;
  }
  if (p.is0()) throw new BallotBoxError("invalid_point", `${what}: not a valid ristretto255 point`);
  return p;
}

export const pointToHex = (p) => toHex(p.toBytes());
export const scalarToHex = (s) => toHex(scalarBytes(s));

/** The key set's public key and 32-byte id, as voting_server/ballotbox/keys.py computes them. */
export function readKeys(keys) {
  const { v, k, n, commitments } = keys || {};
  if (v !== 1 || !Number.isInteger(k) || !Number.isInteger(n) || !(k >= 1 && k <= n && n <= 15)
      || !Array.isArray(commitments) || commitments.length !== k) {
    throw new BallotBoxError("malformed_keyset", "malformed key set");
  }
  const points = commitments.map((c) => pointHex(c, "key commitment"));
  const id = digest("keyset", u32(k), u32(n), ...points.map((p) => p.toBytes()));
  return { k, n, points, publicKey: points[0], id };
}

/** Y_i = Σ_j i^j·C_j (Horner), the public share of key holder i. */
export function publicShare(keys, index) {
  let y = keys.points[keys.points.length - 1];
  for (let j = keys.points.length - 2; j >= 0; j--) y = mul(y, BigInt(index)).add(keys.points[j]);
  return y;
}
