"""Sheets render for every ballot kind, in Chinese and English, and state what RULES.md lists: the
text extracted from each PDF holds the right numbers, names, times, signature lines and digest."""
from __future__ import annotations

import datetime as dt
import io
import re
import uuid

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from sheet_helpers import DAY, column_text, flat, pdf_text
from sqlalchemy import select
from support.hashing import fast_hashing

from ballots import labels
from voting_server import demo as demo_seed
from voting_server import models, services
from voting_server.db import Store
from voting_server.services import Actor
from voting_server.sheets import data as sd
from voting_server.sheets import (
    fonts,
    render_attendance_sheet,
    render_bundle,
    render_result_sheet,
    render_sitting_summary,
)
from voting_server.sheets.pdf import blocks
from voting_server.sheets.pdf.page import CONTENT_W, Ctx
from voting_server.sheets.pdf.summary import column_widths as summary_pdf_widths
from voting_server.sheets.pdf.summary import results_table as summary_results_table

BASE = "http://127.0.0.1:5000"  # the public address the sheets are rendered with
CHAIR = Actor(role="chair", name="王建国", user_id=2)
CLERK = Actor(role="clerk", name="何静", user_id=3)


def pages(pdf: bytes) -> int:
    return int(PdfFileReader(io.BytesIO(pdf)).root["/Pages"]["/Count"])


def assert_common(text: str, doc: dict) -> None:
    """What every result sheet states (RULES.md, "What a result sheet states")."""
    t = flat(text)
    tz = sd.local_time()
    res = doc["result"]
    for piece in (doc["body"]["name"], doc["sitting"]["title"], "表决结果单", doc["item"]["title"],
                  doc["ballot"]["title"],
                  f"第{doc['item']['position']}项", "表决类型", "表决方式", "记名方式", f"第{doc['round']['number']}轮",
                  "应到", "实到", "请假", "缺席", "未按表决器", "需", "监票人（签字）", "计票人（签字）",
                  doc["sitting"]["chair"], doc["sitting"]["clerk"], doc["sheet_id"], sd.digest(doc),
                  doc["audit"]["head"],
                  tz.fmt(doc["round"]["opened_at"]), tz.fmt(doc["round"]["closed_at"]), "核验方法",
                  "python -m voting_server verify", flat(res["announcement_zh"])):
        assert flat(piece) in t, piece
    assert ("无记名" if doc["ballot"]["secret"] else "记名") in t
    assert {"tablet": "电子表决", "hands": "举手表决", "mixed": "电子表决＋举手"}[doc["method"]] in t
    tr = res["turnout"]
    assert f"应到{tr['entitled']}人，实到{tr['present']}人" in t
    for a in doc["absentees"]:
        assert flat(a["name"] + (f"（{a['reason']}）" if a["reason"] else "")) in t
    assert flat(sd.verify_url(BASE, doc["sheet_id"], sd.digest(doc))) in t


def test_resolution_sheet_states_everything(demo):
    doc = demo.doc(demo.ballots[0], 2)
    pdf = render_result_sheet(demo.store, demo.ballots[0], 2, base_url=BASE)
    text = pdf_text(pdf)
    assert_common(text, doc)
    q = doc["result"]["questions"][0]
    # the counts row of the table: 赞成 反对 弃权 未按 需 结果
    layout = pdf_text(pdf, layout=True)
    c = q["counts"]
    outcome = "通过" if q["outcome"] == "passed" else "未获通过"
    assert re.search(rf"\b{c['for']}\s+{c['against']}\s+{c['abstain']}\s+{q['not_voted']}\s+{q['needed']}\s+{outcome}",
                     layout), layout
    # the earlier round of the re-vote is shown with its own announcement
    first = demo.doc(demo.ballots[0], 1)
    assert "此前各轮表决" in flat(text)
    assert flat(first["result"]["announcement_zh"]) in flat(text)
    assert "第2轮（重新表决）" in flat(text)


def test_first_round_has_no_earlier_rounds(demo):
    text = flat(pdf_text(render_result_sheet(demo.store, demo.ballots[0], 1, base_url=BASE)))
    assert_common(text, demo.doc(demo.ballots[0], 1))
    assert "此前各轮表决" not in text


@pytest.mark.parametrize("index", [1, 2])
def test_appointment_sheets_show_each_person(demo, index):
    ballot_id = demo.ballots[index]
    doc = demo.doc(ballot_id)
    pdf = render_result_sheet(demo.store, ballot_id, 1, base_url=BASE)
    text = flat(pdf_text(pdf))
    assert_common(text, doc)
    person = doc["spec"]["persons"][0]
    assert person["name"] in text and person["post"] in text and "任免事项" in text
    q, c = doc["result"]["questions"][0], doc["result"]["questions"][0]["counts"]
    matter = f"任命为{person['post']}" if person["action"] == "appoint" else f"免去{person['post']}职务"
    outcome = "通过" if q["outcome"] == "passed" else "未获通过"
    row = rf"{person['name']}\s+{matter}\s+{c['for']}\s+{c['against']}\s+{c['abstain']}\s+{q['not_voted']}\s+" \
          rf"{q['needed']}\s+{outcome}"
    assert re.search(row, pdf_text(pdf, layout=True)), row
    if person["action"] == "appoint":
        assert ("颁发任命书" if q["outcome"] == "passed" else "不颁发任命书") in text


def test_evaluation_sheet_has_the_grade_table(demo):
    ballot_id = demo.ballots[3]
    doc = demo.doc(ballot_id)
    pdf = render_result_sheet(demo.store, ballot_id, 1, base_url=BASE)
    text = pdf_text(pdf)
    assert_common(text, doc)
    layout = pdf_text(pdf, layout=True)
    grades = {"satisfied": "满意", "basic": "基本满意", "unsatisfied": "不满意"}
    for q in doc["result"]["questions"]:
        c = q["counts"]
        row = rf"{q['label']}\s+{c['satisfied']}\s+{c['basic']}\s+{c['unsatisfied']}\s+" \
              rf"{q['not_voted']}\s+{q['needed']}\s+{grades[q['outcome']]}"
        assert re.search(row, layout), row
    assert "测评等次" in flat(text) and "否则为“不满意”" in flat(text)


def test_selection_sheet_ranks_with_threshold(demo):
    ballot_id = demo.ballots[4]
    doc = demo.doc(ballot_id)
    pdf = render_result_sheet(demo.store, ballot_id, 1, base_url=BASE)
    text = flat(pdf_text(pdf))
    assert_common(text, doc)
    layout = pdf_text(pdf, layout=True)
    for q in doc["result"]["questions"]:
        word = {"chosen": "入选", "not_chosen": "未入选", "tie": "并列"}[q["outcome"]]
        row = rf"{q['rank']}\s+{q['label']}\s+{q['counts']['mark']}\s+{q['not_voted']}\s+{q['needed']}\s+{word}"
        assert re.search(row, layout), q
    assert "每票最多选4项" in text and "全体组成人员的过半数" in text
    chosen = [q["label"] for q in sorted(doc["result"]["questions"], key=lambda q: q["rank"])
              if q["outcome"] == "chosen"]
    assert f"入选{len(chosen)}项：{'、'.join(chosen)}" in text


def test_named_sheet_lists_every_member(demo):
    ballot_id = demo.ballots[5]
    doc = demo.doc(ballot_id)
    assert doc["ballot"]["secret"] is False and doc["named_votes"]
    pdf = render_result_sheet(demo.store, ballot_id, 1, base_url=BASE)
    text = flat(pdf_text(pdf))
    assert_common(text, doc)
    assert "记名表决明细" in text
    layout = pdf_text(pdf, layout=True)
    word = {"for": "赞成", "against": "反对", "abstain": "弃权"}
    absent = {a["name"]: a for a in doc["absentees"]}
    assert doc["result"]["turnout"]["video_pending"] == 1  # closed without the vote of the member by video
    assert [v["name"] for v in doc["named_votes"] if v.get("video_pending")] == ["孙红梅"]
    assert "视频出席未录入1人" in text  # the announcement; and the attendance table's own column
    assert re.search(r"视频出席未录入\s", layout)
    for v in doc["named_votes"]:
        if v["voted"]:
            expected = word[v["choice"]["main"]]
        elif v.get("video_pending"):
            expected = "视频出席未录入"  # never 未按表决器
        elif v["name"] in absent:
            expected = "请假" if absent[v["name"]]["status"] == "leave" else "缺席"
        else:
            expected = "未按表决器"
        assert re.search(rf"\b{v['seat']}\s+{v['name']}\s+{v['title']}\s+{expected}", layout), v


def test_secret_sheet_has_no_member_list(demo):
    text = flat(pdf_text(render_result_sheet(demo.store, demo.ballots[0], 2, base_url=BASE)))
    assert "记名表决明细" not in text


def test_mixed_sheet_names_the_show_of_hands(demo):
    ballot_id = demo.ballots[6]
    doc = demo.doc(ballot_id)
    assert doc["method"] == "mixed" and doc["hands"]["ballots"] == 1
    text = flat(pdf_text(render_result_sheet(demo.store, ballot_id, 1, base_url=BASE)))
    assert_common(text, doc)
    assert "举手计票" in text and f"由{doc['hands']['entered_by']}于" in text and "录入举手表决1票" in text
    assert "视频参会人员举手表决" in text


def test_english_sheet(demo):
    ballot_id = demo.ballots[4]
    doc = demo.doc(ballot_id)
    pdf = render_result_sheet(demo.store, ballot_id, 1, lang="en", base_url="https://congress.example.cn")
    text = flat(pdf_text(pdf))
    for piece in ("VotingResultSheet", "Attendance", "Entitled", "Notvoted", "Scrutineers(sign)", "Teller(sign)",
                  "Howtoverify", flat(doc["result"]["announcement_en"]), doc["sheet_id"], sd.digest(doc),
                  flat(sd.verify_url("https://congress.example.cn", doc["sheet_id"], sd.digest(doc)))):
        assert flat(piece) in text, piece


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_without_a_public_address_a_sheet_prints_none(demo, lang, monkeypatch):
    """No address given (and none in the environment): no verification address, no QR code, and a line
    saying how to set one; the rest of the verification block is there."""
    monkeypatch.delenv("BIAOJUE_PUBLIC_URL", raising=False)
    monkeypatch.delenv("BIAOJUE_BASE_URL", raising=False)
    drawn: list[str] = []
    monkeypatch.setattr(blocks.QRCode, "__init__", lambda self, text, size: drawn.append(text) or None)
    doc = demo.doc(demo.ballots[0], 1)
    text = flat(pdf_text(render_result_sheet(demo.store, demo.ballots[0], 1, lang=lang)))
    assert drawn == []
    assert "/verify?sheet=" not in text and "http" not in text
    assert "BIAOJUE_PUBLIC_URL" in text and sd.digest(doc) in text and doc["audit"]["head"] in text
    assert ("未设置公开地址" if lang == "zh" else "Nopublicaddressisset") in text
    assert "pythonmvoting_serververify" in text.replace("-", "")
    assert sd.default_base_url() is None


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_sheets_print_the_shared_labels(demo, lang):
    """Kinds, methods, secrecy, outcomes and attendance read as on every screen (ballots.labels)."""
    for ballot_id, number in demo.rounds():
        doc = demo.doc(ballot_id, number)
        text = flat(pdf_text(render_result_sheet(demo.store, ballot_id, number, lang=lang, base_url=BASE)))
        secrecy = "secret" if doc["ballot"]["secret"] else "named"
        for group, code in ((labels.KIND, doc["ballot"]["kind"]), (labels.METHOD, doc["method"]),
                            (labels.SECRECY, secrecy), (labels.OUTCOME, doc["result"]["outcome"])):
            assert flat(labels.label(group, code, lang)) in text, (doc["sheet_id"], code)
    # the summary's kind, method and outcome columns (18 mm margin; the widths the table is drawn with)
    summary = render_sitting_summary(demo.store, demo.sitting_id, lang=lang)
    with demo.store.read() as s:
        w = [x / mm for x in summary_pdf_widths(Ctx(lang=lang), sd.sitting_overview(s, demo.sitting_id))]
    columns = {"kind": column_text(summary, 18 + sum(w[:2]), w[2]),
               "method": column_text(summary, 18 + sum(w[:4]), w[4]),
               "outcome": column_text(summary, 18 + sum(w[:6]), w[6])}
    for b, r in demo.rounds():
        doc = demo.doc(b, r)
        for column, code in (("kind", doc["ballot"]["kind"]), ("method", doc["method"]),
                             ("outcome", doc["result"]["outcome"])):
            word = flat(labels.label(labels.GROUPS[column], code, lang))
            assert word in columns[column], (doc["sheet_id"], code, columns[column])
    attendance = flat(pdf_text(render_attendance_sheet(demo.store, demo.sitting_id, lang=lang)))
    for status in ("present", "video", "leave", "absent"):
        assert flat(labels.label(labels.ATTENDANCE, status, lang)) in attendance, status
    assert flat(labels.label(labels.SITTING, "closed", lang)) in attendance


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_summary_headers_do_not_break_inside_a_word(demo, lang):
    """Each header of the summary's table, and each kind's name, reads on one line in its column
    (表决类型, not 表决类/型; 满意度测评 whole); English breaks only between words."""
    with demo.store.read() as s:
        overview = sd.sitting_overview(s, demo.sitting_id)
    ctx = Ctx(lang=lang)
    table = summary_results_table(ctx, overview)
    widths = table._colWidths
    assert abs(sum(widths) - CONTENT_W) < 0.01
    header = table._cellvalues[0]
    kind_cells = [row[2] for row in table._cellvalues[1:]]
    for col, cell in [*enumerate(header), *((2, c) for c in kind_cells)]:
        free = widths[col] - 6  # the grid's left and right padding
        if lang == "zh":
            cell.wrap(free, 1000)
            assert len(cell.blPara.lines) == 1, (col, cell.text)
        else:  # English wraps between words: each word fits
            for word in cell.text.split():
                assert stringWidth(word, cell.style.fontName, cell.style.fontSize) <= free, (col, word)


def test_unknown_language_is_refused(demo):
    with pytest.raises(ValueError):
        render_result_sheet(demo.store, demo.ballots[0], 1, lang="fr", base_url=BASE)


def test_open_or_missing_round_has_no_sheet(demo):
    with pytest.raises(services.NotFound):
        render_result_sheet(demo.store, demo.ballots[0], 9, base_url=BASE)
    with pytest.raises(services.NotFound):
        render_result_sheet(demo.store, 99999, 1, base_url=BASE)


def test_summary_lists_every_item_and_outcome(demo):
    pdf = render_sitting_summary(demo.store, demo.sitting_id)
    text = flat(pdf_text(pdf))
    assert "会议表决结果汇总" in text
    short = {"passed": "通过", "failed": "未获通过", "evaluated": "测评完成", "selected": "票决完成", "tie": "有并列",
             "mixed": "部分通过"}
    for ballot_id, number in demo.rounds():
        doc = demo.doc(ballot_id, number)
        assert flat(doc["ballot"]["title"]) in text
        assert short[doc["result"]["outcome"]] in text
        if doc["ballot"]["kind"] == "resolution":
            c, q = doc["result"]["questions"][0]["counts"], doc["result"]["questions"][0]
            assert f"赞成{c['for']}，反对{c['against']}，弃权{c['abstain']}，未按{q['not_voted']}" in text
    assert pages(pdf) == 1


def test_attendance_sheet_lists_members_observers_and_reasons(demo):
    pdf = render_attendance_sheet(demo.store, demo.sitting_id)
    text = flat(pdf_text(pdf))
    assert "出席情况表" in text and "列席人员" in text
    for name in demo_seed.MEMBERS + [o[0] for o in demo_seed.OBSERVERS]:
        assert name in text
    assert "外出学习" in text and "视频出席" in text and "因公在外，视频参会" in text
    assert "会议已闭会，以上为最终出席记录" in text
    assert pages(pdf) == 1


def test_bundle_holds_every_sheet(demo):
    bundle = render_bundle(demo.store, demo.sitting_id, base_url=BASE)  # as the parts are rendered
    parts = [render_sitting_summary(demo.store, demo.sitting_id), render_attendance_sheet(demo.store, demo.sitting_id)]
    parts += [render_result_sheet(demo.store, b, r, base_url=BASE) for b, r in demo.rounds()]
    assert pages(bundle) == sum(pages(p) for p in parts)
    text = flat(pdf_text(bundle))
    for b, r in demo.rounds():
        assert sd.digest(demo.doc(b, r)) in text


def test_pages_are_a4_and_the_cjk_font_is_embedded(demo):
    pdf = render_result_sheet(demo.store, demo.ballots[5], 1, base_url=BASE)
    box = [float(x) for x in PdfFileReader(io.BytesIO(pdf)).root["/Pages"]["/Kids"][0].get_object()["/MediaBox"]]
    assert box[2:] == pytest.approx(list(A4), abs=0.5)
    chosen = fonts.sheet_font()
    if chosen.embedded:
        assert b"/FontFile2" in pdf  # the TrueType font travels with the file
    else:
        assert b"STSong-Light" in pdf


def test_falls_back_to_the_builtin_cjk_font(demo, monkeypatch):
    monkeypatch.setattr(fonts, "_chosen", None)
    monkeypatch.setattr(fonts, "_candidates", list)
    assert fonts.sheet_font().name == fonts.CID_FALLBACK
    pdf = render_result_sheet(demo.store, demo.ballots[3], 1, base_url=BASE)
    assert pdf.startswith(b"%PDF") and b"STSong-Light" in pdf and b"/FontFile2" not in pdf


# --- edge cases: no quorum, a tie at the cut-off, long texts -------------------------------------


@pytest.fixture(scope="module")
def edge(tmp_path_factory):
    """A sitting voting without a quorum (the chair overrides), then a selection ending in a tie, then
    a named evaluation of many objects with long names."""
    root = tmp_path_factory.mktemp("edge")
    store = Store(f"sqlite:///{root / 'edge.sqlite3'}")
    store.create_all()
    with fast_hashing():
        ids = demo_seed.seed(store, today=DAY)
    sitting = ids["sitting_id"]
    with store.read() as s:
        members = [Actor(role="member", name=p.name, person_id=p.id) for p in s.scalars(
            select(models.Person).where(models.Person.role == "member").order_by(models.Person.id))]
    long_title = "关于" + "进一步加强和改进新时代县域基层治理体系和治理能力现代化建设" * 4 + "的决议（草案）"
    it1 = services.add_item(store, CLERK, sitting, title=long_title)
    b1 = services.create_ballot(store, CLERK, it1, spec={"kind": "resolution", "question": "表决"})
    it2 = services.add_item(store, CLERK, sitting, title="民生实事项目票决", kind="selection")
    b2 = services.create_ballot(store, CLERK, it2, spec={"kind": "selection", "max_marks": 2, "candidates": [
        {"id": "c1", "name": "甲项目"}, {"id": "c2", "name": "乙项目"}, {"id": "c3", "name": "丙项目"}]})
    it3 = services.add_item(store, CLERK, sitting, title="部门工作满意度测评", kind="evaluation")
    objects = [{"id": f"o{i}", "name": f"县第{i}个政府组成部门（含下属事业单位和派出机构）"} for i in range(1, 11)]
    b3 = services.create_ballot(store, CLERK, it3, secret=False, spec={"kind": "evaluation", "objects": objects})
    services.update_body_rules(store, CLERK, ids["body_id"], preset="standing_committee",
                               overrides={"allow_combined_appointments": True})
    it4 = services.add_item(store, CLERK, sitting, title="任免事项（合并表决）", kind="appointment")
    b4 = services.create_ballot(store, CLERK, it4, title="合并表决任命", spec={"kind": "appointment", "combined": True,
                                "persons": [{"id": "p1", "name": "周建平", "post": "县财政局局长"},
                                            {"id": "p2", "name": "吴晓梅", "post": "县审计局局长"}]})
    services.open_sitting(store, CHAIR, sitting)
    for m in members[:7]:
        services.sign_in(store, m, sitting)
    services.start_item(store, CHAIR, it1)
    services.open_ballot(store, CHAIR, b1, override_quorum=True)
    for m in members[:7]:
        services.cast_vote(store, m, b1, "for", uuid.uuid4().hex)
    services.close_ballot(store, CHAIR, b1)
    for m in members[7:]:
        services.sign_in(store, m, sitting)
    services.start_item(store, CHAIR, it2)
    services.open_ballot(store, CHAIR, b2)
    for i, m in enumerate(members):  # c1 10, c2 9, c3 9: c2 and c3 tie at the cut-off of 2
        marks = {}
        if i < 10:
            marks = {"c1": "mark", ("c2" if i < 5 else "c3"): "mark"}
        elif i < 14:
            marks = {"c2": "mark", "c3": "mark"}
        services.cast_vote(store, m, b2, marks, uuid.uuid4().hex)
    services.close_ballot(store, CHAIR, b2)
    services.start_item(store, CHAIR, it3)
    services.open_ballot(store, CHAIR, b3)
    for i, m in enumerate(members):
        services.cast_vote(store, m, b3, {o["id"]: ["satisfied", "basic", "unsatisfied"][(i + j) % 3]
                                          for j, o in enumerate(objects)}, uuid.uuid4().hex)
    services.close_ballot(store, CHAIR, b3)
    services.start_item(store, CHAIR, it4)
    services.open_ballot(store, CHAIR, b4)
    for i, m in enumerate(members):  # 周建平 12 for: appointed; 吴晓梅 7 for: not approved
        services.cast_vote(store, m, b4, {"p1": "for" if i < 12 else "against",
                                          "p2": "for" if i < 7 else "abstain"}, uuid.uuid4().hex)
    services.close_ballot(store, CHAIR, b4)
    yield store, sitting, (b1, b2, b3, b4)
    store.dispose()


def test_no_quorum_sheet(edge):
    store, _sitting, (b1, _b2, _b3, _b4) = edge
    with store.read() as s:
        doc = sd.result_document(s, b1, 1)
    assert doc["result"]["outcome"] == "no_quorum"
    text = flat(pdf_text(render_result_sheet(store, b1, 1)))
    assert "不足法定人数，表决不产生结果" in text and "不足法定人数时经主持人决定进行表决" in text
    assert "需8人，不足" in text and flat(doc["item"]["title"]) in text


def test_tie_at_the_cut_off_is_reported(edge):
    store, _sitting, (_b1, b2, _b3, _b4) = edge
    with store.read() as s:
        doc = sd.result_document(s, b2, 1)
    assert doc["result"]["outcome"] == "tie"
    pdf = render_result_sheet(store, b2, 1)
    text = flat(pdf_text(pdf))
    assert "并列：乙项目、丙项目得票相同，并列于限选名额处，需另行表决" in text
    assert "有并列，需另行表决" in text
    layout = pdf_text(pdf, layout=True)
    assert re.search(r"1\s+甲项目\s+10\s+0\s+8\s+入选", layout)
    assert re.search(r"2\s+乙项目\s+9\s+0\s+8\s+并列", layout)
    summary = flat(pdf_text(render_sitting_summary(store, doc["sitting"]["id"])))
    assert "并列：乙项目、丙项目" in summary


def test_long_named_evaluation_fits_the_page(edge):
    store, sitting, (_b1, _b2, b3, _b4) = edge
    pdf = render_result_sheet(store, b3, 1)
    assert pages(pdf) >= 2
    text = flat(pdf_text(pdf))
    assert "县第10个政府组成部门（含下属事业单位和派出机构）" in text and "记名表决明细" in text
    # the announcement and every member's line (15) name the object with its grade
    assert text.count("县第1个政府组成部门（含下属事业单位和派出机构）：") == 16
    for lang in ("zh", "en"):
        assert pages(render_bundle(store, sitting, lang=lang)) >= 5  # no layout error in either language


def test_local_time_is_printed(demo):
    doc = demo.doc(demo.ballots[0], 1)
    closed = dt.datetime.fromisoformat(doc["round"]["closed_at"].rstrip("Z")).replace(tzinfo=dt.UTC)
    shanghai = closed.astimezone(dt.timezone(dt.timedelta(hours=8))).strftime("%Y-%m-%d %H:%M:%S")
    text = flat(pdf_text(render_result_sheet(demo.store, demo.ballots[0], 1, timezone="Asia/Shanghai", base_url=BASE)))
    assert flat(shanghai) in text and "UTC+08:00" in text


def test_combined_appointment_gives_each_person_an_outcome(edge):
    store, _sitting, (_b1, _b2, _b3, b4) = edge
    with store.read() as s:
        doc = sd.result_document(s, b4, 1)
    assert doc["result"]["outcome"] == "mixed"
    pdf = render_result_sheet(store, b4, 1)
    layout = pdf_text(pdf, layout=True)
    assert re.search(r"周建平\s+任命为县财政局局长\s+12\s+3\s+0\s+0\s+8\s+通过", layout), layout
    assert re.search(r"吴晓梅\s+任命为县审计局局长\s+7\s+0\s+8\s+0\s+8\s+未获通过", layout), layout
    text = flat(pdf_text(pdf))
    assert "部分通过（逐人结果见上表）" in text
    assert "周建平：任命通过，颁发任命书，依法进行宪法宣誓" in text
    assert "吴晓梅：任命未获通过，不颁发任命书，不进行宪法宣誓" in text


def test_a_revote_sheet_prints_its_reason(demo):
    """The demo budget's second round was called for a reason: its sheet prints it; round 1 prints none."""
    second = flat(pdf_text(render_result_sheet(demo.store, demo.ballots[0], 2, base_url=BASE)))
    assert "重新表决理由" in second and flat("第一轮有四台表决器发生故障，经主持人决定重新表决") in second
    assert "重新表决理由" not in flat(pdf_text(render_result_sheet(demo.store, demo.ballots[0], 1, base_url=BASE)))
    english = flat(pdf_text(render_result_sheet(demo.store, demo.ballots[0], 2, lang="en", base_url=BASE)))
    assert "Reasonforthere-vote" in english
