"""Result sheets as A4 PDFs (reportlab): the result of one round, the sitting summary, the attendance
sheet and the session bundle, in Chinese (``lang="zh"``, the official form) or English (``lang="en"``).

Everything printed comes from the stored documents of :mod:`..data`; nothing is recounted here. The
``*_pdf`` functions are pure (a document in, PDF bytes out); the ``render_*`` functions read the store.
Labels of codes come from :mod:`ballots.labels`, the sheets' own words from :mod:`.wording`.

    page         the A4 page, styles, footer and the per-PDF context (:class:`Ctx`)
    blocks       heading, ruled tables, sitting rows, signature lines, verification box and QR code
    kind_tables  the result table of each ballot kind
    round_sheet  the result sheet of one round
    summary      the sitting summary
    attendance   the attendance sheet
    bundle       all of them in one PDF
"""
from .attendance import attendance_sheet_pdf, render_attendance_sheet
from .bundle import bundle_pdf, render_bundle
from .page import Ctx
from .round_sheet import render_result_sheet, result_sheet_pdf
from .summary import render_sitting_summary, summary_pdf

__all__ = ["Ctx", "attendance_sheet_pdf", "bundle_pdf", "render_attendance_sheet", "render_bundle",
           "render_result_sheet", "render_sitting_summary", "result_sheet_pdf", "summary_pdf"]
