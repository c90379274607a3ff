"""World parameters: the numbers the resolve step uses, each with its unit, range and claims.

A scenario sets them under ``params:``; the path of one is ``params.NAME``. Defaults are
the baseline's calibration; the claims in ``seeds/evidence.yaml`` say where each comes
from, and where the articles give no figure the note says the value is an assumption.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Param:
    """One world parameter."""

    name: str
    default: float
    low: float
    high: float
    unit: str
    description: str
    claims: tuple[str, ...]


def _p(name, default, low, high, unit, description, *claims):
    return Param(name, float(default), float(low), float(high), unit, description, tuple(claims))


_ALL = [
    # --- the war and Russia's shell hunt
    _p("war_intensity_target", 0.8, 0, 1, "index",
       "Level the war's intensity drifts towards (set it low for a ceasefire).",
       "s004-desperation", "s004-shell-shortage"),
    _p("war_reversion", 0.15, 0, 1, "1/month", "How fast the war's intensity moves to its target.",
       "s004-shell-shortage"),
    _p("war_volatility", 0.03, 0, 0.3, "index/month",
       "Standard deviation of the monthly random shock to the war's intensity.", "s004-desperation"),
    _p("shell_need_full", 750_000, 0, 3_000_000, "shells/month",
       "Russia's shell need at full intensity (assumption: fire of about 25,000 shells a day).",
       "s004-shell-shortage"),
    _p("domestic_shells", 450_000, 0, 3_000_000, "shells/month",
       "Russia's own shell output in June 2024 (assumption).", "s004-shell-shortage"),
    _p("stock_rebuild", 0.25, 0, 2, "share",
       "Extra shells Russia wants beyond the month's fire, to rebuild depleted stocks (assumption).",
       "s004-shell-shortage", "s004-desperation"),
    _p("domestic_growth", 0.005, 0, 0.1, "1/month",
       "Monthly growth of Russia's own output, as a share of the June 2024 level.", "s004-shell-shortage"),
    _p("shell_capacity", 300_000, 0, 1_000_000, "shells/month",
       "DPRK export capacity: seed 003's '4,800 shells' read as ~4.8 million over ~16 months.",
       "s003-4800-shells", "s003-production"),
    _p("shell_price_usd", 1_000, 0, 10_000, "USD/shell",
       "Price Russia pays per shell-equivalent (missiles included); with the capacity it "
       "takes cumulative payments to about $5.5 bn by late 2024.", "s000-paid-5-5bn"),
    _p("cash_share", 0.7, 0, 1, "share",
       "Share of munitions payments made in money; the rest is oil and goods.",
       "s000-munitions-for-money-oil", "s004-food-fuel-tech"),
    _p("tech_payment_share", 0.3, 0, 1, "share",
       "Share of a month's shell payments made in technology when Russia transfers it.",
       "s004-food-fuel-tech", "s001-space-tech"),
    _p("strike_effect", 0.25, 0, 1, "share",
       "Share of a month's DPRK deliveries that Ukrainian strikes on supply lines destroy.",
       "s004-debris"),
    _p("programme_persistence", 0.7, 0, 1, "1/month",
       "Share of a supply programme (exports, purchases, aid) that runs on in a month "
       "its owner does not renew it: commitments bind no one.", "s000-obligations", "s004-unreliable"),
    # --- soldiers
    _p("troop_batch", 10_000, 0, 50_000, "soldiers",
       "Soldiers sent by one deployment decision.", "s001-10000-200m", "s001-troops-sent"),
    _p("troop_cap", 30_000, 0, 200_000, "soldiers",
       "Most DPRK soldiers that serve abroad at once (assumption).", "s003-contingents"),
    _p("troop_pay_usd_month", 2_000, 0, 10_000, "USD/soldier/month",
       "Pay per soldier: $2,000 x 10,000 x 12 = $240 m a year.", "s001-pay-2000", "s001-10000-200m"),
    _p("troop_attrition", 0.03, 0, 0.3, "1/month",
       "Monthly losses and rotation home at full war intensity.", "s002-kursk"),
    _p("troop_return", 0.3, 0, 1, "1/month",
       "Share of soldiers sent home per month when there is no war.", "s001-mutual-benefit"),
    # --- food
    _p("grain_production_t", 4.0e6, 2.0e6, 6.0e6, "t/year",
       "DPRK grain output.", "s001-grain-under-4mt", "s001-grain-gap"),
    _p("grain_need_t", 5.0e6, 3.0e6, 7.0e6, "t/year",
       "Grain needed to feed the country: output plus one million tonnes.", "s001-grain-gap"),
    _p("rice_t_per_year", 650_000, 0, 2.0e6, "t/year",
       "Russian rice when the programme runs in full (600-700 kt).", "s001-rice"),
    _p("rice_deal", 0.0, 0, 1, "share",
       "Share of the rice programme a standing agreement delivers whatever Russia chooses that month "
       "(0 in the baseline: rice only when Russia chooses to ship it).", "s001-rice", "s001-financial-food"),
    _p("rice_price_usd_t", 500, 0, 2_000, "USD/t", "Value of a tonne of rice (assumption).", "s001-rice"),
    _p("china_aid_t_per_year", 300_000, 0, 2.0e6, "t/year",
       "Chinese food aid when the programme runs in full (assumption).", "s002-china-reliance"),
    _p("china_trade_food_t", 100_000, 0, 1.0e6, "t/year",
       "Grain that normal trade with China brings in (assumption).", "s002-china-reliance"),
    _p("food_import_share", 0.03, 0, 1, "share",
       "Share of hard-currency income spent on grain imports.", "s001-arms-ease-food"),
    _p("grain_price_usd_t", 400, 50, 2_000, "USD/t", "World grain price (assumption).", "s001-arms-ease-food"),
    # --- money and trade
    _p("spend_rate", 0.05, 0, 1, "1/month",
       "Share of reserves the regime spends each month.", "s001-financial-food"),
    _p("china_trade_usd", 190e6, 0, 1e9, "USD/month",
       "Value of China-DPRK trade at its 2023 level (assumption: ~$2.3 bn a year).", "s002-china-reliance"),
    _p("china_trade_income_usd", 20e6, 0, 5e8, "USD/month",
       "Hard currency the DPRK earns from trade with China at the 2023 level (assumption).",
       "s002-china-reliance"),
    _p("sanctioned_exports_usd", 60e6, 0, 1e9, "USD/month",
       "Hard currency the DPRK would earn from exports that sanctions block (coal, textiles, workers "
       "abroad), earned in proportion to how little sanctions are enforced (assumption).",
       "s004-sanctions-relief", "s004-cancel-sanctions"),
    _p("russia_base_trade_usd", 5e6, 0, 5e8, "USD/month",
       "Russia-DPRK civil trade without the war deals (assumption).", "s002-40pct"),
    _p("trade_adjust", 0.2, 0, 1, "1/month",
       "How fast trade shares follow the flows.", "s002-40pct"),
    _p("squeeze_trade_level", 0.5, 0, 1, "index",
       "China-DPRK trade level that a squeeze aims at.", "s003-leverage"),
    # --- sanctions
    _p("sanctions_baseline", 0.6, 0, 1, "index",
       "Level of enforcement that sanctions drift back to.", "s004-cancel-sanctions"),
    _p("sanctions_step", 0.05, 0, 0.5, "index/month",
       "Monthly change in enforcement from one actor's push (US tightening, Russian shielding).",
       "s004-unsc", "s004-cancel-sanctions"),
    _p("talks_relief", 0.05, 0, 0.5, "index/month",
       "Sanctions relief in a month when the DPRK engages and the USA offers talks.", "s004-sanctions-relief"),
    _p("sanctions_reversion", 0.02, 0, 1, "1/month", "Drift of enforcement back to its baseline.",
       "s004-cancel-sanctions"),
    # --- regime security
    _p("cash_half_saturation_usd", 1.5e9, 1e8, 1e11, "USD",
       "Reserves at which the regime's cash interest is half satisfied (assumption).", "s001-financial-food"),
    _p("regime_adjust", 0.2, 0, 1, "1/month", "How fast regime security follows its drivers.",
       "s000-survival"),
    _p("china_red_line_penalty", 0.05, 0, 1, "index",
       "Loss of regime security when China warns while DPRK troops fight abroad or missiles fly.",
       "s003-serious-arguments", "s003-red-lines"),
    # --- capabilities
    _p("launches_per_test", 2, 0, 20, "launches", "Launches in a month of missile tests.",
       "s000-missile-moratorium"),
    _p("tech_gain", 0.06, 0, 1, "index/month",
       "Space and missile capability gained in a month of Russian technology transfer.",
       "s001-space-tech", "s003-mil-tech"),
    _p("test_gain", 0.02, 0, 1, "index/month", "Capability gained in a month of missile tests.",
       "s002-nuclear-under-kim"),
    _p("obsolescence", 0.002, 0, 0.1, "index/month", "Monthly decay of military capability.",
       "s002-nuclear-under-kim"),
    # --- China
    _p("influence_adjust", 0.1, 0, 1, "1/month", "How fast China's influence follows trade and relations.",
       "s003-reduce-influence"),
    _p("reputation_baseline", 0.6, 0, 1, "index", "China's standing without the war.", "s003-reproach"),
    _p("reproach", 0.006, 0, 0.5, "index/month",
       "Standing China loses in a month it tolerates an intense war and a close Russia-DPRK alliance.",
       "s003-reproach"),
    # --- USA and the allies
    _p("us_troops_base", 82_500, 0, 200_000, "soldiers",
       "Baseline US presence: 54,000 in Japan and 28,500 in South Korea (the article's 'similar number' "
       "for Korea is doubted).", "s000-us-troops-japan", "s000-us-troops-korea"),
    _p("reinforce_batch", 5_000, 0, 50_000, "soldiers", "Soldiers added by a US reinforcement.",
       "s000-us-presence-demand"),
    _p("rotation", 1_000, 0, 10_000, "soldiers",
       "Rotational troops the US sends when an ally requests presence.", "s000-us-presence-demand"),
    _p("us_drawdown", 0.03, 0, 1, "1/month", "Monthly return of US presence towards its base.",
       "s000-us-presence-demand"),
    _p("threat_base", 0.3, 0, 1, "index", "Threat felt by the allies with a quiet DPRK.",
       "s000-existential-threat"),
    _p("threat_launch", 0.6, 0, 1, "index", "Threat added by a month of four or more launches.",
       "s000-missile-moratorium", "s000-bolder"),
    _p("threat_alliance", 0.25, 0, 1, "index", "Threat added by a fully aligned Russia-DPRK pair.",
       "s002-mutual-assistance", "s001-crisis-help"),
    _p("threat_capability", 0.2, 0, 1, "index", "Threat added by full DPRK military capability.",
       "s001-space-tech"),
    _p("threat_deterrence", 0.15, 0, 1, "index", "Threat removed by double the base US presence.",
       "s000-existential-threat"),
    _p("threat_defence", 0.3, 0, 1, "index", "Threat removed by full own defence readiness.",
       "s000-existential-threat"),
    _p("threat_adjust", 0.3, 0, 1, "1/month", "How fast threat perception follows its drivers.",
       "s000-existential-threat"),
    _p("defence_step", 0.05, 0, 1, "index/month", "Readiness gained in a month of build-up.",
       "s000-existential-threat"),
    _p("readiness_decay", 0.01, 0, 1, "1/month", "Monthly decay of readiness.", "s000-existential-threat"),
    # --- Ukraine
    _p("support_adjust", 0.15, 0, 1, "1/month", "How fast allied support follows aid.", "s002-umerov"),
    _p("lobby_gain", 0.03, 0, 1, "index/month", "Support a month of lobbying adds.", "s002-umerov"),
    # --- relations
    _p("relation_reversion", 0.05, 0, 1, "1/month",
       "Monthly drift of relations back to their starting values: situational benefits fade.",
       "s004-irritates"),
    _p("red_line_troops", 30_000, 1_000, 200_000, "soldiers",
       "DPRK soldiers in combat at which Beijing's red line counts as fully crossed (assumption).",
       "s003-red-lines"),
    _p("combat_chill", 0.02, 0, 0.5, "alignment/month",
       "How much a full contingent of DPRK soldiers in combat cools Beijing on Pyongyang each month.",
       "s003-red-lines", "s002-china-dissatisfied"),
    _p("trade_bond", 0.01, 0, 0.5, "alignment/month",
       "How much a month of full munitions trade draws Russia and the DPRK together "
       "(and, at a third of that, cools Beijing on both).", "s004-stronger-ties", "s000-china-dislikes"),
]

PARAMS: dict[str, Param] = {p.name: p for p in _ALL}
