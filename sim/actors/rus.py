"""Russia: shells for its war, paid in money, oil, food and technology; the UN seat; China.

Putin's visit to Pyongyang "looked more like a real step of despair" (s004-desperation):
Russia needs shells, and pays for them in kind as well as in cash, at the cost of
irritating its main partner, China (s004-china-partner).
"""

from __future__ import annotations

from sim.actors.base import NOISE_ASSUMPTION, Actor, Instrument, Interest, Move, clip01, rel01


class RUS(Actor):
    """Russia."""

    code = "RUS"
    title = "Russia"
    status_quo_claims = ("s004-shell-shortage", "s001-arms-ease-food")
    unpredictability = 0.0001
    unpredictability_claims = ("s004-unreliable",)
    unpredictability_assumption = NOISE_ASSUMPTION + (" Dictators are unreliable partners (s004-unreliable), but no article ranks the "
                                             "states by it: the same as every actor but the DPRK.")
    weights_assumption = (
        "The articles give no weights. War supply weighs most (4 of 9): the visit to Pyongyang was 'a step of "
        "despair' to overcome a shell shortage (s004-desperation, s004-shell-shortage). China, its 'main "
        "political and economic partner' (s004-china-partner), weighs 2; thrift (s004-food-fuel-tech, "
        's000-munitions-for-money-oil), a close and stable DPRK that leans on Moscow (s004-stronger-ties, '
        's001-arms-ease-food) and undoing sanctions (s004-revisionist, s004-cancel-sanctions) weigh 1 each.'
    )

    instruments = (
        Instrument("RUS.purchase_level", "Purchases of DPRK shells and missiles: share of what it would take.",
                   ("s001-arms-ease-food", "s004-shell-shortage", "s002-supplies")),
        Instrument("RUS.food_aid_level", "The rice programme: share of 600-700 kt a year, part of the price.",
                   ("s001-rice", "s004-food-fuel-tech"), {"RUS-DPRK": 0.0025}),
        Instrument("RUS.un_shield", "Shielding the DPRK at the Security Council: blocking enforcement.",
                   ("s004-unsc", "s004-cancel-sanctions"), {"RUS-DPRK": 0.0025, "USA-RUS": -0.005}),
        Instrument("RUS.tech_level", "Transfers of space and missile technology, part of the price.",
                   ("s001-space-tech", "s003-mil-tech", "s004-food-fuel-tech"),
                   {"RUS-DPRK": 0.005, "CHN-RUS": -0.005, "JPN-RUS": -0.005, "ROK-RUS": -0.005}),
    )

    moves = (
        Move("keep", "Keep the posture: purchases, rice and technology as they are.", ("s004-irritates",)),
        Move("buy_more", "Buy more DPRK shells and missiles.", ("s004-shell-shortage", "s004-desperation"),
             changes={"RUS.purchase_level": 1}),
        Move("buy_less", "Buy fewer DPRK shells and missiles.", ("s004-irritates",),
             changes={"RUS.purchase_level": -1}),
        Move("ship_more_rice", "Pay more of the price in rice.", ("s001-rice", "s004-food-fuel-tech"),
             changes={"RUS.food_aid_level": 1}),
        Move("ship_less_rice", "Pay less of the price in rice.", ("s001-rice",),
             changes={"RUS.food_aid_level": -1}),
        Move("transfer_more_tech", "Pay more of the price in space and missile technology.",
             ("s001-space-tech", "s003-mil-tech", "s004-food-fuel-tech"), changes={"RUS.tech_level": 1}),
        Move("transfer_less_tech", "Pay less of the price in technology.", ("s004-china-partner",),
             changes={"RUS.tech_level": -1}),
        Move("shield_at_un", "Use the Security Council seat more against sanctions on the DPRK.",
             ("s004-unsc", "s004-cancel-sanctions"), changes={"RUS.un_shield": 1}),
        Move("lift_shield", "Block enforcement at the Security Council less.", ("s004-china-partner",),
             changes={"RUS.un_shield": -1}),
        Move("court_china", "Mend ties with Beijing, its main partner.",
             ("s004-china-partner", "s004-china-advised"), {"CHN-RUS": 0.04, "RUS-DPRK": -0.01}),
    )

    interests = (
        Interest("war_supply", "Enough shells for the war: one minus the shortfall.",
                 ("s004-shell-shortage", "s004-desperation"), 4.0,
                 lambda s, p: 1.0 - s["RUS.munitions_shortfall"]),
        Interest("thrift", "Keep what it pays Pyongyang in money and oil low (rice and technology cost it less).",
                 ("s004-food-fuel-tech", "s000-munitions-for-money-oil"), 1.0,
                 lambda s, p: clip01(1.0 - s["RUS.cash_payments_usd"] / p["russia_cash_scale_usd"])),
        Interest("china_partnership", "Good relations with China, the main partner.",
                 ("s004-china-partner",), 2.0, lambda s, p: rel01(s["relations.CHN-RUS"])),
        Interest("dprk_alignment", "A close, stable DPRK that leans on Moscow, not Beijing: alignment, a "
                 "secure and fed regime, and China's sway over it small.",
                 ("s004-stronger-ties", "s001-mutual-benefit", "s001-arms-ease-food", "s003-reduce-influence"), 1.0,
                 lambda s, p: (rel01(s["relations.RUS-DPRK"]) + s["DPRK.regime_security"] + s["DPRK.food_security"]
                               + 1.0 - s["CHN.influence_over_dprk"]) / 4.0),
        Interest("revisionism", "Undo the sanctions order: the desire to abolish the status quo.",
                 ("s004-revisionist", "s004-cancel-sanctions"), 1.0,
                 lambda s, p: 1.0 - s["world.sanctions_enforcement"]),
    )
