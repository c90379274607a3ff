"""Russia: shells for its war, paid in money, oil, food and technology; the UN seat; China.

Putin's visit to Pyongyang "looked more like a real step of despair" (s004-desperation):
Russia needs shells, and pays for them in kind as well as in cash, at the cost of
irritating its main partner, China (s004-china-partner).
"""

from __future__ import annotations

from sim.actors.base import Actor, Interest, Option, clip01, rel01


class RUS(Actor):
    """Russia."""

    code = "RUS"
    title = "Russia"
    status_quo = "buy_munitions"
    status_quo_claims = ("s004-shell-shortage", "s001-arms-ease-food")
    unpredictability = 0.0015
    unpredictability_claims = ("s004-unreliable",)
    unpredictability_assumption = (
        "No article gives a noise level. Option scores lie in 0-1 and the best options often differ by only a "
        "few thousandths; Gumbel noise of scale 0.0015 breaks such near-ties (close calls go either way) and "
        "rarely overturns a gap of 0.01 or more, so clear preferences stand. The same value as every "
        "actor but the DPRK: no article ranks how unpredictable the states are; s004-unreliable says "
        "dictators are unreliable partners, not how much."
    )
    weights_assumption = (
        "The articles give no weights. War supply weighs most (3 of 8): the visit to Pyongyang was 'a step of "
        "despair' to overcome a shell shortage (s004-desperation, s004-shell-shortage). China, its 'main "
        "political and economic partner' (s004-china-partner), weighs 2, above the DPRK tie itself (1), "
        "strong now (s004-stronger-ties) but resting on mutual benefit (s001-mutual-benefit); thrift "
        "(s004-food-fuel-tech, s000-munitions-for-money-oil) and undoing sanctions (s004-revisionist, "
        "s004-cancel-sanctions) weigh 1 each."
    )

    options = (
        Option("buy_munitions", "Buy DPRK shells and missiles.",
               ("s001-arms-ease-food", "s004-shell-shortage", "s002-supplies")),
        Option("ship_food", "Ship rice to the DPRK (600-700 kt a year).", ("s001-rice", "s004-food-fuel-tech"),
               {"RUS-DPRK": 0.02}),
        Option("transfer_space_tech", "Hand over space and missile technology.",
               ("s001-space-tech", "s003-mil-tech", "s004-food-fuel-tech"),
               {"RUS-DPRK": 0.04, "CHN-RUS": -0.02, "JPN-RUS": -0.02, "ROK-RUS": -0.02, "USA-RUS": -0.01}),
        Option("shield_at_un", "Use the Security Council seat against sanctions on the DPRK.",
               ("s004-unsc", "s004-cancel-sanctions"), {"RUS-DPRK": 0.02, "USA-RUS": -0.02}),
        Option("court_china", "Mend ties with Beijing, its main partner.",
               ("s004-china-partner", "s004-china-advised"), {"CHN-RUS": 0.04, "RUS-DPRK": -0.01}),
        Option("hold", "No new move: deals run on and wind down.", ("s004-irritates",)),
    )

    interests = (
        Interest("war_supply", "Enough shells for the war: one minus the shortfall.",
                 ("s004-shell-shortage", "s004-desperation"), 3.0,
                 lambda s, p: 1.0 - s["RUS.munitions_shortfall"]),
        Interest("thrift", "Keep what it pays Pyongyang in money and oil low (food and technology cost less).",
                 ("s004-food-fuel-tech", "s000-munitions-for-money-oil"), 1.0,
                 lambda s, p: clip01(1.0 - s["RUS.cash_payments_usd"] / 1.0e9)),
        Interest("china_partnership", "Good relations with China, the main partner.",
                 ("s004-china-partner",), 2.0, lambda s, p: rel01(s["relations.CHN-RUS"])),
        Interest("dprk_alignment", "A close, useful DPRK: situational benefits.",
                 ("s004-stronger-ties", "s001-mutual-benefit"), 1.0,
                 lambda s, p: rel01(s["relations.RUS-DPRK"])),
        Interest("revisionism", "Undo the sanctions order: the desire to abolish the status quo.",
                 ("s004-revisionist", "s004-cancel-sanctions"), 1.0,
                 lambda s, p: 1.0 - s["world.sanctions_enforcement"]),
    )
