"""The sheets' own words in Chinese and English: headings, column heads, field names and the phrases
added to a label. The words for codes (kinds, methods, outcomes, attendance, secrecy, the state of a
sitting) are not here: they come from :mod:`ballots.labels`, as on every screen.
"""
from __future__ import annotations

from typing import Any

WORDS: dict[str, tuple[str, str]] = {
    "result_title": ("表决结果单", "Voting Result Sheet"),
    "summary_title": ("会议表决结果汇总", "Summary of Votes"),
    "attendance_title": ("出席情况表", "Attendance Sheet"),
    "bundle_title": ("会议表决材料汇编", "Session bundle"),
    "sitting": ("会议", "Sitting"),
    "date": ("日期", "Date"),
    "place": ("地点", "Place"),
    "item": ("议题", "Agenda item"),
    "question": ("表决事项", "Question"),
    "kind": ("表决类型", "Ballot kind"),
    "method": ("表决方式", "Method"),
    "secrecy": ("记名方式", "Secrecy"),
    "round": ("轮次", "Round"),
    "opened": ("开始时间", "Opened"),
    "closed": ("结束时间", "Closed"),
    "chair": ("主持人", "Chair"),
    "clerk": ("工作人员", "Clerk"),
    "rule": ("通过规则", "Passing rule"),
    "quorum": ("法定人数", "Quorum"),
    "hands": ("举手计票", "Show of hands"),
    "revote_reason": ("重新表决理由", "Reason for the re-vote"),
    "note": ("说明", "Note"),
    "attendance": ("出席情况", "Attendance"),
    "entitled": ("应到", "Entitled"),
    "present": ("实到", "Present"),
    "on_site": ("现场出席", "On site"),
    "cast": ("有效票", "Valid ballots"),
    "invalid": ("无效票", "Invalid"),
    "needed": ("需", "Needed"),
    "outcome": ("结果", "Outcome"),
    "result": ("表决结果", "Result"),
    "announcement": ("主持人宣布", "Announcement"),
    "cand_amount": ("投资额", "Investment"),
    "cand_unit": ("责任单位", "Responsible unit"),
    "cand_summary": ("简介", "Summary"),
    "cand_document": ("附项目文件（见本议题文件）", "A paper is attached (among the item's papers)"),
    "earlier": ("此前各轮表决", "Earlier rounds of this ballot"),
    "named_record": ("表决明细", " vote record"),  # after the label of a named ballot: 记名表决明细
    "signatures": ("签字", "Signatures"),
    "scrutineer": ("监票人（签字）", "Scrutineers (sign)"),
    "teller": ("计票人（签字）", "Teller (sign)"),
    "sign_date": ("日期", "Date"),
    "verification": ("核验", "Verification"),
    "sheet_id": ("结果单编号", "Sheet id"),
    "digest": ("结果摘要（SHA-256）", "Result digest (SHA-256)"),
    "cert": ("签名证书指纹（SHA-256）", "Signing certificate (SHA-256)"),
    "verify_url": ("核验地址", "Verification address"),
    "no_public_url": ("未设置公开地址，本结果单不印核验地址和二维码。请在书记员控制台“公开地址”中设置，"
                      "或在服务器上设置 BIAOJUE_PUBLIC_URL。",
                      "No public address is set, so this sheet carries no verification address and no QR code. "
                      "Set one in the clerk console (Public address) or with BIAOJUE_PUBLIC_URL on the server."),
    "seat": ("座位", "Seat"),
    "name": ("姓名", "Name"),
    "title": ("职务", "Title"),
    "choice": ("表决意见", "Vote"),
    "status": ("出席情况", "Attendance"),
    "reason": ("原因", "Reason"),
    "signed_in": ("签到时间", "Signed in"),
    "observers": ("列席人员", "Observers (non-voting)"),
    "by_delegation": ("各代表团出席情况", "Attendance by delegation"),
    "delegation": ("代表团", "Delegation"),
    "no_delegation": ("未分团", "No delegation"),
    "total": ("合计", "Total"),
    "no": ("序号", "No."),
    "counts": ("表决情况", "Votes"),
    "rank": ("名次", "Rank"),
    "candidate": ("候选项目", "Candidate"),
    "nominee": ("候选人", "Candidate"),
    "write_in": ("{name}（另选他人）", "{name} (write-in)"),
    "object": ("测评对象", "Object"),
    "grade": ("测评等次", "Grade reached"),
    "person": ("姓名", "Name"),
    "matter": ("任免事项", "Matter"),
    "none": ("无", "none"),
    "page": ("第 {p} 页 共 {n} 页", "Page {p} of {n}"),
    "generated": ("生成于 {t}（{tz}）", "Generated {t} ({tz})"),
    "times_note": ("时间均为当地时间（{tz}）。", "Times are local ({tz})."),
    "status_line": ("会议状态", "Status"),
    "session": ("会期", "Session"),
    "withdrawn": ("已撤回", "withdrawn"),
    "withdrawn_reason": ("撤回理由：{reason}", "reason: {reason}"),
    "withdrawals": ("撤回的议题和表决", "Withdrawn items and ballots"),
    "withdrawn_line": ("{no}　{title}：于{at}撤回{what}，撤回理由：{reason}",
                       "{no} {title}: withdrawn {at}{what}, reason: {reason}"),
    "withdrawn_item": ("（其表决一并撤回）", " (with its ballots)"),
    "withdrawn_round": ("（第{n}轮表决中撤回，该轮不计票，无表决结果）", " (during round {n}: not counted, no result)"),
}

#: What the result sheet adds after the label of a round's outcome (``ballots.labels.OUTCOME``).
OUTCOME_NOTE: dict[str, tuple[str, str]] = {
    "mixed": ("（逐人结果见上表）", " (see each person above)"),
    "evaluated": ("（各对象等次见上表）", " (grades above)"),
    "selected": ("（入选项目见上表）", " (chosen above)"),
    "no_quorum": ("，表决不产生结果", ": the vote has no outcome"),
}

#: What a table cell adds after the label of a question's outcome (``ballots.labels.QUESTION_OUTCOME``).
QUESTION_NOTE: dict[str, tuple[str, str]] = {
    "tie": ("（需另行表决）", " (run-off)"),
}


def word(key: str, lang: str, **kw: Any) -> str:
    """One of the sheets' words in ``lang`` (``zh`` or ``en``), with ``{placeholders}`` filled in."""
    zh, en = WORDS[key]
    text = en if lang == "en" else zh
    return text.format(**kw) if kw else text


def note(notes: dict[str, tuple[str, str]], code: str, lang: str) -> str:
    """The phrase a sheet adds after a label, or nothing."""
    pair = notes.get(code)
    return "" if pair is None else pair[1] if lang == "en" else pair[0]
