"""The encrypted ballot box of secret rounds: what is stored for a secret choice is a ciphertext, the
tally is a decryption of the sums only, and anyone can re-check the tally from public data.

The construction is that of Cramer, Gennaro and Schoenmakers ("A secure and optimally efficient
multi-authority election scheme", EUROCRYPT 1997), as Helios, Belenios and ElectionGuard build it.

Group -- ristretto255 (RFC 9496): a prime-order group (order ℓ = 2^252 + 27742317777372353535851937790883648493)
with canonical 32-byte encodings, so there is no cofactor to clear and no two encodings of one point.
Python uses libsodium through ``rbcl``, which bundles libsodium and exposes
``crypto_core_ristretto255_*`` and ``crypto_scalarmult_ristretto255[_base]``; PyNaCl 1.6.2 exposes
only the Edwards25519 core functions (cofactor 8, no ristretto255), so it was not chosen. The browser
uses ``@noble/curves``' ristretto255 (audited, dependency-free), vendored by ``make``. No big-number
arithmetic is written here: scalars and points go through the libraries only. Measured on the
project's machine: a base-point multiplication 12 µs, a variable-point one 38 µs, an addition 11 µs
(libsodium decodes and encodes both points), a point check 4 µs.

Encryption (:mod:`.ballot`) -- exponential ElGamal: key pair (s, PK = s·G), Enc(m; r) =
(r·G, m·G + r·PK), added componentwise. One ciphertext per (question, option), a *slot*, encrypting
0 or 1; the per-slot sums are exactly the tally input of ``spec.tally``. The :class:`Layout` of a spec,
derived from ``spec.questions()`` and ``spec.limits()`` and computed here only (a tablet receives it),
lists the sums to prove: exactly 1 per question that must be answered or has a default answer (an
unanswered for/against/abstain candidate is 弃权, as ``spec.validate`` records it), 0..1 per other
question with several options, 0..max_marks over the ``for_code`` slots and 0..cap over each capped
grade (omitted when implied). A 0/1 vector meets them exactly when it encodes a choice
``spec.validate`` accepts (property-tested both ways); an unmarked mark-style candidate encrypts 0.

Proofs (:mod:`.proofs`) -- non-interactive by Fiat–Shamir (SHA-512, reduced mod ℓ): per slot a
disjunctive Chaum–Pedersen proof that it encrypts 0 or 1 (Cramer–Damgård–Schoenmakers, CRYPTO 1994;
Chaum–Pedersen, CRYPTO 1992), and per sum a range proof lo..hi of the same shape (one branch when
lo = hi), as in ElectionGuard 2.0's proofs of ballot correctness (§3.3, option and contest selection
limits). Each challenge hashes the protocol tag, the group's name, the key set's id (a hash of all its
commitments), the round's context string, the ballot's hash (over all its ciphertexts), which slot or
sum, the bounds, the statement's points and every commitment -- "strong" Fiat–Shamir (Bernhard,
Pereira, Warinschi, ASIACRYPT 2012): a proof is bound to its ballot, round and key, so it cannot be
moved to another ciphertext, ballot or round. A ballot, or one ciphertext of one, cast twice is
refused by the box (the replay of Cortier and Smyth, "Attacking and fixing Helios", CSF 2011).

Hashes -- a ballot's hash (SHA-256 over key id, context and its ciphertexts) is the member's receipt;
the box hash (SHA-256 over the sorted ballot hashes) goes on the result sheet.

Tally (:mod:`.tally`) -- the box adds ciphertexts; each key holder returns s_i·A for every summed α
with a Chaum–Pedersen proof against their public share; any k are combined with Lagrange
coefficients at 0; m·G = B − s·A gives m by a bounded table lookup (m ≤ the number of ballots). No
function decrypts a single ballot, and a key holder's device rebuilds the box from every ballot's
ciphertexts itself (:meth:`Box.from_request`), so it decrypts only the sums of the box whose hash it
shows. :func:`verify_tally` re-checks ballots, sums, decryptions and counts from public data only.

Key holders (:mod:`.keys`, :mod:`.sealed`, :mod:`.shares`) -- one key set format for both modes,
``{"v": 1, "k", "n", "commitments"}``:

* *sealed by the server*: k = n = 1, commitments [PK]; the private key sealed with ChaCha20-Poly1305
  (``cryptography``; associated data: key set and round) under a per-round wrapping key in a 0600 file
  of the instance folder, overwritten and removed after the tally, so no old copy of the sealed key
  (database heap, log, backup) can be opened afterwards -- stronger than one instance-wide key;
* *监票人 key shares*: a dealer draws the key in memory and deals Shamir shares (1979) with Feldman
  commitments (FOCS 1987); each share goes on a key card (89 bytes, a 149-character QR text) under
  Argon2id(PIN) (RFC 9106: t = 3, m = 64 MiB, p = 4) and ChaCha20-Poly1305 with a zero nonce, as each
  card key is used once (age's scrypt recipient); neither the key nor a plain share is returned. The
  browser unlocks a card and makes the partial decryption itself (``terminal_ui/static/js/ballotbox/``,
  ``@noble/hashes``' Argon2id and ``@noble/ciphers``' ChaCha20-Poly1305).

Every refusal is a :class:`BallotBoxError` (a ``ballots.BallotError``) with a stable code and zh/en
messages. Wire format v1: ``docs/protocol.md``, "Encrypted ballots".

What the server calls:

* open: ``KeyFolder(instance / "ballotbox").open_round(context)`` -> store ``.keys`` and ``.sealed``;
  or ``deal(k, n, pins)`` -> store ``.keys``, hand out ``.cards``; send ``Layout.of(spec).to_dict()``
  and the key set to the tablets;
* cast: ``encrypt(spec, keys, context, choice)`` (server encrypts; off the event loop: ``CheckerPool.seal``) or ``verify_ballot(layout, keys,
  context, load_ballot(text, layout))`` (tablet encrypts; off the event loop: ``CheckerPool``, whose
  ``check`` also returns the stored text and the α's) -> ``Ballot``; store the
  wire ballot and ``ballot.receipt``; ``Box.add(ballot)`` refuses copies (after a restart, rebuild an
  open round's box with ``restore_ballot`` from the stored ballots);
* close: ``box.request()`` to the key holders' devices, ``check_partial(box, p)`` as each answers
  ("监票人解密 1/2"), ``combine(box, layout, partials)`` -> ``Tally`` (counts for ``spec.tally``,
  holders, box hash); sealed: ``combine(box, layout, [partial(box, folder.share(context, keys,
  sealed))])``, then delete the sealed key and ``folder.destroy(context)``;
* verify: ``verify_tally(spec, keys, context, ballots, partials, counts, box_hash)``.

Write-ins of an election (另选他人, :mod:`.writeins`, after ElectionGuard's write-in selection and its
hashed-ElGamal contest data): ``places`` write-in lines counted homomorphically with the candidates'
for-marks, each name sealed to the round key by hashed ElGamal with a nonce of its own (never the
line's, whose r·PK is β or β − G); at a sealed round's close
``open_writeins(box, layout, spec, share)`` counts them by name in memory (``tally_input`` gives
``spec.tally`` its counts), and ``verify_tally(..., writeins=record)`` checks the counts by name against
the lines' decrypted sum. Not offered under 监票人 shares.
"""

from __future__ import annotations

from .ballot import (
    Ballot,
    Layout,
    ballot_hash,
    encrypt,
    encrypt_ballot,
    load_ballot,
    restore_ballot,
    verify_ballot,
)
from .checker import CheckerPool, Job, Plain, check_all, seal_all
from .errors import BallotBoxError
from .keys import MAX_HOLDERS, KeySet, Share
from .sealed import KeyFolder, SealedRound, seal, unseal
from .shares import KDF_DEFAULT, Dealing, Kdf, deal, unlock
from .tally import Box, Tally, check_partial, combine, lines_total, open_writeins, partial, tally_input, verify_tally

__all__ = [
    "KDF_DEFAULT",
    "MAX_HOLDERS",
    "Ballot",
    "BallotBoxError",
    "Box",
    "CheckerPool",
    "Dealing",
    "Kdf",
    "KeyFolder",
    "Job",
    "KeySet",
    "Layout",
    "Plain",
    "SealedRound",
    "Share",
    "Tally",
    "ballot_hash",
    "check_all",
    "check_partial",
    "combine",
    "deal",
    "encrypt",
    "encrypt_ballot",
    "load_ballot",
    "partial",
    "restore_ballot",
    "seal",
    "seal_all",
    "unlock",
    "unseal",
    "verify_ballot",
    "verify_tally",
    "lines_total",
    "open_writeins",
    "tally_input",
]
