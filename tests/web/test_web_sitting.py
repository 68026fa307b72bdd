"""A whole sitting over HTTP only: the clerk prepares it, the chair opens it and drives the items and
ballots, seat tablets pair by PIN, sign in and vote with their bearer tokens, the clerk enters a show of
hands; the results read back over HTTP are what the rules give, and the audit chain holds."""
from __future__ import annotations

import io
import uuid

from support.rules import expected_result
from web_helpers import TODAY, assert_json_error, pair_tablet

from voting_server import demo


def cast(tablet, ballot_id, choice, cast_id=None):
    return tablet.post(f"/api/ballots/{ballot_id}/cast", {"choice": choice, "cast_id": cast_id or uuid.uuid4().hex})


def vote(tablets, ballot_id, choices):
    for tablet, choice in zip(tablets, choices, strict=False):
        r = cast(tablet, ballot_id, choice)
        assert r.status_code == 200, r.get_json()
        assert r.get_json()["ok"] is True and r.get_json()["duplicate"] is False


def ok(r, status=200):
    assert r.status_code == status, (r.status_code, r.get_data(as_text=True)[:400])
    return r.get_json()


def test_a_whole_sitting_over_http(app, api, clerk, chair, seeded):
    display, admin = api("display"), api("admin")
    body = seeded.body_id

    # --- the clerk prepares -----------------------------------------------------------------------
    sitting = ok(clerk.post(f"/api/bodies/{body}/sittings", {
        "title": "县第十八届人大常委会第三十七次会议", "date": TODAY.isoformat(), "place": "第一会议室",
        "chair_name": "王建国", "clerk_name": "何静"}), 201)["id"]
    item1 = ok(clerk.post(f"/api/sittings/{sitting}/items", {"title": "关于县级预算调整方案的决议（草案）"}), 201)["id"]
    item2 = ok(clerk.post(f"/api/sittings/{sitting}/items", {"title": "人事任免", "kind": "appointment"}), 201)["id"]
    item3 = ok(clerk.post(f"/api/sittings/{sitting}/items", {"title": "关于延长会期的决定"}), 201)["id"]
    spec1 = {"kind": "resolution", "question": "表决预算调整方案决议"}
    b1 = ok(clerk.post(f"/api/items/{item1}/ballots", {"spec": spec1}), 201)["id"]
    remove = {"kind": "appointment", "persons": [{"id": "p1", "name": "陈立新", "post": "县教育局局长",
                                                  "action": "remove"}]}
    appoint = {"kind": "appointment", "persons": [{"id": "p2", "name": "许文涛", "post": "县教育局局长",
                                                   "action": "appoint"}]}
    b_appoint = ok(clerk.post(f"/api/items/{item2}/ballots", {"spec": appoint, "title": "任命许文涛"}), 201)["id"]
    b_remove = ok(clerk.post(f"/api/items/{item2}/ballots", {"spec": remove, "title": "免去陈立新"}), 201)["id"]
    spec3 = {"kind": "resolution", "question": "延长会期"}
    b3 = ok(clerk.post(f"/api/items/{item3}/ballots", {"spec": spec3, "method": "hands", "secret": False}), 201)["id"]
    pdf = b"%PDF-1.4\n%%EOF\n"
    ok(clerk.post(f"/api/items/{item1}/documents", data={"file": (io.BytesIO(pdf), "预算调整方案.pdf")},
                  content_type="multipart/form-data"), 201)
    agenda = ok(chair.get(f"/api/sittings/{sitting}/agenda"))
    assert [b["status"] for i in agenda["items"] for b in i["ballots"]] == ["draft"] * 4

    # --- tablets pair by PIN; the chair opens; members sign in ---------------------------------------
    tablets = [pair_tablet(app, body, str(seat)) for seat in range(1, 16)]
    observer = pair_tablet(app, body, "L1")
    ok(chair.post(f"/api/sittings/{sitting}/open", {"confirm": True}))
    assert_json_error(chair.post(f"/api/sittings/{sitting}/open", {"confirm": True}), 409, "bad_state")
    for tablet in tablets[:12]:
        ok(tablet.post(f"/api/sittings/{sitting}/sign-in"))
    ok(observer.post(f"/api/sittings/{sitting}/sign-in"))
    ok(clerk.put(f"/api/sittings/{sitting}/attendance/{seeded.member_ids[12]}", {"status": "video"}))
    ok(clerk.put(f"/api/sittings/{sitting}/attendance/{seeded.member_ids[13]}", {"status": "leave",
                                                                                 "reason": "因公出差"}))
    present = tablets[:12]  # seat 13 attends by video (a show of hands), 14 on leave, 15 absent

    # --- item 1: fails in round 1, passes on a re-vote -------------------------------------------------
    ok(chair.post(f"/api/items/{item1}/start"))
    assert_json_error(clerk.post(f"/api/ballots/{b1}/open"), 403, "forbidden")
    ok(chair.post(f"/api/ballots/{b1}/open"))
    round1 = ["for"] * 7 + ["against"] * 3 + ["abstain"]  # 11 of 12 press; one does not
    vote(present, b1, round1)
    again = cast(present[0], b1, "against")
    assert_json_error(again, 409, "already_voted")
    assert_json_error(cast(observer, b1, "for"), 403, "forbidden")
    assert_json_error(cast(tablets[14], b1, "for"), 403, "not_signed_in")
    assert_json_error(cast(present[11], b1, "maybe"), 400)
    agenda = ok(clerk.get(f"/api/sittings/{sitting}/agenda"))
    live = agenda["items"][0]["ballots"][0]
    assert live["status"] == "open" and live["rounds"][0]["voters"] == 11 and live["rounds"][0]["outcome"] is None
    assert ok(display.get(f"/api/ballots/{b1}/results"))["rounds"][0]["result"] is None  # nothing before close
    result1 = ok(chair.post(f"/api/ballots/{b1}/close", {"confirm_video": True}))["result"]
    assert result1 == expected_result(spec1, [{"main": c} for c in round1], present=13, video_pending=1)
    assert result1["outcome"] == "failed" and result1["questions"][0]["needed"] == 8

    ok(chair.post(f"/api/ballots/{b1}/revote", {"reason": "表决器故障，重新表决"}))
    round2 = ["for"] * 9 + ["against"] * 2 + ["abstain"]
    vote(present, b1, round2)
    result2 = ok(chair.post(f"/api/ballots/{b1}/close", {"confirm_video": True}))["result"]
    assert result2 == expected_result(spec1, [{"main": c} for c in round2], present=13, video_pending=1)
    assert result2["outcome"] == "passed"
    assert "赞成9票" in result2["announcement_zh"]

    read = ok(tablets[0].get(f"/api/ballots/{b1}/results"))
    assert read["ballot"]["status"] == "closed" and read["sitting"]["id"] == sitting
    assert [(r["number"], r["status"], r["outcome"]) for r in read["rounds"]] == [(1, "closed", "failed"),
                                                                                   (2, "closed", "passed")]
    assert [r["result"]["data"] for r in read["rounds"]] == [result1, result2]
    assert read["rounds"][1]["result"]["method"] == "tablet"
    absentees = {a["name"]: a for a in read["rounds"][1]["result"]["absentees"]}
    assert absentees[demo.MEMBERS[13]] == {"name": demo.MEMBERS[13], "status": "leave", "reason": "因公出差"}
    assert set(absentees) == {demo.MEMBERS[13], demo.MEMBERS[14]}

    # --- item 2: removal before appointment ------------------------------------------------------------
    ok(chair.post(f"/api/items/{item2}/start"))
    assert_json_error(chair.post(f"/api/ballots/{b_appoint}/open"), 409, "removal_first")
    ok(chair.post(f"/api/ballots/{b_remove}/open"))
    removal_votes = ["for"] * 10 + ["against"] * 2
    vote(present, b_remove, [{"p1": c} for c in removal_votes])
    removed = ok(chair.post(f"/api/ballots/{b_remove}/close", {"confirm_video": True}))["result"]
    assert removed == expected_result(remove, [{"p1": c} for c in removal_votes], present=13, action="remove",
                                      video_pending=1)
    assert removed["outcome"] == "passed"
    ok(chair.post(f"/api/ballots/{b_appoint}/open"))
    appoint_votes = ["for"] * 6 + ["against"] * 5 + ["abstain"]
    vote(present, b_appoint, [{"p2": c} for c in appoint_votes])
    appointed = ok(chair.post(f"/api/ballots/{b_appoint}/close", {"confirm_video": True}))["result"]
    assert appointed == expected_result(appoint, [{"p2": c} for c in appoint_votes], present=13, action="appoint",
                                        video_pending=1)
    assert appointed["outcome"] == "failed"  # 6 < 8: 未获通过

    # --- item 3: a show of hands entered by the clerk ------------------------------------------------
    ok(chair.post(f"/api/items/{item3}/start"))
    ok(chair.post(f"/api/ballots/{b3}/open"))
    assert_json_error(cast(present[0], b3, "for"), 409, "hands_only")
    assert_json_error(chair.post(f"/api/ballots/{b3}/close"), 409, "hands_missing")
    hands = {"main": {"for": 11, "against": 1, "abstain": 1}}
    assert_json_error(clerk.post(f"/api/ballots/{b3}/hands", {"counts": hands, "ballots": 13}), 400,
                      "confirm_required")
    assert_json_error(clerk.post(f"/api/ballots/{b3}/hands", {"counts": hands, "ballots": 14, "confirm": True}),
                      400, "count_exceeds_present")
    assert_json_error(chair.post(f"/api/ballots/{b3}/hands", {"counts": hands, "ballots": 13, "confirm": True}),
                      403, "forbidden")
    ok(clerk.post(f"/api/ballots/{b3}/hands", {"counts": hands, "ballots": 13, "confirm": True, "note": "举手表决"}))
    assert_json_error(clerk.post(f"/api/ballots/{b3}/hands", {"counts": hands, "ballots": 13, "confirm": True}),
                      409, "already_entered")
    shown = ok(chair.post(f"/api/ballots/{b3}/close"))["result"]
    assert shown == expected_result(spec3, [], present=13, hands=hands, hand_ballots=13, hands_only=True)
    assert shown["outcome"] == "passed"
    read3 = ok(admin.get(f"/api/ballots/{b3}/results"))
    assert read3["rounds"][0]["result"]["method"] == "hands"
    assert read3["rounds"][0]["show_of_hands"]["entered_by"] == "办公室 何静"
    assert read3["rounds"][0]["show_of_hands"]["counts"] == hands

    # --- close; everything reads back -----------------------------------------------------------------
    ok(chair.post(f"/api/sittings/{sitting}/close"))
    assert_json_error(clerk.post(f"/api/sittings/{sitting}/items", {"title": "迟到的议题"}), 409, "sitting_closed")
    agenda = ok(clerk.get(f"/api/sittings/{sitting}/agenda"))
    assert agenda["sitting"]["status"] == "closed"
    statuses = {b["id"]: (b["status"], [r["outcome"] for r in b["rounds"]])
                for i in agenda["items"] for b in i["ballots"]}
    assert statuses == {b1: ("closed", ["failed", "passed"]), b_remove: ("closed", ["passed"]),
                        b_appoint: ("closed", ["failed"]), b3: ("closed", ["passed"])}
    sittings = {s["id"]: s for s in ok(chair.get(f"/api/bodies/{body}/sittings"))["sittings"]}
    assert sittings[sitting]["status"] == "closed" and sittings[sitting]["items"] == 3
    report = ok(admin.get("/api/audit/verify"))
    assert report["ok"] is True
    closes = ok(clerk.get(f"/api/audit?sitting_id={sitting}&action=ballot_closed"))
    assert closes["total"] == 5
    casts = ok(clerk.get(f"/api/audit?sitting_id={sitting}&action=vote_cast&limit=500"))["entries"]
    assert len(casts) == 11 + 12 + 12 + 12
    secret_casts = [e for e in casts if e["payload"]["ballot_id"] == b1]
    assert all("choice" not in e["payload"] for e in secret_casts)  # secret: who voted, never what
