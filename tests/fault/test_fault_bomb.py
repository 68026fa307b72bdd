"""A decompression bomb uploaded to ``/verify`` cannot grow the server: a signed PDF (signed with any key:
anyone can make one) whose embedded file inflates to 1 GiB from about 1 MB. pyHanko stops decoding at its
limit, but only after the server had taken that memory (its peak rose by about 500 MB, and 270 MB stayed in
the report; here, one bomb's memory went back) with its event loop held for seconds. The upload is now read
in a worker process with a memory limit (``RLIMIT_AS``), which exits after each verification.

Measured on a real server: its resident memory after a normal verification (the baseline), after the
bomb, and that a normal signed sheet still verifies afterwards. Figures printed."""
from __future__ import annotations

import http.client
import io
import json
import os
import threading
import time
import uuid
import zlib
from pathlib import Path
from typing import Any

from support.hashing import fast_hashing

from voting_server.db import Store
from voting_server.migrate import upgrade
from voting_server.sheets import data as sd
from voting_server.sheets.demo_sitting import simulate
from voting_server.sheets.keys import body_key
from voting_server.sheets.sign import sign_pdf, signed_result_sheet

GIB = 1 << 30


def bomb_pdf(attacker: Path) -> bytes:
    """A one-page PDF with an embedded file of 1 GiB of zeros (deflated), signed with a key of its own."""
    from pyhanko.pdf_utils import embed, generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from reportlab.pdfgen import canvas

    page = io.BytesIO()
    c = canvas.Canvas(page)
    c.drawString(100, 750, "result sheet")
    c.save()
    deflate = zlib.compressobj(9)
    chunk = bytes(1 << 20)
    encoded = b"".join(deflate.compress(chunk) for _ in range(GIB // len(chunk))) + deflate.flush()
    writer = IncrementalPdfFileWriter(io.BytesIO(page.getvalue()))
    stream = embed.EmbeddedFileObject(writer, dict_data={"/Filter": generic.pdf_name("/FlateDecode")},
                                      encoded_data=encoded, mime_type="application/json")
    embed.embed_file(writer, embed.FileSpec(file_spec_string="result-B1-R1.json", file_name="result-B1-R1.json",
                                            embedded_data=stream, description="result"))
    out = io.BytesIO()
    writer.write(out)
    attacker.mkdir(exist_ok=True)
    return sign_pdf(out.getvalue(), body_key(attacker, 1, "某县人大常委会"))


def a_signed_sheet(url: str, instance: Path) -> bytes:
    store = Store(url)
    try:
        upgrade(store)
        with fast_hashing():
            ids = simulate(store, seed=5)
        with store.read() as s:
            ballot_id, number = sd.closed_rounds(s, ids["sitting_id"])[0]
        return signed_result_sheet(store, ballot_id, number, instance=instance)
    finally:
        store.dispose()


def upload(port: int, pdf: bytes) -> tuple[int, Any]:
    """POST /api/verify as the verify page does: the CSRF token of the session probe, then the file."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request("GET", "/api/session")
        r = conn.getresponse()
        token = json.loads(r.read())["csrf_token"]
        cookie = "; ".join(h.split(";", 1)[0] for k, h in r.getheaders() if k.lower() == "set-cookie")
        boundary = uuid.uuid4().hex
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"sheet.pdf\"\r\n"
                f"Content-Type: application/pdf\r\n\r\n").encode() + pdf + f"\r\n--{boundary}--\r\n".encode()
        conn.request("POST", "/api/verify", body=body, headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}", "X-CSRFToken": token, "Cookie": cookie})
        r = conn.getresponse()
        return r.status, json.loads(r.read())
    finally:
        conn.close()


def test_a_decompression_bomb_does_not_grow_the_server(servers, tmp_path):
    url = f"sqlite:///{tmp_path / 'bomb.sqlite3'}"
    instance = tmp_path / "instance"
    instance.mkdir()
    sheet = a_signed_sheet(url, instance)
    bomb = bomb_pdf(tmp_path / "attacker")
    assert len(bomb) < 2 * 1024 * 1024  # what is sent: under 2 MB
    server = servers(url, instance).start()

    status, answer = upload(server.port, sheet)  # the baseline: a normal verification has run once
    assert status == 200 and answer["ok"] is True, answer
    time.sleep(0.5)
    before = server.memory_mb()
    with open(f"/proc/{server.pid}/clear_refs", "w") as fh:  # the peak (VmHWM) starts again from now
        fh.write("5")
    probes: list[float] = []
    done = threading.Event()

    def probe() -> None:  # the hall's view meanwhile: /healthz
        while not done.is_set():
            t = time.perf_counter()
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
            conn.request("GET", "/healthz")
            conn.getresponse().read()
            conn.close()
            probes.append(time.perf_counter() - t)
            time.sleep(0.05)

    prober = threading.Thread(target=probe, daemon=True)
    prober.start()
    t0 = time.perf_counter()
    status, answer = upload(server.port, bomb)
    seconds = time.perf_counter() - t0
    done.set()
    prober.join(60)
    assert status == 200, answer
    assert answer["ok"] is False and answer["checks"][0]["name"] == "readable" and not answer["checks"][0]["ok"]
    time.sleep(0.5)
    after = server.memory_mb()
    peak = server.memory_mb("VmHWM")

    status, again = upload(server.port, sheet)  # a normal sheet still verifies
    assert status == 200 and again["ok"] is True, again
    print(f"\n[bomb] {len(bomb) / 1024:.0f} KB inflating to 1 GiB: refused in {seconds:.1f} s "
          f"({answer['checks'][0]['reason_en'][:100]}); server RSS {before:.0f} MB before, {after:.0f} MB after "
          f"(+{after - before:.1f} MB), peak {peak:.0f} MB (+{peak - before:.1f} MB); healthz meanwhile: "
          f"{len(probes)} probes, slowest {max(probes) * 1000:.0f} ms; a normal sheet still verifies")
    assert after - before < 10, f"the server grew by {after - before:.0f} MB"
    assert peak - before < 10, f"the server's memory rose by {peak - before:.0f} MB while it read the bomb"
    assert max(probes) < 0.5, f"/healthz waited {max(probes):.1f} s while the bomb was read"
    server.assert_clean_logs()


def test_a_verification_process_cannot_take_more_memory_than_its_limit():
    """What keeps a bomb inside its worker: the child's address space is capped (``RLIMIT_AS``) at what it
    has plus the limit, so a larger allocation fails there with MemoryError (and the time is capped too)."""
    from voting_server.sheets.worker import limit_resources

    pid = os.fork()
    if pid == 0:  # the child: 64 MB allowed, 256 MB asked for
        code = 3
        try:
            limit_resources(5, 64)
            try:
                bytearray(256 * 1024 * 1024)
                code = 1
            except MemoryError:
                bytearray(16 * 1024 * 1024)  # within the limit: fine
                code = 0
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
