"""Result sheets: official PDFs, the body's signature, verification, exports.

Reads stored results and never recounts for a sheet; only the verifier re-tallies, to compare.

    render_result_sheet(store, ballot_id, round_number, *, lang, base_url) -> bytes
    signed_result_sheet(store, ballot_id, round_number, *, instance, lang, base_url) -> bytes
    render_sitting_summary / render_attendance_sheet / render_bundle (and signed_* of each)
    verify_sheet(store, pdf_bytes, trust=cert) -> list[Check]
    verify_reference(store, sheet_id, h) -> list[Check]     (the QR code's address)
    check_receipt(store, ballot_id, round_number, receipt) -> bool
    find_receipt(store, receipt) -> [(ballot_id, round_number, status)]   (the receipt code alone)
    export_csv / export_xlsx / export_json / export_sitting
"""
from .checks import Check, all_ok, format_checks
from .data import digest, parse_sheet_id, result_document, sheet_id, verify_url
from .export import (
    export_csv,
    export_json,
    export_sitting,
    export_xlsx,
    read_csv,
    read_json,
    read_xlsx,
)
from .keys import BodyKey, body_certificates, body_key, import_pkcs12
from .pdf import (
    render_attendance_sheet,
    render_bundle,
    render_result_sheet,
    render_sitting_summary,
)
from .sign import (
    sign_pdf,
    signed_attendance_sheet,
    signed_bundle,
    signed_result_sheet,
    signed_sheets,
    signed_sitting_summary,
)
from .verify import (
    check_receipt,
    find_receipt,
    stored_result,
    verify_address,
    verify_reference,
    verify_sheet,
    verify_upload,
)

__all__ = [
    "BodyKey", "Check", "all_ok", "body_certificates", "body_key", "check_receipt", "digest", "export_csv",
    "find_receipt", "verify_address", "verify_upload",
    "export_json", "export_sitting", "export_xlsx", "format_checks", "import_pkcs12", "parse_sheet_id", "read_csv",
    "read_json", "read_xlsx", "render_attendance_sheet", "render_bundle", "render_result_sheet",
    "render_sitting_summary", "result_document", "sheet_id", "sign_pdf", "signed_attendance_sheet", "signed_bundle",
    "signed_result_sheet", "signed_sheets", "signed_sitting_summary", "stored_result", "verify_reference",
    "verify_sheet", "verify_url",
]
