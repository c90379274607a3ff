"""World parameters: the numbers the resolve step uses, each with its unit, range and claims.

A scenario sets them under ``params:``; the path of one is ``params.NAME``. Defaults are
the baseline's calibration. Each cites the claims in ``seeds/evidence.yaml`` that back it;
where no article gives the value, ``assumption`` says so and gives the reasoning (the
dashboard's Evidence page lists them with their live values).
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
    assumption: str = ""
    """Where no article gives the value: why this value (the reasoning), else empty."""
    whole: bool = False
    """A whole number, the same in every member (it may not be sampled): e.g. the look-ahead's months."""


def _p(name, default, low, high, unit, description, *claims, assumption="", whole=False):
    """A parameter: default, range, unit, description and the claims that back it.

    ``assumption`` gives the reasoning behind a value that no article gives (else empty); ``whole``
    marks a whole number that is the same in every member.
    """
    return Param(name, float(default), float(low), float(high), unit, description, tuple(claims), assumption, whole)


_ALL = [
    # --- the war and Russia's shell hunt
    _p("war_intensity_target", 0.8, 0, 1, "index",
       "Level the war's intensity drifts towards (set it low for a ceasefire).",
       "s004-desperation", "s004-shell-shortage",
       assumption="No article measures the war's intensity. 0.8 keeps the war near its starting level: "
                  "intense, as a 'step of despair' to end a shell shortage suggests, but below the heaviest "
                  "fighting of 2023-24 (1 on this scale)."),
    _p("war_reversion", 0.15, 0, 1, "1/month", "How fast the war's intensity moves to its target.",
       "s004-shell-shortage",
       assumption="No article gives a speed. 15% of the gap a month is a half-life of about four months: "
                  "a ceasefire or an offensive takes a season to play out, not a month."),
    _p("war_volatility", 0.03, 0, 0.3, "index/month",
       "Standard deviation of the monthly random shock to the war's intensity.", "s004-desperation",
       assumption="No article gives a volatility. With the 15% monthly pull to the target, shocks of 0.03 "
                  "make the intensity wander about 0.06 either side of it; the baseline samples it from "
                  "0.01 to 0.05."),
    _p("shell_need_full", 750_000, 0, 3_000_000, "shells/month",
       "Russia's shell need at full intensity.",
       "s004-shell-shortage",
       assumption="No article gives Russia's fire. 750,000 a month is about 25,000 shells a day at the "
                  "heaviest fighting, of the order of public estimates of Russian daily artillery fire in "
                  "2023-24."),
    _p("domestic_shells", 450_000, 0, 3_000_000, "shells/month",
       "Russia's own shell output in June 2024.", "s004-shell-shortage",
       assumption="No article gives Russia's output. 450,000 a month (about 5.4 million a year) is chosen so "
                  "that, with 300,000 DPRK shell-equivalents, Russia just covers its need at the starting "
                  "intensity (750,000 x 0.8 x 1.25): a shortage that DPRK shells close, not a gap they "
                  "cannot fill."),
    _p("stock_rebuild", 0.25, 0, 2, "share",
       "Extra shells Russia wants beyond the month's fire, to rebuild depleted stocks.",
       "s004-shell-shortage", "s004-desperation",
       assumption="No article gives a figure. A quarter more than the month's fire is a guess at how much a "
                  "depleted army buys to refill its stocks; it keeps Russia wanting shells after a ceasefire "
                  "only in proportion to the fire that remains."),
    _p("domestic_growth", 0.005, 0, 0.1, "1/month",
       "Monthly growth of Russia's own output, as a share of the June 2024 level.", "s004-shell-shortage",
       assumption="No article gives a growth rate. Half a percent of the June 2024 level a month is about 6% "
                  "more output a year (18% after three years): slow expansion, so Russia still needs DPRK "
                  "shells at the end of the run."),
    _p("shell_capacity", 300_000, 0, 1_000_000, "shells/month",
       "DPRK munitions export capacity, in shell-equivalents a month.",
       "s003-4800-shells", "s003-production",
       assumption="The article's 'approximately 4,800 shells' is taken as garbled for about 4.8 million "
                  "shell-equivalents (public reporting spoke of millions), delivered over about 16 months: "
                  "300,000 a month. Both the reading and the 16 months are assumptions; the baseline samples "
                  "200,000-400,000."),
    _p("shell_price_usd", 1_000, 0, 10_000, "USD/shell",
       "Price Russia pays per shell-equivalent (missiles included).", "s000-paid-5-5bn",
       assumption="No article gives a price. $1,000 per shell-equivalent is chosen so that, with 300,000 a "
                  "month and an opening stock of $4.2 bn, cumulative payments reach the article's $5.5 bn "
                  "by late 2024 (a calibration, not a market price; a lever from $200 to $3,000)."),
    _p("cash_share", 0.7, 0, 1, "share",
       "Share of munitions payments made in money; the rest is oil and goods.",
       "s000-munitions-for-money-oil", "s004-food-fuel-tech",
       assumption="The articles name money, oil, food and technology as payment but give no split. Seven "
                  "tenths in money is a guess that makes cash the main form, as the DPRK's financial needs "
                  "(s001-financial-food) suggest."),
    _p("tech_payment_share", 0.3, 0, 1, "share",
       "Share of a month's shell payments made in technology when Russia transfers it.",
       "s004-food-fuel-tech", "s001-space-tech",
       assumption="No article values the technology. In a transfer month, 30% of the shells' value is taken "
                  "as paid in technology instead of money or oil: a noticeable saving for Russia, not a "
                  "substitute for cash."),
    _p("strike_effect", 0.25, 0, 1, "share",
       "Share of a month's DPRK deliveries that Ukraine's full strike campaign destroys before the front.",
       "s004-debris",
       assumption="No article gives a figure; the debris shows only that DPRK munitions reach the front. A "
                  "quarter of a month's deliveries is a guess at what strikes on depots and rail lines can "
                  "destroy: enough to matter, too little to stop the flow."),
    _p("russia_cash_scale_usd", 1e9, 1e8, 1e11, "USD/month",
       "Money and oil a month at which Russia's thrift interest is exhausted (it scores 1 - paid / this).",
       "s004-food-fuel-tech", "s004-desperation",
       assumption="No article gives Russia's budget for foreign munitions. $1 bn a month makes the $300 m "
                  "a month of full DPRK deliveries a real cost for a buyer short of hard currency, so that "
                  "paying part of the price in kind (food, technology) is worth it (s004-food-fuel-tech)."),
    # --- soldiers
    _p("troop_cap", 40_000, 0, 200_000, "soldiers",
       "Soldiers abroad at a full deployment (DPRK.deployment_level 1): each step of the posture "
       "(posture_step) is a contingent.", "s003-contingents", "s001-10000-200m",
       assumption="No article gives a ceiling. Four contingents of 10,000 ('at least 10,000' being the "
                  "articles' figure for one) is a guess at what the DPRK would send while keeping its own "
                  "army intact."),
    _p("troop_pay_usd_month", 2_000, 0, 10_000, "USD/soldier/month",
       "Pay per soldier: $2,000 x 10,000 x 12 = $240 m a year.", "s001-pay-2000", "s001-10000-200m"),
    _p("troop_return", 0.5, 0, 1, "1/month",
       "How fast the soldiers abroad follow the deployment: share of the gap closed a month (fresh "
       "contingents, or soldiers home when the DPRK recalls them or Russia stops fighting); losses in "
       "combat are made good from home.",
       "s001-mutual-benefit",
       assumption="No article says how fast soldiers come and go. Half the gap a month: a contingent is in "
                  "place, or home, within two to three months."),
    # --- food
    _p("grain_production_t", 4.0e6, 2.0e6, 6.0e6, "t/year",
       "DPRK grain output.", "s001-grain-under-4mt", "s001-grain-gap"),
    _p("grain_need_t", 5.0e6, 3.0e6, 7.0e6, "t/year",
       "Grain needed to feed the country: output plus one million tonnes.", "s001-grain-gap"),
    _p("rice_t_per_year", 650_000, 0, 2.0e6, "t/year",
       "Russian rice when the programme runs in full (600-700 kt).", "s001-rice"),
    _p("rice_deal", 0.0, 0, 1, "share",
       "Share of the rice programme a standing agreement delivers whatever Russia chooses that month "
       "(0 in the baseline: rice only when Russia chooses to ship it; the article's offer is conditional).",
       "s001-rice", "s001-financial-food"),
    _p("rice_price_usd_t", 500, 0, 2_000, "USD/t", "Value of a tonne of rice.", "s001-rice",
       assumption="No article prices the rice. $500 a tonne is of the order of world export prices for "
                  "ordinary rice; it only sets what the rice adds to Russia's payments (650,000 t is about "
                  "$27 m a month)."),
    _p("china_aid_t_per_year", 300_000, 0, 2.0e6, "t/year",
       "Chinese food aid when the programme runs in full.", "s002-china-reliance",
       assumption="No article gives Chinese aid. 300,000 t a year, under half of Russia's rice offer, "
                  "closes almost a third of the one-million-tonne gap: real help that does not make Russian "
                  "rice unnecessary."),
    _p("china_trade_food_t", 100_000, 0, 1.0e6, "t/year",
       "Grain that normal trade with China brings in.", "s002-china-reliance",
       assumption="No article gives it. 100,000 t a year is a guess at the grain and flour in ordinary "
                  "China-DPRK trade, a tenth of the gap, so a trade squeeze costs some food but is no famine "
                  "by itself."),
    _p("food_import_share", 0.03, 0, 1, "share",
       "Share of hard-currency income spent on grain imports.", "s001-arms-ease-food",
       assumption="The article says arms income eases food shortages, not how much. 3% of income buys about "
                  "0.15-0.25 Mt of grain a year at baseline income: a visible easing, well short of the gap, "
                  "as the regime spends most of its money elsewhere."),
    _p("grain_price_usd_t", 400, 50, 2_000, "USD/t", "World grain price.", "s001-arms-ease-food",
       assumption="No article gives a price. $400 a tonne is of the order of world grain prices (a few "
                  "hundred dollars), rounded up for freight and the premium a sanctioned buyer pays; the "
                  "harvest_failure scenario varies it."),
    # --- money and trade
    _p("spend_rate", 0.05, 0, 1, "1/month",
       "Share of reserves the regime spends each month.", "s001-financial-food",
       assumption="No article describes the regime's spending. A twentieth of reserves a month (about 46% a "
                  "year) means reserves settle near 20 months of income: the money is used, not hoarded."),
    _p("china_trade_usd", 190e6, 0, 1e9, "USD/month",
       "Value of China-DPRK trade at its 2023 level.", "s002-china-reliance",
       assumption="The article says the DPRK relied on trade with China, with no amount. $190 m a month is "
                  "about $2.3 bn a year, the order of China-DPRK trade in 2023 in Chinese customs figures "
                  "(not from the articles)."),
    _p("china_trade_income_usd", 20e6, 0, 5e8, "USD/month",
       "Hard currency the DPRK earns from trade with China at the 2023 level.",
       "s002-china-reliance",
       assumption="No article gives it. $20 m a month ($240 m a year) is of the order of the DPRK's reported "
                  "exports to China, most of the trade being Chinese exports to the DPRK."),
    _p("sanctioned_exports_usd", 60e6, 0, 1e9, "USD/month",
       "Hard currency the DPRK would earn from exports that sanctions block (coal, textiles, workers "
       "abroad), earned in proportion to how little sanctions are enforced.",
       "s004-sanctions-relief", "s004-cancel-sanctions",
       assumption="No article gives it. $60 m a month ($720 m a year with no enforcement, about $290 m at "
                  "the baseline's 0.6) is roughly a quarter of what the DPRK exported before the 2016-17 UN "
                  "sanctions: relief is worth having, but less than Russia's payments."),
    _p("russia_base_trade_usd", 5e6, 0, 5e8, "USD/month",
       "Russia-DPRK civil trade without the war deals.", "s002-40pct",
       assumption="No article gives it. $5 m a month ($60 m a year) is of the order of the small Russia-DPRK "
                  "trade before the war: without the munitions deals Russia's share of DPRK trade stays "
                  "marginal."),
    _p("trade_adjust", 0.2, 0, 1, "1/month",
       "How fast trade shares follow the flows.", "s002-40pct",
       assumption="No article gives a speed. 20% of the gap a month is a half-life of about three months: "
                  "trade shares follow new flows within a season or two."),
    # --- sanctions
    _p("sanctions_baseline", 0.6, 0, 1, "index",
       "Level of enforcement that sanctions drift back to.", "s004-cancel-sanctions",
       assumption="No article measures enforcement. 0.6 means sanctions in force but leaky (China and "
                  "Russia enforce them loosely), leaving room for Russia to pull them down and the US to "
                  "push them up."),
    _p("sanctions_step", 0.05, 0, 0.5, "index/month",
       "Russia's full shield at the UN takes this share of enforcement's level a month (RUS.un_shield); "
       "Ukraine's publicity adds 0.3 x this.", "s004-unsc", "s004-cancel-sanctions",
       assumption="No article gives a size. A full shield takes 5% of enforcement a month, against the pull "
                  "of its target (sanctions_reversion): it can halve enforcement over a few years."),
    _p("sanctions_push", 0.3, 0, 1, "index",
       "How far the US effort moves the level enforcement heads to: sanctions_baseline plus this times "
       "(USA.sanctions_effort - 0.5); a Chinese squeeze adds half of it times the trade cut.",
       "s003-signal", "s003-leverage",
       assumption="No article gives a size. Full US effort takes enforcement from a leaky 0.6 to 0.75; "
                  "China's full squeeze adds as much again, as China carries most of the DPRK's trade "
                  "(s002-china-reliance)."),
    _p("talks_relief", 0.05, 0, 0.5, "index/month",
       "Sanctions relief in a month when the DPRK engages and the USA offers talks.", "s004-sanctions-relief",
       assumption="No article gives a size. Relief of 0.05 a month, as much as one actor's push, makes talks "
                  "worth as much as Russia's shielding, but only when both sides choose them the same month."),
    _p("sanctions_reversion", 0.05, 0, 1, "1/month",
       "How fast enforcement moves to the level the US effort and China's trade set.", "s004-cancel-sanctions",
       assumption="No article gives a speed. 5% of the gap a month is a half-life of about a year: "
                  "enforcement changes slowly."),
    # --- regime security
    _p("cash_half_saturation_usd", 1.5e9, 1e8, 1e11, "USD",
       "Reserves at which the regime's cash interest is half satisfied.", "s001-financial-food",
       assumption="No article gives reserves or needs. $1.5 bn is a little above the assumed opening $1 bn, "
                  "so more money still matters at the start (0.4 satisfied) and each extra billion matters "
                  "less."),
    _p("regime_adjust", 0.2, 0, 1, "1/month", "How fast regime security follows its drivers.",
       "s000-survival",
       assumption="No article gives a speed. 20% of the gap a month is a half-life of about three months: "
                  "food, cash and patrons shape the regime's security over a season, not at once."),
    _p("deployment_strain", 0.08, 0, 1, "index",
       "Loss of regime security at a full deployment (troop_cap soldiers abroad), growing with the square of "
       "the share sent: soldiers lost, soldiers who see the world outside, an army thinned at home.",
       "s000-survival", "s002-kursk",
       assumption="No article gives a cost. 0.08 at full deployment, 0.005 for a first contingent of 10,000 "
                  "and 0.045 for three: the first contingent is cheap for a regime whose first task is "
                  "survival, each further one dearer, so the DPRK sends some soldiers but not all it could."),
    _p("china_red_line_penalty", 0.05, 0, 1, "index",
       "Loss of regime security when China warns while DPRK troops fight abroad or missiles fly.",
       "s003-serious-arguments", "s003-red-lines",
       assumption="The articles say China would find 'serious arguments', not what they cost. 0.05 per unit "
                  "of crossing (at most 0.1, with troops in combat and a heavy launch month) off a "
                  "regime-security target of about 0.65: noticeable, not decisive."),
    # --- capabilities
    _p("launches_per_test", 4, 0, 20, "launches", "Missile launches a month at full test tempo (DPRK.test_tempo 1).",
       "s000-missile-moratorium",
       assumption="The article says the DPRK 'regularly launches', without a count. Four a month at full "
                  "tempo makes a heavy month (the full threat_launch); the starting tempo of a quarter is "
                  "about one a month."),
    _p("tech_gain", 0.05, 0, 1, "index/month",
       "Space capability gained in a month of full Russian technology transfer (half as much military "
       "capability).", "s001-space-tech", "s003-mil-tech",
       assumption="No article measures capability. 0.05 a month at full transfer means about half a year of "
                  "transfers take the space programme from its starting 0.2 to the 0.5 a satellite launch "
                  "needs, and adds about 0.15 to military capability in that time."),
    _p("test_gain", 0.01, 0, 1, "index/month", "Military capability gained in a month at full test tempo.",
       "s002-nuclear-under-kim",
       assumption="No article measures capability. A full test month adds a fifth of a month of full Russian "
                  "space transfer: the DPRK learns by testing, more slowly than with Russian help."),
    _p("combat_gain", 0.01, 0, 0.1, "index/month",
       "Military capability gained in a month with a full deployment (troop_cap soldiers) in combat at full "
       "intensity: experience of a modern war.", "s002-kursk", "s003-mil-tech",
       assumption="No article measures it; s002-kursk reports DPRK soldiers in battle. A full deployment adds "
                  "as much as a full test month (test_gain): a contingent of 10,000 a quarter of it."),
    _p("launch_cost_usd", 20e6, 0, 2e8, "USD/launch",
       "What a missile launch costs the regime in hard currency.", "s000-bolder", "s000-missile-moratorium",
       assumption="No article gives a cost. $20 m a launch, between a short-range missile's few millions and "
                  "an ICBM's tens of millions: a heavy month of four launches costs about a quarter of what "
                  "Russia pays for the shells."),
    _p("obsolescence", 0.002, 0, 0.1, "index/month", "Monthly decay of military capability.",
       "s002-nuclear-under-kim",
       assumption="No article gives it. 0.002 a month (about 0.025 a year) is slow ageing that a test tempo "
                  "of a fifth offsets, so capability grows while the DPRK keeps testing, as under Kim."),
    # --- China
    _p("influence_adjust", 0.1, 0, 1, "1/month", "How fast China's influence follows trade and relations.",
       "s003-reduce-influence",
       assumption="No article gives a speed. 10% of the gap a month is a half-life of about seven months: "
                  "influence erodes slowly as trade and goodwill shift."),
    _p("reputation_baseline", 0.6, 0, 1, "index", "China's standing without the war.", "s003-reproach",
       assumption="No article measures standing. 0.6 is a middling standing with room to lose (the "
                  "reproach) or gain (pressing Moscow)."),
    _p("reproach", 0.006, 0, 0.5, "index/month",
       "Standing China loses in a month it tolerates an intense war and a close Russia-DPRK alliance.",
       "s003-reproach",
       assumption="No article gives a size. 0.006 a month at full alliance and intensity is a slow erosion: "
                  "at the baseline's alliance and intensity, with the 5% monthly recovery, China tolerating "
                  "throughout loses about 0.08 of standing."),
    # --- USA and the allies
    _p("us_troops_base", 82_500, 0, 200_000, "soldiers",
       "Baseline US presence: 54,000 in Japan and 28,500 in South Korea (the article's 'similar number' "
       "for Korea is doubted).", "s000-us-troops-japan", "s000-us-troops-korea"),
    _p("reinforce_batch", 5_000, 0, 50_000, "soldiers",
       "Soldiers added by a step of the US presence posture (USA.presence_level).",
       "s000-us-presence-demand",
       assumption="No article gives a size. 5,000 soldiers, about 6% of the base, is a guess at a "
                  "brigade-sized reinforcement."),
    _p("rotation", 1_000, 0, 10_000, "soldiers",
       "Rotational troops the US sends when an ally requests presence.", "s000-us-presence-demand",
       assumption="No article gives a size. 1,000 soldiers per request, a fifth of a reinforcement, is a "
                  "guess at a rotational unit sent at an ally's request."),
    _p("us_drawdown", 0.2, 0, 1, "1/month",
       "How fast US forces in the region follow the posture (the base plus reinforcements); rotations at "
       "an ally's request go home at the same pace.", "s000-us-presence-demand",
       assumption="No article gives it. A fifth of the gap a month: a reinforcement is in place within a "
                  "season."),
    _p("threat_base", 0.3, 0, 1, "index", "Threat felt by the allies with a quiet DPRK.",
       "s000-existential-threat",
       assumption="'Existential threat' is not quantified. 0.3 is the threat a quiet, hostile DPRK poses "
                  "before launches, the Russian alliance and its capability are added (the baseline varies "
                  "it)."),
    _p("threat_launch", 0.6, 0, 1, "index", "Threat added by a month of four or more launches.",
       "s000-missile-moratorium", "s000-bolder",
       assumption="No article measures threat. 0.6 makes missile launches the largest single driver of the "
                  "allies' threat (a two-launch test month adds 0.3), as the launches towards the Sea of Japan "
                  "are what the article stresses."),
    _p("threat_alliance", 0.25, 0, 1, "index", "Threat added by a fully aligned Russia-DPRK pair.",
       "s002-mutual-assistance", "s001-crisis-help",
       assumption="No article measures threat. 0.25 at full alignment (about 0.2 at the starting 0.6) makes "
                  "the Russian tie a real but second-order source of threat, below launches."),
    _p("threat_capability", 0.2, 0, 1, "index", "Threat added by full DPRK military capability.",
       "s001-space-tech",
       assumption="No article measures threat. 0.2 at full capability (0.1 at the starting 0.5) makes "
                  "capability a slow background driver, below launches and the alliance."),
    _p("threat_deterrence", 0.15, 0, 1, "index", "Threat removed by double the base US presence.",
       "s000-existential-threat",
       assumption="No article gives it. 0.15 at double the base (0.075 at the base) makes US presence "
                  "reassuring but weaker than the allies' own defences (threat_defence)."),
    _p("threat_defence", 0.3, 0, 1, "index", "Threat removed by full own defence readiness.",
       "s000-existential-threat",
       assumption="No article gives it. Full readiness removes 0.3 (0.15 at the starting 0.5), as much as a "
                  "quiet DPRK's base threat."),
    _p("threat_adjust", 0.3, 0, 1, "1/month", "How fast threat perception follows its drivers.",
       "s000-existential-threat",
       assumption="No article gives a speed. 30% of the gap a month is a half-life of about two months: "
                  "threat perception reacts quickly to launches and fades over a season."),
    _p("defence_step", 0.1, 0, 1, "1/month", "How fast defence readiness follows the defence effort.",
       "s000-existential-threat",
       assumption="No article gives it. A tenth of the gap a month: a build-up takes a year or two."),
    # --- Ukraine
    _p("support_adjust", 0.15, 0, 1, "1/month", "How fast allied support follows aid.", "s002-umerov",
       assumption="No article gives a speed. 15% of the gap a month is a half-life of about four months: "
                  "support follows changes in aid over a season."),
    _p("lobby_gain", 0.03, 0, 1, "index/month", "Support a month of full lobbying adds.", "s002-umerov",
       assumption="The article reports a visit, not its effect. 0.03 a month is a small gain that "
                  "support_adjust pulls back towards the aid-driven target: lobbying helps, aid decides."),
    # --- how actors decide (sim.engine.choose)
    _p("posture_step", 0.25, 0.05, 1, "share",
       "How far one move changes an instrument (a programme goes from nothing to full in four moves).",
       "s000-obligations",
       assumption="No article says how states scale programmes. Quarter steps keep the moves few and "
                  "meaningful (a contingent of soldiers, a quarter of the rice programme) while letting "
                  "a programme build up or wind down over a year of reviews."),
    _p("horizon_months", 3, 1, 12, "months",
       "How many months ahead an actor projects each move (with the same resolve as the real month); "
       "the last month's value counts on as the terminal value.", "s004-desperation",
       assumption="No article gives a planning horizon. Three months, a season, is long enough for a "
                  "programme's effects (deliveries, pay, food, relations) to show, and short enough to be "
                  "affordable for every actor every month.", whole=True),
    _p("discount", 0.9, 0, 0.99, "1/month",
       "How much next month's interests count against this month's. The terminal value holds the state "
       "at the horizon for ever, so it counts discount ** (horizon - 1) of the whole.", "s004-unreliable",
       assumption="No article gives one. 0.9 a month is an effective horizon of about ten months: states "
                  "weigh where a policy leads within a year more than its first month."),
    _p("switching_cost", 0.0007, 0, 0.1, "utility",
       "Policy inertia: what every move but keep costs, in units of an actor's weighted interests "
       "(each in [0, 1]).", "s000-obligations",
       assumption="No article gives a cost. A change must be worth more than this to be made, so states do "
                  "not reverse a programme for a small gain and the baseline does not flip-flop; the value "
                  "is calibrated (bench/behaviour.py) to about a tenth of the gain of the baseline's "
                  "decisive moves."),
    _p("act_cost", 0.002, 0, 0.1, "utility",
       "What a one-off act (a launch, a summit, a démarche) costs before its value: political capital, in "
       "the same units as switching_cost.", "s004-unreliable", "s000-obligations",
       assumption="No article gives a cost. Four times the cost of a change of posture: an act spends "
                  "attention and goodwill that a standing policy does not, so gestures are made when they "
                  "pay, not at every review."),
    _p("influence_backing_usd", 100e6, 0, 1e9, "USD/month",
       "What full political backing of Pyongyang (alignment 1) weighs in a patron's influence, against its "
       "trade and aid a month.", "s003-reduce-influence", "s002-china-dissatisfied",
       assumption="No article gives a weight. Full backing weighs about half of China's monthly trade "
                  "with the DPRK (china_trade_usd): trade matters most, politics too."),
    # --- relations
    _p("relation_reversion", 0.05, 0, 1, "1/month",
       "Monthly drift of relations back to their starting values: situational benefits fade.",
       "s004-irritates",
       assumption="The article says the tie rests on situational benefits, not how fast they fade. 5% of "
                  "the gap a month is a half-life of about a year: a gesture's effect fades within a year "
                  "unless it is repeated."),
    _p("red_line_troops", 5_000, 0, 200_000, "soldiers",
       "DPRK soldiers fighting abroad beyond which Beijing's red line is crossed (and at which the combat "
       "chill on CHN-DPRK is full).", "s003-red-lines", "s003-contingents",
       assumption="No article gives a number; the red line is 'sending military contingents'. 5,000 is "
                  "half a contingent: advisers and workers do not cross it, a fighting contingent does."),
    _p("red_line_launches", 3, 0, 20, "launches",
       "DPRK launches in a month from which Beijing's red line on launches is crossed.",
       "s003-red-lines", "s002-china-told-no-weapons",
       assumption="No article gives a number. Three launches a month (a test tempo of three quarters) is a "
                  "heavy month: routine tests do not cross it, a campaign does."),
    _p("combat_chill", 0.04, 0, 0.5, "alignment/month",
       "How much a full deployment of DPRK soldiers (troop_cap) in combat at full intensity cools Beijing on "
       "Pyongyang each month; a contingent a quarter of it.", "s003-red-lines", "s002-china-dissatisfied",
       assumption="No article gives a size. A contingent of 10,000 at the baseline's intensity takes 0.008 a "
                  "month, against the 5% monthly recovery of relations: CHN-DPRK settles about 0.16 below its "
                  "start while it fights, and twice as far for two contingents."),
    _p("trade_bond", 0.01, 0, 0.5, "alignment/month",
       "How much a month of full munitions trade draws Russia and the DPRK together "
       "(and, at a third of that, cools Beijing on both).", "s004-stronger-ties", "s000-china-dislikes",
       assumption="No article gives a size. 0.01 a month, against the 5% monthly recovery of relations, "
                  "holds RUS-DPRK about 0.2 above its start while the trade runs in full, and CHN-RUS and "
                  "CHN-DPRK about 0.07 below theirs."),
]

PARAMS: dict[str, Param] = {p.name: p for p in _ALL}
