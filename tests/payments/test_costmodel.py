"""The cashless cost model: hand-computed yearly costs, break-even, history, chart and table (no database)."""

import dataclasses
import xml.etree.ElementTree as ET

import pytest

from yakuba.payments.costmodel import (
    COMPONENTS,
    CostBreakdown,
    CostInputs,
    break_even_uptake,
    chart_svg,
    deposit_charge,
    format_man_yen,
    from_history,
    scenarios,
    table_rows,
    yearly_cost,
)

SVG = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own output, parsed to prove it is well-formed XML


# A city with nothing but what a test sets: no fixed costs, no staff time, no coins, no transport.
BARE = CostInputs(
    yearly_transactions=0,
    average_payment_yen=0,
    fixed_monthly_fees_yen=0,
    equipment_cost_yen=0,
    yearly_maintenance_yen=0,
    staff_minutes_per_cash_transaction=0,
    staff_minutes_per_cashless_transaction=0,
    staff_cost_yen_per_hour=0,
    coins_per_cash_transaction=0,
    cash_transport_fixed_yen=0,
    cash_transport_variable_yen=0,
)


def test_all_card_at_20_percent():
    inputs = CostInputs(
        yearly_transactions=100_000,
        average_payment_yen=300,
        card_share=1,
        emoney_share=0,
        qr_share=0,
        card_fee_rate=0.022,
        fixed_monthly_fees_yen=1_000,
        equipment_cost_yen=500_000,
        amortisation_years=5,
        yearly_maintenance_yen=50_000,
        staff_minutes_per_cash_transaction=1.5,
        staff_minutes_per_cashless_transaction=1.0,
        staff_cost_yen_per_hour=3_000,
        coins_per_cash_transaction=3,
        deposits_per_year=240,
        coin_deposit_tiers=[(100, 0), (500, 550), (1_000, 1_100)],
        coin_extra_block_size=500,
        coin_extra_block_charge_yen=550,
        cash_transport_fixed_yen=200_000,
        cash_transport_variable_yen=100_000,
    )
    row = yearly_cost(inputs, 0.2)
    # fees: 100,000 × 0.2 × 300 × 0.022 = 132,000
    assert row.fees == 132_000
    # fixed fees: 12 × 1,000 = 12,000
    assert row.fixed_fees == 12_000
    # equipment: 500,000 / 5 + 50,000 = 150,000
    assert row.equipment == 150_000
    # staff (cash): 80,000 payments × 1.5 min = 120,000 min = 2,000 h × 3,000 = 6,000,000
    assert row.staff_cash == 6_000_000
    # staff (cashless): 20,000 × 1.0 min = 20,000 min = 333.33 h × 3,000 = 1,000,000
    assert row.staff_cashless == 1_000_000
    # coins: 80,000 × 3 = 240,000 coins / 240 deposits = 1,000 a deposit → tier ≤1,000: 1,100 × 240 = 264,000
    assert row.coin_deposits == 264_000
    # transport: 200,000 + 100,000 × 0.8 = 280,000
    assert row.transport == 280_000
    # total: 132,000 + 12,000 + 150,000 + 6,000,000 + 1,000,000 + 264,000 + 280,000 = 7,838,000
    assert row.total == 7_838_000
    # cash only: staff 100,000 × 1.5 / 60 × 3,000 = 7,500,000; coins 300,000 / 240 = 1,250 a deposit
    # → 1,100 + one extra block of 500 (550) = 1,650 × 240 = 396,000; transport 300,000 → 8,196,000
    assert row.cash_only_total == 8_196_000
    # net: 7,838,000 − 8,196,000 = −358,000 (saves taxpayers 358,000 yen a year)
    assert row.net_vs_cash_only == -358_000
    assert row.uptake == 0.2


def test_rounding_half_up_per_component():
    inputs = dataclasses.replace(
        BARE,
        yearly_transactions=1_000,
        average_payment_yen=205,
        card_share=0,
        emoney_share=0,
        qr_share=1,
        equipment_cost_yen=100_000,
        amortisation_years=3,
        staff_minutes_per_cash_transaction=1,
        staff_minutes_per_cashless_transaction=0.5,
        staff_cost_yen_per_hour=2_000,
        coins_per_cash_transaction=2,
        deposits_per_year=12,
        cash_transport_variable_yen=10_000,
    )
    row = yearly_cost(inputs, 0.1)
    # fees: 100 × 205 × 0.029 = 594.5 → 595 (half up; banker's rounding would give 594)
    assert row.fees == 595
    # equipment: 100,000 / 3 = 33,333.33 → 33,333
    assert row.equipment == 33_333
    # staff (cash): 900 × 1 min / 60 × 2,000 = 30,000
    assert row.staff_cash == 30_000
    # staff (cashless): 100 × 0.5 min / 60 × 2,000 = 1,666.67 → 1,667
    assert row.staff_cashless == 1_667
    # coins: 900 × 2 / 12 = 150 a deposit → tier ≤500: 550 × 12 = 6,600
    assert row.coin_deposits == 6_600
    # transport: 0 + 10,000 × 0.9 = 9,000
    assert row.transport == 9_000
    # total: 595 + 0 + 33,333 + 30,000 + 1,667 + 6,600 + 9,000 = 81,195 (sum of the rounded parts)
    assert row.total == 81_195
    assert row.total == sum(getattr(row, name) for name, _ in COMPONENTS)
    # cash only: staff 1,000 / 60 × 2,000 = 33,333.33 → 33,333; coins 2,000 / 12 = 166.67 → 167 a deposit
    # → 550 × 12 = 6,600; transport 10,000 → 49,933
    assert row.cash_only_total == 49_933
    # net: 81,195 − 49,933 = 31,262
    assert row.net_vs_cash_only == 31_262


def test_method_mix_fixed_fees_and_transport():
    inputs = dataclasses.replace(
        BARE,
        yearly_transactions=50_000,
        average_payment_yen=400,
        card_share=0.5,
        emoney_share=0.2,
        qr_share=0.3,
        fixed_monthly_fees_yen=5_500,
        cash_transport_fixed_yen=100_000,
        cash_transport_variable_yen=300_000,
    )
    row = yearly_cost(inputs, 0.3)
    # blended rate: 0.5 × 0.022 + 0.2 × 0.022 + 0.3 × 0.029 = 0.011 + 0.0044 + 0.0087 = 0.0241
    # fees: 15,000 × 400 × 0.0241 = 144,600
    assert row.fees == 144_600
    # fixed fees: 12 × 5,500 = 66,000
    assert row.fixed_fees == 66_000
    # transport: 100,000 + 300,000 × 0.7 = 310,000
    assert row.transport == 310_000
    # total: 144,600 + 66,000 + 310,000 = 520,600; cash only: 400,000; net +120,600
    assert (row.total, row.cash_only_total, row.net_vs_cash_only) == (520_600, 400_000, 120_600)
    assert inputs.blended_fee_rate == pytest.approx(0.0241)


def test_fixed_costs_count_at_zero_uptake():
    # Accepting cashless payment that nobody uses costs the fixed fees and the equipment:
    # 12 × 3,300 + 1,300,000 / 5 + 100,000 = 39,600 + 260,000 + 100,000 = 399,600 (the defaults).
    row = yearly_cost(CostInputs(), 0)
    assert row.net_vs_cash_only == 399_600
    assert row.fees == row.staff_cashless == 0


@pytest.mark.parametrize(
    ("coins", "charge"),
    [
        (0, 0),
        (1, 0),
        (100, 0),
        (101, 550),
        (500, 550),
        (501, 1_100),
        (1_000, 1_100),
        (1_001, 1_650),
        (1_500, 1_650),
        (1_501, 2_200),
        (2_000, 2_200),
    ],
)
def test_coin_deposit_tiers(coins, charge):
    # Free ≤100, 550 ≤500, 1,100 ≤1,000, then +550 for every started 500 coins.
    assert deposit_charge(CostInputs(), coins) == charge


def test_coins_per_deposit_round_up():
    # 301 payments × 1 coin / 3 deposits = 100.33 → 101 coins a deposit → 550 × 3 = 1,650
    inputs = dataclasses.replace(
        BARE, yearly_transactions=301, coins_per_cash_transaction=1, deposits_per_year=3
    )
    assert yearly_cost(inputs, 0).coin_deposits == 1_650
    # 300 payments: exactly 100 a deposit → free
    assert yearly_cost(dataclasses.replace(inputs, yearly_transactions=300), 0).coin_deposits == 0


# Per payment made cashless: card fee 300 × 0.022 = 6.6 yen; staff time saved (1.5 − 1.0) min / 60 × 3,000
# = 25 yen; so each cashless payment saves 18.4 yen, 100,000 payments a year: net(u) = fixed − 1,840,000·u.
LINEAR = dataclasses.replace(
    BARE,
    yearly_transactions=100_000,
    average_payment_yen=300,
    card_share=1,
    emoney_share=0,
    qr_share=0,
    staff_minutes_per_cash_transaction=1.5,
    staff_minutes_per_cashless_transaction=1.0,
    staff_cost_yen_per_hour=3_000,
)


def test_break_even_linear():
    # Fixed cost 1,380,000 / 3 = 460,000 a year: 460,000 − 1,840,000·u = 0 at u = 0.25.
    inputs = dataclasses.replace(LINEAR, equipment_cost_yen=1_380_000, amortisation_years=3)
    assert break_even_uptake(inputs) == pytest.approx(0.25, abs=1e-6)
    assert yearly_cost(inputs, 0.25).net_vs_cash_only == 0
    assert yearly_cost(inputs, 0.2).net_vs_cash_only == 460_000 - 368_000
    assert yearly_cost(inputs, 0.3).net_vs_cash_only == 460_000 - 552_000


def test_break_even_on_a_coin_tier_step():
    # Fixed 400,000 a year; without coins break-even would be 400,000 / 1,840,000 = 0.217. With 3 coins a
    # cash payment and 240 deposits a deposit holds 1,250·(1 − u) coins: at u = 0.2 it falls to 1,000 and
    # the charge from 1,650 to 1,100 a deposit, saving 550 × 240 = 132,000. Just below 0.2 the net is
    # 400,000 − 368,000 = +32,000; at 0.2 it is 32,000 − 132,000 = −100,000: the step is the break-even.
    inputs = dataclasses.replace(
        LINEAR,
        equipment_cost_yen=400_000,
        amortisation_years=1,
        coins_per_cash_transaction=3,
        deposits_per_year=240,
    )
    assert break_even_uptake(inputs) == pytest.approx(0.2, abs=1e-6)
    assert yearly_cost(inputs, 0.2).net_vs_cash_only == -100_000
    assert yearly_cost(inputs, 0.199).net_vs_cash_only == 400_000 - 366_160


def test_break_even_never():
    # Same staff minutes either way: every cashless payment adds a 6.6 yen fee, nothing is saved.
    inputs = dataclasses.replace(
        LINEAR, staff_minutes_per_cashless_transaction=1.5, equipment_cost_yen=100_000
    )
    assert break_even_uptake(inputs) is None
    assert break_even_uptake(dataclasses.replace(inputs, equipment_cost_yen=0)) is None
    assert all(row.net_vs_cash_only > 0 for row in scenarios(inputs, (0.1, 0.5, 1.0)))


def test_break_even_always():
    # No fixed costs and each cashless payment 18.4 yen cheaper: pays off at any uptake.
    assert break_even_uptake(LINEAR) == 0.0
    assert yearly_cost(LINEAR, 0.01).net_vs_cash_only == -18_400


def test_scenarios_default_uptakes():
    rows = scenarios(CostInputs())
    assert [row.uptake for row in rows] == [0, 0.1, 0.2, 0.3, 0.4, 0.5]
    assert all(isinstance(row, CostBreakdown) for row in rows)
    assert len({row.cash_only_total for row in rows}) == 1
    # Defaults: the average deposit falls to 1,000 coins at u = 1 − 1,000 × 243 / 300,000 = 0.19.
    assert break_even_uptake(CostInputs()) == pytest.approx(0.19, abs=1e-6)


def test_current_uptake_is_the_default():
    inputs = CostInputs(current_uptake=0.3)
    assert yearly_cost(inputs) == yearly_cost(inputs, 0.3)


@pytest.mark.parametrize(
    "changes",
    [
        {"card_share": 0.5},
        {"qr_fee_rate": 1.5},
        {"yearly_transactions": -1},
        {"deposits_per_year": 0},
        {"coin_deposit_tiers": [(500, 550), (100, 0)]},
        {"staff_minutes_per_cash_transaction": float("nan")},
    ],
)
def test_invalid_inputs(changes):
    with pytest.raises(ValueError):
        CostInputs(**changes)


def test_invalid_uptake():
    with pytest.raises(ValueError):
        yearly_cost(CostInputs(), 1.2)


def test_inputs_are_frozen_and_hashable():
    inputs = CostInputs(coin_deposit_tiers=[(100, 0), (500, 550)])
    assert inputs.coin_deposit_tiers == ((100, 0), (500, 550))
    assert hash(inputs) == hash(CostInputs(coin_deposit_tiers=((100, 0), (500, 550))))
    with pytest.raises(dataclasses.FrozenInstanceError):
        inputs.yearly_transactions = 1  # type: ignore[misc]


def test_from_history_scales_to_a_year():
    history = [(300, "cash")] * 6 + [(450, "card")] * 2 + [(200, "emoney"), (300, " QR ")]
    overrides = from_history(history, days=73)
    # 10 payments in 73 days → 10 × 365 / 73 = 50 a year; (1,800 + 900 + 200 + 300) / 10 = 320 yen
    assert overrides == {
        "yearly_transactions": 50,
        "average_payment_yen": 320,
        "current_uptake": 0.4,
        "card_share": 0.5,
        "emoney_share": 0.25,
        "qr_share": 0.25,
    }
    inputs = dataclasses.replace(CostInputs(), **overrides)
    assert inputs.current_uptake == 0.4
    assert yearly_cost(inputs).uptake == 0.4


def test_from_history_rounding_and_cash_only():
    # 10 payments in 30 days → 121.67 → 122 a year; (300 + 301) / 2 → 300.5 → 301 on the average
    overrides = from_history([(300, "cash")] * 5 + [(301, "cash")] * 5, days=30)
    assert overrides == {"yearly_transactions": 122, "average_payment_yen": 301, "current_uptake": 0.0}
    assert dataclasses.replace(CostInputs(), **overrides).qr_share == CostInputs().qr_share


@pytest.mark.parametrize(
    ("history", "days"),
    [([], 30), ([(300, "cheque")], 30), ([(300, "cash")], 0), ([(-300, "cash")], 30)],
)
def test_from_history_rejects(history, days):
    with pytest.raises(ValueError):
        from_history(history, days)


@pytest.mark.parametrize(
    ("yen", "text"),
    [
        (0, "0円"),
        (5_000, "5,000円"),
        (10_000, "1万円"),
        (125_000, "12.5万円"),
        (-358_000, "-35.8万円"),
        (1_200_000, "120万円"),
        (12_345_678, "1,235万円"),
        (99_995_000, "1億円"),
        (150_000_000, "1億5,000万円"),
    ],
)
def test_format_man_yen(yen, text):
    assert format_man_yen(yen) == text


def test_chart_svg_is_accessible_and_csp_safe():
    inputs = dataclasses.replace(LINEAR, equipment_cost_yen=1_380_000, amortisation_years=3)
    rows = scenarios(inputs)
    title = "試算 <script>alert(1)</script> & <&>"
    svg = chart_svg(rows, title=title, break_even=break_even_uptake(inputs))
    root = _parse(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("viewBox") == "0 0 720 470"
    assert root.get("width") is None and root.get("height") is None
    assert root[0].tag == f"{SVG}title" and root[0].text == title
    assert root[1].tag == f"{SVG}desc" and "損益分岐点: 利用率25%" in (root[1].text or "")
    assert root.get("aria-labelledby") == f"{root[0].get('id')} {root[1].get('id')}"
    assert "&lt;&amp;&gt;" in svg
    assert "<script" not in svg
    assert "style=" not in svg
    assert "href" not in svg and "url(" not in svg
    texts = [el.text for el in root.iter(f"{SVG}text")]
    assert "損益分岐 25%" in texts
    assert "-46万円" in texts  # difference at 50 %: 460,000 − 920,000 = −460,000
    assert "50%" in texts


def test_chart_svg_without_break_even():
    rows = scenarios(dataclasses.replace(LINEAR, staff_minutes_per_cashless_transaction=1.5), (0.0, 0.5))
    svg = chart_svg(rows, title="a", break_even=None, id_prefix="9 bad id")
    root = _parse(svg)
    assert root[0].get("id") == "c-9-bad-id-title"
    assert "損益分岐なし" in svg
    with pytest.raises(ValueError):
        chart_svg([], title="a", break_even=None)


def test_table_rows_are_plain():
    rows = table_rows(scenarios(CostInputs(), (0.2,)))
    assert rows == [
        {
            "uptake": 0.2,
            "fees": 148_800,
            "fixed_fees": 39_600,
            "equipment": 360_000,
            "staff_cash": 6_000_000,
            "staff_cashless": 1_000_000,
            "coin_deposits": 267_300,
            "transport": 336_000,
            "total": 8_151_700,
            "cash_only_total": 8_260_950,
            "net_vs_cash_only": -109_250,
        }
    ]
