// A key holder (监票人) on their own device: unlock the PIN-protected key card, rebuild the ballot box
// from the server's decryption request (so only the sums of a box whose hash is shown get decrypted),
// and produce the partial decryption with its Chaum–Pedersen proofs; see voting_server/ballotbox/
// shares.py (the card) and tally.py (the box, the partial).
import { argon2idAsync, bytesToNumberLE, chacha20poly1305 } from "../../vendor/noble-ballotbox.esm.js";
import {
  BallotBoxError, Fn, G, challenge, digest, fromHex, mul, pointHex, pointToHex, publicShare, randomScalar, readKeys,
  scalarToHex, sum, text, toHex, u32,
} from "./group.js";
import { ballotHash } from "./ballot.js";

const PREFIX = "BJKEY:";
const B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const MAX_BALLOTS = 10000;

const badCard = (en) => new BallotBoxError("invalid_key_card", en);
const equal = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

function base32(textValue) {
  if (!/^[A-Z2-7]{143}$/.test(textValue)) throw badCard("not a key card");
  const out = [];
  let bits = 0;
  let acc = 0;
  for (const ch of textValue) {
    acc = (acc << 5) | B32.indexOf(ch);
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >>> bits) & 255);
    }
  }
  return Uint8Array.from(out);
}

function readCard(card) {
  const t = typeof card === "string" ? card.trim().toUpperCase() : "";
  const data = base32(t.startsWith(PREFIX) ? t.slice(PREFIX.length) : "");
  if (data.length !== 89 || data[0] !== 1 || !equal(digest("card", data.slice(0, 85)).slice(0, 4), data.slice(85))) {
    throw badCard("the key card is damaged or altered");
  }
  const [t0, log2m, p] = [data[2], data[3], data[4]];
  if (!(t0 >= 1 && t0 <= 10 && log2m >= 3 && log2m <= 18 && p >= 1 && p <= 8 && 2 ** log2m >= 8 * p)) {
    throw badCard("invalid Argon2id parameters");
  }
  return data;
}

/** The share on a key card: {index, secret}, checked against the key set's Feldman commitments. */
export async function unlockCard(card, pin, keySet) {
  const keys = readKeys(keySet);
  const data = readCard(card);
  const index = data[1];
  if (index < 1 || index > keys.n) throw new BallotBoxError("not_a_holder", `index ${index} is not a key holder`);
  if (!equal(data.slice(5, 21), keys.id.slice(0, 16))) {
    throw new BallotBoxError("card_other_key", "this key card belongs to another key set");
  }
  if (typeof pin !== "string" || !/^[0-9]{6,12}$/.test(pin)) throw new BallotBoxError("invalid_pin", "a PIN is 6 to 12 digits");
  const key = await argon2idAsync(text(pin), data.slice(21, 37), { t: data[2], m: 2 ** data[3], p: data[4], dkLen: 32 });
  let raw;
  try {
    raw = chacha20poly1305(key, new Uint8Array(12), data.slice(0, 37)).decrypt(data.slice(37, 85));
  } catch {
    throw new BallotBoxError("wrong_pin", "wrong PIN");
  }
  const secret = bytesToNumberLE(raw);
  if (secret >= Fn.ORDER || !mul(G, secret).equals(publicShare(keys, index))) {
    throw new BallotBoxError("share_mismatch", `the share of holder ${index} does not match the key set`);
  }
  return { index, secret };
}

/** The box of a decryption request, every hash recomputed here: {keys, context, count, hash, alphas}. */
export function readBox(keySet, request) {
  const keys = readKeys(keySet);
  const { v, context, key, ballots } = request || {};
  if (v !== 1 || key !== toHex(keys.id) || !Array.isArray(ballots) || !ballots.length || ballots.length > MAX_BALLOTS
      || !Array.isArray(ballots[0]) || ballots[0].length < 2 || ballots[0].length % 2) {
    throw new BallotBoxError("malformed", "malformed decryption request, or for another key set");
  }
  const slots = ballots[0].length / 2;
  const hashes = new Set();
  const seen = new Set();
  const alphas = Array.from({ length: slots }, () => []);
  for (const row of ballots) {
    if (!Array.isArray(row) || row.length !== 2 * slots) throw new BallotBoxError("malformed", "a ballot's number of ciphertexts differs");
    const cts = [];
    for (let s = 0; s < slots; s++) cts.push([pointHex(row[2 * s], "ballot ciphertext"), pointHex(row[2 * s + 1], "ballot ciphertext")]);
    const h = toHex(ballotHash(keys, context, cts));
    if (hashes.has(h) || cts.some((_, s) => seen.has(row[2 * s]))) {
      throw new BallotBoxError("duplicate_ballot", "a ballot (or one of its ciphertexts) is in the box twice");
    }
    hashes.add(h);
    cts.forEach(([a], s) => { seen.add(row[2 * s]); alphas[s].push(a); });
  }
  const sorted = [...hashes].sort().map((h) => fromHex(h, "hash"));
  const hash = digest("box", keys.id, text(context), u32(ballots.length), ...sorted);
  return { keys, context, count: ballots.length, hash: toHex(hash), sums: alphas.map(sum) };
}

/** A key holder's partial decryption of the box's sums, with a Chaum–Pedersen proof for each. */
export function partialDecrypt(share, box) {
  const y = publicShare(box.keys, share.index);
  const head = [box.keys.id, text(box.context), fromHex(box.hash, "hash"), u32(share.index)];
  const shares = [];
  const proofs = [];
  box.sums.forEach((a, s) => {
    const d = mul(a, share.secret);
    const u = randomScalar();
    const c = challenge("dleq", ...head, u32(s), y.toBytes(), a.toBytes(), d.toBytes(), mul(G, u).toBytes(), mul(a, u).toBytes());
    shares.push(pointToHex(d));
    proofs.push([scalarToHex(c), scalarToHex(Fn.sub(u, Fn.mul(c, share.secret)))]);
  });
  return { v: 1, index: share.index, box: box.hash, shares, proofs };
}
