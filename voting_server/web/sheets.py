"""Result sheets over HTTP: signed PDFs to print, exports to download, and verification that anyone
may run (the QR code on a sheet opens ``/verify?sheet=…&h=…``; a PDF can be uploaded)."""
from __future__ import annotations

import io
from typing import Any

from flask import Blueprint, Flask, current_app, request, send_file

from .. import services
from ..i18n import msg
from ..services import admin_view
from ..services.base import require
from . import current_actor, ok, public_url, store

bp = Blueprint("sheets", __name__, url_prefix="/api")

LANGS = ("zh", "en")
EXPORT_TABLES = ("results", "attendance", "named_votes")
MAX_SHEET_BYTES = 20 * 1024 * 1024


def _lang() -> str:
    lang = request.args.get("lang", "zh")
    if lang not in LANGS:
        raise services.Invalid("bad_lang", msg("语言只能是 zh 或 en"))
    return lang


def _pdf(data: bytes, name: str) -> Any:
    response = send_file(io.BytesIO(data), mimetype="application/pdf", download_name=name, as_attachment=False)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response


def _exists(kind: str, ident: int) -> None:
    """The ballot or sitting exists and the caller may read it (a seat tablet: its own body only)."""
    admin_view.ensure_exists(store(), kind, ident, current_actor())


def _sheet_error(err: Exception) -> services.ServiceError:
    if isinstance(err, services.ServiceError):
        return err
    # TRANSLATORS: {error} (the name of the error) is for English only
    return services.NotFound("no_result", msg("该表决尚无结果，不能生成结果单", error=type(err).__name__))


@bp.get("/ballots/<int:ballot_id>/rounds/<int:round_number>/sheet.pdf")
def result_sheet(ballot_id: int, round_number: int) -> Any:
    """The signed result sheet of one round."""
    require(current_actor(), "read_results")
    from .. import sheets

    lang = _lang()
    _exists("ballot", ballot_id)
    try:
        data = sheets.signed_result_sheet(store(), ballot_id, round_number, instance=current_app.instance_path,
                                          lang=lang, base_url=public_url())
    except (LookupError, ValueError) as err:
        raise _sheet_error(err) from err
    return _pdf(data, f"result-B{ballot_id}-R{round_number}.pdf")


SITTING_SHEETS = {"summary": "signed_sitting_summary", "attendance": "signed_attendance_sheet",
                  "bundle": "signed_bundle"}


@bp.get("/sittings/<int:sitting_id>/<kind>.pdf")
def sitting_sheet(sitting_id: int, kind: str) -> Any:
    """The sitting summary, the attendance sheet, or every sheet of the sitting in one PDF."""
    require(current_actor(), "read_results")
    if kind not in SITTING_SHEETS:
        # TRANSLATORS: {kind} (the name asked for) is for English only
        raise services.NotFound("not_found", msg("没有这种结果单", kind=kind[:30]))
    from .. import sheets

    lang = _lang()
    _exists("sitting", sitting_id)
    fn = getattr(sheets, SITTING_SHEETS[kind])
    kwargs: dict[str, Any] = {"instance": current_app.instance_path, "lang": lang}
    if kind == "bundle":
        kwargs["base_url"] = public_url()
    try:
        data = fn(store(), sitting_id, **kwargs)
    except (LookupError, ValueError) as err:
        raise _sheet_error(err) from err
    return _pdf(data, f"sitting-{sitting_id}-{kind}.pdf")


@bp.get("/sittings/<int:sitting_id>/export.<fmt>")
def export(sitting_id: int, fmt: str) -> Any:
    """Results, attendance and named votes as CSV (one table: ``?table=``), XLSX or JSON."""
    require(current_actor(), "read_audit")  # the consoles: admin, clerk, chair
    from .. import sheets

    _exists("sitting", sitting_id)
    if fmt == "csv":
        table = request.args.get("table", "results")
        if table not in EXPORT_TABLES:
            raise services.Invalid("bad_table", msg("表格只能是 results、attendance 或 named_votes"))
        data, mime = sheets.export_csv(store(), sitting_id, table), "text/csv"  # Flask adds the charset
        name = f"sitting-{sitting_id}-{table}.csv"
    elif fmt == "xlsx":
        data = sheets.export_xlsx(store(), sitting_id)
        mime, name = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", f"sitting-{sitting_id}.xlsx"
    elif fmt == "json":
        data, mime, name = sheets.export_json(store(), sitting_id), "application/json", f"sitting-{sitting_id}.json"
    else:
        raise services.NotFound("not_found", msg("不支持的导出格式（csv、xlsx、json）"))
    return send_file(io.BytesIO(data), mimetype=mime, download_name=name, as_attachment=True)


def _checks_answer(done: Any) -> Any:
    """Every check, the verdict in words, and the record on file of the sheets it may show."""
    from ..sheets import checks, content

    verdict_zh, verdict_en = checks.verdict(done.checks)
    return ok({"ok": checks.all_ok(done.checks), "verdict_zh": verdict_zh, "verdict_en": verdict_en,
               "checks": [c.to_dict() for c in done.checks], "sheets": content.sheet_contents(store(), done.shown)})


def start_workers(app: Flask) -> None:
    """The pool of public verifications (:mod:`voting_server.sheets.worker`): its helper process starts
    at the first verification and ends with the server."""
    from ..sheets.worker import Limits, WorkerPool

    pool = WorkerPool(Limits(workers=app.config["VERIFY_WORKERS"], queue=app.config["VERIFY_QUEUE"],
                             timeout=float(app.config["VERIFY_TIMEOUT"]), memory_mb=app.config["VERIFY_MEMORY_MB"]))
    app.extensions["biaojue_verifier"] = pool


def _verify(task: dict[str, Any], payload: bytes = b"") -> Any:
    """Run one public verification in a worker process (in this one for an in-memory database)."""
    from .. import sheets

    st = store()
    if st.is_sqlite and st.url in ("sqlite://", "sqlite:///:memory:"):
        def inline() -> Any:
            if task["kind"] == "reference":
                return sheets.verify_address(st, task["sheet"], task["h"], incremental=True)
            return sheets.verify_upload(st, payload, instance=task["instance"], incremental=True)
    else:
        inline = None  # type: ignore[assignment]
    pool = current_app.extensions["biaojue_verifier"]
    return _checks_answer(pool.run({**task, "url": st.url}, payload, inline=inline))


@bp.get("/verify")
def verify_reference() -> Any:
    """What the QR code on a sheet points at: is this result on record, unchanged?"""
    sheet, digest = request.args.get("sheet", ""), request.args.get("h", "")
    if not sheet or not digest or len(sheet) > 40 or len(digest) > 128:
        raise services.Invalid("bad_reference", msg("请提供结果单编号和校验码（sheet、h）"))
    return _verify({"kind": "reference", "sheet": sheet, "h": digest})


@bp.post("/verify")
def verify_upload() -> Any:
    """Upload a signed sheet (form field ``file``): every check, each with its reason."""
    f = request.files.get("file")
    if f is None:
        raise services.Invalid("missing_file", msg("请选择要核验的结果单 PDF（表单字段 file）"))
    data = f.stream.read(MAX_SHEET_BYTES + 1)
    if not data:
        raise services.Invalid("empty_file", msg("文件为空"))
    if len(data) > MAX_SHEET_BYTES:
        raise services.Invalid("file_too_large", msg("文件过大"))
    return _verify({"kind": "upload", "instance": current_app.instance_path}, data)


@bp.get("/ballots/<int:ballot_id>/rounds/<int:round_number>/receipts/<receipt>")
def check_receipt(ballot_id: int, round_number: int, receipt: str) -> Any:
    """A member checks that their receipt is among the round's participants (no choice is shown)."""
    from .. import sheets

    admin_view.ensure_exists(store(), "ballot", ballot_id)  # public: anyone holding a receipt may check it
    status = admin_view.round_status(store(), ballot_id, round_number)
    if status is None:
        # TRANSLATORS: {ballot} and {round} (the numbers asked for) are for English only
        raise services.NotFound("not_found", msg("没有这一轮表决", ballot=ballot_id, round=round_number))
    if status != "closed":
        raise services.Conflict("ballot_open", msg("表决结束后才能核对回执"))
    return ok({"found": sheets.check_receipt(store(), ballot_id, round_number, receipt)})


@bp.get("/receipts/<receipt>")
def find_receipt(receipt: str) -> Any:
    """A member checks their receipt with the code alone, as the tablet showed it: the closed rounds
    among whose participants it is (no choice is shown); 409 while its round is still open."""
    from .. import sheets
    from ..sheets import content

    rounds = sheets.find_receipt(store(), receipt)
    if any(status != "closed" for _b, _n, status in rounds):
        raise services.Conflict("ballot_open", msg("表决结束后才能核对回执"))
    return ok({"found": bool(rounds), "rounds": content.receipt_rounds(store(), [(b, n) for b, n, _s in rounds])})
