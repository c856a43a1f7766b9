"""People's offers and pact moves: answered by bots deterministically, honoured when given."""

from __future__ import annotations

from typing import Any

import mineralgame
from mineralgame.classroom.resolution import bot_offers


def _offer(price: float, response: str | None = None, **terms: Any) -> dict[str, Any]:
    body = {"kind": "investment", "mineral": "nickel", "offtake_share": 0.1, "equity": 0.0}
    body |= {"price_vs_index": price, "duration_rounds": 10, **terms}
    out: dict[str, Any] = {"round": 1, "proposer": "JPN", "responder": "CAN", "terms": body}
    if response is not None:
        out["response"] = response
    return out


def _human_sessions(rec: Any) -> Any:
    s = rec.tables["negotiation_sessions"]
    return s[s["deal_type"] == "human"].reset_index(drop=True)


def test_bot_answers_a_persons_offer_by_its_own_logic_deterministically(runner: Any) -> None:
    decisions = [_offer(1.2), _offer(0.85)]
    rec = runner(rounds=3, decisions=decisions, humans=("JPN",))
    again = mineralgame.run(
        "configs/baseline.yaml", seed=0, rounds=3, decisions=decisions, humans=("JPN",)
    )
    sessions = _human_sessions(rec)
    assert list(sessions["end_reason"]) == ["agreement", "rejected"]
    assert sessions.equals(_human_sessions(again))
    offers = rec.tables["negotiation_offers"]
    answers = offers[(offers["deal_type"] == "human") & (offers["step"] == 1)]
    good, bad = answers.itertuples(index=False)
    assert good.action == "accept"
    assert good.responder_utility >= good.responder_reservation
    assert bad.action == "reject"
    assert bad.responder_utility < bad.responder_reservation
    deal = sessions.loc[0, "deal_id"]
    projects = rec.tables["projects"]
    assert (projects["source"] == deal).any(), "the accepted offer built a project"


def test_a_given_response_is_honoured(runner: Any) -> None:
    decisions = [_offer(1.2, "reject"), _offer(0.85, "accept")]
    rec = runner(rounds=3, decisions=decisions, humans=("JPN", "CAN"))
    assert list(_human_sessions(rec)["end_reason"]) == ["rejected", "agreement"]


def test_offer_to_a_person_is_pending_and_a_later_answer_signs_it(runner: Any) -> None:
    rec = runner(rounds=2, humans=("IDN",))
    pending = bot_offers(rec, ["IDN"], 1)
    assert pending, "bots post offers to the person instead of negotiating for them"
    offers = rec.tables["negotiation_offers"]
    assert not offers[(offers["responder"] == "IDN") & (offers["action"] == "accept")].shape[0]
    first = pending[0]
    answer = {
        "round": 2,
        "proposer": first["proposer"],
        "responder": "IDN",
        "terms": first["terms"],
        "response": "accept",
    }
    later = runner(rounds=3, humans=("IDN",), decisions=[answer])
    human = _human_sessions(later)
    assert len(human) == 1
    assert human.loc[0, "end_reason"] in ("agreement", "withdrawn")
    if human.loc[0, "end_reason"] == "agreement":
        assert human.loc[0, "proposer_utility"] >= human.loc[0, "proposer_reservation"]


def test_pact_moves_by_people_are_honoured_and_bots_do_not_move_them(runner: Any) -> None:
    leave = {"round": 1, "country": "JPN", "pact": "MSP", "action": "leave"}
    rec = runner(rounds=4, decisions=[leave], humans=("JPN",))
    pacts = rec.tables["pacts"]
    msp = pacts[pacts["pact"] == "MSP"]
    assert "JPN" in set(msp[msp["round"] == 0]["member"])
    for rnd in (1, 2, 3):
        assert "JPN" not in set(msp[msp["round"] == rnd]["member"])
    events = rec.tables["events"]
    moves = events[(events["kind"] == "pact_leave") & (events["actor"] == "JPN")]
    assert list(moves["source"]) == ["decision"]
    join = {"round": 2, "country": "JPN", "pact": "MSP", "action": "join"}
    back = runner(rounds=4, decisions=[leave, join], humans=("JPN",))
    msp = back.tables["pacts"].query("pact == 'MSP'")
    assert "JPN" in set(msp[msp["round"] == 3]["member"])
