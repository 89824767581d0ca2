"""What cashless payment at the window register would cost the city (窓口キャッシュレス決済の費用試算).

Pure Python, no Django, no database: the inputs are a frozen :class:`CostInputs`, the results frozen
:class:`CostBreakdown` rows and plain dicts, and :func:`chart_svg` returns an inline SVG string. The
question it answers: if the city accepts cards, e-money and QR code payments at the window and pays the
fees itself (with taxpayers' money), does what cash costs today (staff time, the bank's coin deposit
charges, cash transport and security) fall by more than the fees and the equipment cost?

The model, for a share ``u`` of payments made cashless (the *uptake*) and ``T`` payments a year::

    fees            = T·u · average payment · Σ(method share · method fee rate)
    fixed fees      = 12 · fixed monthly fees                       (only when cashless is accepted)
    equipment       = one-off cost / amortisation years + maintenance (only when cashless is accepted)
    staff (cash)    = T·(1−u) · minutes per cash payment     / 60 · staff cost per hour
    staff (cashless)= T·u     · minutes per cashless payment / 60 · staff cost per hour
    coin deposits   = deposits a year · bank charge(⌈T·(1−u) · coins per cash payment / deposits a year⌉)
    transport       = fixed part + variable part · (1−u)

Every component is linear in ``u`` apart from the coin deposit charge, which steps down when the coins
of an average deposit fall below a tier of the bank's tariff. The *cash-only* reference is the same
city without cashless acceptance (``u = 0``, no fees, no fixed fees, no equipment); every row carries
``net_vs_cash_only`` = its total minus the cash-only total, negative when cashless saves money.

Rounding: all arithmetic is exact (``decimal``, floats are read through their shortest ``repr``, so
``0.022`` is exactly 0.022). Each yearly component is rounded half up to whole yen once, at the end; the
row's ``total`` is the sum of the rounded components (so a printed row adds up) and likewise the
cash-only total. :func:`break_even_uptake` works on the unrounded amounts.

Staff time is an opportunity cost: the minutes saved turn into money only if the window is staffed
accordingly (fewer hours of 会計年度任用職員, or the same staff doing other work). Read the staff
components as "time freed", the others as cash out of the city's budget.
"""

import html
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from itertools import pairwise
from typing import Required, TypedDict

__all__ = [
    "COMPONENTS",
    "METHODS",
    "CostBreakdown",
    "CostInputs",
    "HistoryOverrides",
    "break_even_uptake",
    "chart_svg",
    "deposit_charge",
    "format_man_yen",
    "from_history",
    "scenarios",
    "table_rows",
    "yearly_cost",
]

METHODS = ("cash", "card", "emoney", "qr")
"""Payment methods known to :func:`from_history`."""

COMPONENTS: tuple[tuple[str, str], ...] = (
    ("fees", "決済手数料"),
    ("fixed_fees", "月額固定費"),
    ("equipment", "機器（償却・保守）"),
    ("staff_cash", "職員時間（現金）"),
    ("staff_cashless", "職員時間（キャッシュレス）"),
    ("coin_deposits", "硬貨預入手数料"),
    ("transport", "現金輸送・警備"),
)
"""The cost components of a :class:`CostBreakdown`, in order, with Japanese labels for charts and tables."""

_ONE = Decimal(1)
_ZERO = Decimal(0)


@dataclass(frozen=True)
class CostInputs:
    """Everything the model needs. Money in whole yen (tax included), shares and rates as fractions.

    The defaults describe a city of about 110,000 residents whose window takes fees of a few hundred
    yen; they are assumptions to be replaced by the city's own figures (see :func:`from_history` for
    the first three). Sources and reasoning per field below.
    """

    yearly_transactions: int = 100_000
    """Payments a year at the window (cash and cashless). Assumed ≈ 0.9 per resident a year; one city's
    semi-self register alone removed 66,000 cash hand-overs a year, so 100,000 is the right order."""

    average_payment_yen: int = 300
    """Average amount of one payment. 住民票の写し and 印鑑登録証明書 are 300 yen in most cities (also the
    demo city's window fee); fees range 200–450 yen (戸籍 450 yen)."""

    card_share: float = 0.3
    """Share of credit/debit cards within cashless payments. Assumption; the three shares sum to 1."""
    emoney_share: float = 0.3
    """Share of e-money (交通系 IC and the like) within cashless payments. Assumption."""
    qr_share: float = 0.4
    """Share of QR code payments within cashless payments. Assumption: QR payments are popular for small
    amounts; replace with the city's own mix once it has one."""

    card_fee_rate: float = 0.022
    """Fee the city pays on card payments: 2.2 %."""
    emoney_fee_rate: float = 0.022
    """Fee on e-money payments: 2.2 %."""
    qr_fee_rate: float = 0.029
    """Fee on QR code payments: 2.9 %."""

    fixed_monthly_fees_yen: int = 3_300
    """Fixed monthly charges of the payment gateway and terminal (rental, line). Assumption: 3,000 yen +
    tax; several providers charge nothing, municipal gateway contracts often charge something."""

    equipment_cost_yen: int = 1_300_000
    """One-off cost of the register and terminal. One city paid about 1.3 M yen for a semi-self register
    with a change dispenser; a bare multi-payment terminal costs far less, so this is conservative."""
    amortisation_years: int = 5
    """Years over which the equipment is written off: 5, the statutory useful life of a cash register
    (金銭登録機, 減価償却資産の耐用年数等に関する省令 別表第一)."""
    yearly_maintenance_yen: int = 100_000
    """Yearly maintenance contract of the register and terminal. Assumption (≈ 8 % of the price)."""

    staff_minutes_per_cash_transaction: float = 1.5
    """Staff minutes per cash payment: receiving and counting the money, making change, plus the cash
    payment's share of opening and closing the till (レジ締め) and preparing the deposit. Assumption."""
    staff_minutes_per_cashless_transaction: float = 1.0
    """Staff minutes per cashless payment: operating the terminal, the customer's tap or scan, the slip.
    Assumption. The difference to the cash minutes drives the result more than anything else."""
    staff_cost_yen_per_hour: int = 3_000
    """Cost of an hour of window staff, employer's contributions included. Assumption: a blend of
    regular staff (≈ 4,000–5,000 yen an hour in municipal cost accounting) and 会計年度任用職員
    (≈ 1,500–2,000 yen an hour)."""

    coins_per_cash_transaction: float = 3.0
    """Coins a cash payment puts through the bank: coins paid in plus coins given as change (the change
    coins come from the bank too, through the change fund). A 300 yen fee is three 100 yen coins, or a
    1,000 yen note with 500 + 100 + 100 back, or a 500 yen coin with 100 + 100 back: 3 coins."""
    deposits_per_year: int = 243
    """Cash deposits at the bank a year: one per day the city hall is open (≈ 243 days)."""
    coin_deposit_tiers: Sequence[tuple[int, int]] = ((100, 0), (500, 550), (1_000, 1_100))
    """The bank's coin deposit charge (硬貨預入手数料) per deposit: ``(max_coins, charge_yen)`` tiers,
    ascending; a deposit of ``n`` coins pays the charge of the first tier with ``n <= max_coins``.
    Default after the typical bank tariffs since 2022: free up to 100 coins, 550 yen up to 500,
    1,100 yen up to 1,000. Check the city's 指定金融機関 contract: public funds are often charged
    differently."""
    coin_extra_block_size: int = 500
    """Above the last tier, every started block of this many coins adds ``coin_extra_block_charge_yen``."""
    coin_extra_block_charge_yen: int = 550
    """Charge per extra block of coins above the last tier (banks typically add 550 yen per 500 coins)."""

    cash_transport_fixed_yen: int = 240_000
    """Yearly cash transport and security (集配金, 警備) that stays as long as any cash is taken,
    including the change fund's handling. Assumption: a 20,000 yen a month contract. Set to 0 if the
    指定金融機関 collects at its city hall branch at no charge."""
    cash_transport_variable_yen: int = 120_000
    """Yearly transport and security cost that scales with the cash share: the model charges
    ``cash_transport_fixed_yen + cash_transport_variable_yen · (1 − uptake)``, so this is the part paid
    at 100 % cash that would disappear at 100 % cashless (extra pick-ups, insured amounts). Assumption."""

    current_uptake: float = 0.0
    """Today's cashless share of payments (0 while the window takes cash only). Other cities report
    11.8 % to 36 % after introducing cashless payment. Used when :func:`yearly_cost` gets no uptake."""

    def __post_init__(self) -> None:
        for name in (
            "yearly_transactions",
            "average_payment_yen",
            "fixed_monthly_fees_yen",
            "equipment_cost_yen",
            "yearly_maintenance_yen",
            "staff_cost_yen_per_hour",
            "coin_extra_block_charge_yen",
            "cash_transport_fixed_yen",
            "cash_transport_variable_yen",
        ):
            _check_number(name, getattr(self, name), integer=True)
        for name in ("staff_minutes_per_cash_transaction", "staff_minutes_per_cashless_transaction"):
            _check_number(name, getattr(self, name))
        _check_number("coins_per_cash_transaction", self.coins_per_cash_transaction)
        for name in ("amortisation_years", "deposits_per_year", "coin_extra_block_size"):
            _check_number(name, getattr(self, name), integer=True)
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
        for name in (
            "card_share",
            "emoney_share",
            "qr_share",
            "card_fee_rate",
            "emoney_fee_rate",
            "qr_fee_rate",
            "current_uptake",
        ):
            _check_number(name, getattr(self, name), upper=1)
        if abs(self.card_share + self.emoney_share + self.qr_share - 1) > 1e-9:
            raise ValueError("card_share + emoney_share + qr_share must be 1")
        tiers = tuple((int(m), int(c)) for m, c in self.coin_deposit_tiers)
        if not tiers:
            raise ValueError("coin_deposit_tiers needs at least one tier")
        for (m0, c0), (m1, c1) in pairwise(tiers):
            if m1 <= m0 or c1 < c0:
                raise ValueError("coin_deposit_tiers must ascend in max_coins and not descend in charge")
        if tiers[0][0] < 1 or tiers[0][1] < 0:
            raise ValueError("coin_deposit_tiers need max_coins >= 1 and charges >= 0")
        object.__setattr__(self, "coin_deposit_tiers", tiers)

    @property
    def blended_fee_rate(self) -> float:
        """The fee rate averaged over the cashless method mix."""
        return float(_blended_rate(self))


@dataclass(frozen=True)
class CostBreakdown:
    """Yearly cost at one cashless uptake, in whole yen (each component rounded half up)."""

    uptake: float
    fees: int
    fixed_fees: int
    equipment: int
    staff_cash: int
    staff_cashless: int
    coin_deposits: int
    transport: int
    total: int
    """Sum of the seven components above."""
    cash_only_total: int
    """Total of the same city accepting cash only (no fees, no fixed fees, no equipment)."""
    net_vs_cash_only: int
    """``total - cash_only_total``: negative when cashless saves taxpayers money."""


class HistoryOverrides(TypedDict, total=False):
    """Fields of :class:`CostInputs` derived from past payments; ``dataclasses.replace(inputs, **o)``."""

    yearly_transactions: Required[int]
    average_payment_yen: Required[int]
    current_uptake: Required[float]
    card_share: float
    emoney_share: float
    qr_share: float


def _check_number(name: str, value: object, *, integer: bool = False, upper: float | None = None) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{name} must be a number")
    if integer and not isinstance(value, int):
        raise TypeError(f"{name} must be an int")
    if not math.isfinite(value) or value < 0 or (upper is not None and value > upper):
        bound = f"between 0 and {upper}" if upper is not None else "finite and >= 0"
        raise ValueError(f"{name} must be {bound}, got {value!r}")


def _d(value: float) -> Decimal:
    """Exact decimal of an int, or of a float as written (``0.022`` → ``Decimal("0.022")``)."""
    return Decimal(value) if isinstance(value, int) else Decimal(repr(float(value)))


def _yen(amount: Decimal) -> int:
    """Round half up to whole yen (the one place results are rounded)."""
    return int(amount.quantize(_ONE, rounding=ROUND_HALF_UP))


def _blended_rate(inputs: CostInputs) -> Decimal:
    return (
        _d(inputs.card_share) * _d(inputs.card_fee_rate)
        + _d(inputs.emoney_share) * _d(inputs.emoney_fee_rate)
        + _d(inputs.qr_share) * _d(inputs.qr_fee_rate)
    )


def deposit_charge(inputs: CostInputs, coins: int) -> int:
    """The bank's charge for one deposit of ``coins`` coins (0 for no coins: nothing to deposit)."""
    if coins <= 0:
        return 0
    for max_coins, charge in inputs.coin_deposit_tiers:
        if coins <= max_coins:
            return charge
    last_max, last_charge = inputs.coin_deposit_tiers[-1]
    blocks = -(-(coins - last_max) // inputs.coin_extra_block_size)
    return last_charge + blocks * inputs.coin_extra_block_charge_yen


def _coins_per_deposit(inputs: CostInputs, cash_share: Decimal) -> int:
    """Coins of an average deposit, rounded up (a deposit cannot hold part of a coin)."""
    coins = (
        Decimal(inputs.yearly_transactions)
        * cash_share
        * _d(inputs.coins_per_cash_transaction)
        / Decimal(inputs.deposits_per_year)
    )
    return int(coins.to_integral_value(rounding=ROUND_CEILING))


def _components(inputs: CostInputs, uptake: float, *, cashless: bool = True) -> dict[str, Decimal]:
    """Unrounded yearly components; ``cashless=False`` is the cash-only city (``uptake`` must be 0)."""
    u = _d(uptake)
    cash_share = _ONE - u
    t = Decimal(inputs.yearly_transactions)
    per_hour = Decimal(inputs.staff_cost_yen_per_hour)
    cash_tx, cashless_tx = t * cash_share, t * u
    return {
        "fees": cashless_tx * Decimal(inputs.average_payment_yen) * _blended_rate(inputs),
        "fixed_fees": Decimal(12 * inputs.fixed_monthly_fees_yen) if cashless else _ZERO,
        "equipment": (
            Decimal(inputs.equipment_cost_yen) / Decimal(inputs.amortisation_years)
            + Decimal(inputs.yearly_maintenance_yen)
            if cashless
            else _ZERO
        ),
        "staff_cash": cash_tx * _d(inputs.staff_minutes_per_cash_transaction) * per_hour / 60,
        "staff_cashless": cashless_tx * _d(inputs.staff_minutes_per_cashless_transaction) * per_hour / 60,
        "coin_deposits": Decimal(
            inputs.deposits_per_year * deposit_charge(inputs, _coins_per_deposit(inputs, cash_share))
        ),
        "transport": Decimal(inputs.cash_transport_fixed_yen)
        + Decimal(inputs.cash_transport_variable_yen) * cash_share,
    }


def _check_uptake(uptake: float) -> None:
    if isinstance(uptake, bool) or not isinstance(uptake, int | float):
        raise TypeError("uptake must be a number")
    if not 0 <= uptake <= 1:
        raise ValueError(f"uptake must be between 0 and 1, got {uptake!r}")


def yearly_cost(inputs: CostInputs, uptake: float | None = None) -> CostBreakdown:
    """Yearly cost when a share ``uptake`` (0..1) of payments is cashless; ``None``: ``current_uptake``.

    The city accepts cashless payment in every row (so fixed fees and equipment count even at
    ``uptake=0``); ``net_vs_cash_only`` compares with the city that does not.
    """
    u = inputs.current_uptake if uptake is None else uptake
    _check_uptake(u)
    parts = {name: _yen(amount) for name, amount in _components(inputs, u).items()}
    cash_only = sum(_yen(amount) for amount in _components(inputs, 0, cashless=False).values())
    total = sum(parts.values())
    return CostBreakdown(
        uptake=float(u),
        fees=parts["fees"],
        fixed_fees=parts["fixed_fees"],
        equipment=parts["equipment"],
        staff_cash=parts["staff_cash"],
        staff_cashless=parts["staff_cashless"],
        coin_deposits=parts["coin_deposits"],
        transport=parts["transport"],
        total=total,
        cash_only_total=cash_only,
        net_vs_cash_only=total - cash_only,
    )


def scenarios(
    inputs: CostInputs, uptakes: Iterable[float] = (0, 0.1, 0.2, 0.3, 0.4, 0.5)
) -> list[CostBreakdown]:
    """One :func:`yearly_cost` row per uptake, in the order given."""
    return [yearly_cost(inputs, u) for u in uptakes]


_GRID_STEPS = 1_000
_MAX_BREAKPOINTS = 100_000


def _grid(inputs: CostInputs) -> list[float]:
    """Uptakes to probe: a uniform grid of 0.1 % steps plus every uptake at which the average deposit
    falls to a tier boundary of the coin tariff (and a hair above, against float rounding). Between
    neighbouring points the net cost is then linear, with at most a step down at the right end."""
    points = {i / _GRID_STEPS for i in range(_GRID_STEPS + 1)}
    all_cash_coins = inputs.yearly_transactions * inputs.coins_per_cash_transaction / inputs.deposits_per_year
    if all_cash_coins > 0:
        boundaries = [m for m, _ in inputs.coin_deposit_tiers]
        last = boundaries[-1]
        extra = math.ceil(max(0.0, all_cash_coins - last) / inputs.coin_extra_block_size)
        if extra <= _MAX_BREAKPOINTS:
            boundaries += [last + k * inputs.coin_extra_block_size for k in range(1, extra + 1)]
        for m in boundaries:
            if m < all_cash_coins:
                u = 1 - m / all_cash_coins
                points.update((u, min(1.0, u + 1e-12)))
    return sorted(p for p in points if 0 <= p <= 1)


def break_even_uptake(inputs: CostInputs) -> float | None:
    """The uptake in [0, 1] at which cashless starts to pay off (``net_vs_cash_only`` turns negative).

    * ``None``: it never pays off in [0, 1] (fees and fixed costs always exceed what cash costs).
    * ``0.0``: it pays off at any uptake above zero (no fixed costs, and a cashless payment is cheaper
      than a cash one).
    * otherwise the first uptake at which the net cost crosses zero, rounded to 6 decimals.

    With non-negative inputs the net cost at uptake 0 is the fixed costs (>= 0), so the first crossing
    is where cashless starts to pay off. The net cost is linear in the uptake except for the coin tariff's
    steps (down, as cash falls), so a crossing may sit exactly on a step, and with a small positive
    slope a later crossing back (cashless stops paying off) is possible: only the first is returned;
    :func:`scenarios` shows the rest. Found on :func:`_grid` (which holds every step) and refined by
    bisection on the unrounded amounts.
    """
    base = sum(_components(inputs, 0, cashless=False).values(), _ZERO)

    def pays_off(u: float) -> bool:
        return sum(_components(inputs, u).values(), _ZERO) < base

    grid = _grid(inputs)
    states = [pays_off(u) for u in grid]
    if not any(states):
        return None
    if all(states):
        return 0.0
    j = next(i for i, state in enumerate(states) if state != states[0])
    lo, hi = grid[j - 1], grid[j]
    for _ in range(200):
        mid = (lo + hi) / 2
        if not lo < mid < hi:
            break
        if pays_off(mid) == states[0]:
            lo = mid
        else:
            hi = mid
    return round(hi, 6) + 0.0  # + 0.0 turns a -0.0 into 0.0


def from_history(transactions: Iterable[tuple[int, str]], days: int) -> HistoryOverrides:
    """Inputs derived from the city's own payments over ``days`` days: ``(amount_yen, method)`` pairs,
    method one of ``"cash"``, ``"card"``, ``"emoney"``, ``"qr"`` (case and surrounding spaces ignored).

    Returns overrides for ``dataclasses.replace(CostInputs(...), **overrides)``:

    * ``yearly_transactions``: the count scaled by ``365 / days``, rounded half up;
    * ``average_payment_yen``: the mean amount, rounded half up;
    * ``current_uptake``: the cashless share of the *number* of payments;
    * ``card_share``, ``emoney_share``, ``qr_share``: the mix within cashless payments, only when there
      were cashless payments (else the inputs keep their assumed mix).

    The model applies the one average amount to cash and cashless payments alike; if cashless payers
    pay larger fees on average the fees come out somewhat low. Seasonal peaks (March/April moves) are
    not corrected: pass a whole year, or a representative period.
    """
    _check_number("days", days, integer=True)
    if days < 1:
        raise ValueError("days must be at least 1")
    counts = dict.fromkeys(METHODS, 0)
    total_yen = 0
    for amount, method in transactions:
        key = str(method).strip().lower()
        if key not in counts:
            raise ValueError(f"unknown payment method {method!r}; expected one of {', '.join(METHODS)}")
        _check_number("amount_yen", amount, integer=True)
        counts[key] += 1
        total_yen += amount
    n = sum(counts.values())
    if n == 0:
        raise ValueError("no payments in the history")
    cashless = n - counts["cash"]
    overrides = HistoryOverrides(
        yearly_transactions=_yen(Decimal(n) * 365 / Decimal(days)),
        average_payment_yen=_yen(Decimal(total_yen) / Decimal(n)),
        current_uptake=cashless / n,
    )
    if cashless:
        overrides["card_share"] = counts["card"] / cashless
        overrides["emoney_share"] = counts["emoney"] / cashless
        overrides["qr_share"] = counts["qr"] / cashless
    return overrides


def table_rows(rows: Iterable[CostBreakdown]) -> list[dict[str, int | float]]:
    """Plain dicts (field name → yen, ``uptake`` as a fraction) for printing or ``csv.DictWriter``;
    :data:`COMPONENTS` has Japanese labels for the component keys."""
    return [{f.name: getattr(row, f.name) for f in fields(row)} for row in rows]


def format_man_yen(yen: int) -> str:
    """Yen the way Japanese budget tables read: ``5,000円``, ``12.5万円``, ``816万円``, ``1億2,000万円``.

    Below 1万: whole yen; below 100万: 万 with at most one decimal; below 1億: whole 万; from 1億: 億 and
    whole 万. Rounded half up; negative amounts get a leading ``-``.
    """
    if yen < 0:
        return "-" + format_man_yen(-yen)
    if yen < 10_000:
        return f"{yen:,}円"
    man = Decimal(yen) / 10_000
    if yen < 1_000_000:
        tenths = man.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        text = f"{tenths:f}".removesuffix(".0")
        return f"{text}万円"
    whole_man = _yen(man)
    oku, rest = divmod(whole_man, 10_000)
    if not oku:
        return f"{rest:,}万円"
    return f"{oku:,}億円" if not rest else f"{oku:,}億{rest:,}万円"


def _percent(uptake: float) -> str:
    value = (_d(uptake) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{value:f}".removesuffix(".0") + "%"


def _signed_man_yen(yen: int) -> str:
    return ("+" if yen > 0 else "") + format_man_yen(yen)


def _nice_top(value: int) -> tuple[int, int]:
    """A round top of the y axis at or above ``value`` and its tick step (about five ticks)."""
    if value <= 0:
        return 10_000, 2_000
    raw = value / 5
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    step_int = max(1, math.ceil(step))
    return math.ceil(value / step_int) * step_int, step_int


# Okabe–Ito colours: distinguishable with the common colour-vision deficiencies.
_COLOURS = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7")
_MARKER = "#B00020"
# A white outline under text that crosses lines (presentation attributes, no CSS).
_HALO = 'stroke="#ffffff" stroke-width="3" paint-order="stroke"'

_W, _H = 720, 470
_LEFT, _RIGHT, _TOP, _BOTTOM = 90, 700, 56, 320


def chart_svg(
    rows: Sequence[CostBreakdown],
    *,
    title: str,
    break_even: float | None,
    id_prefix: str = "costmodel-chart",
) -> str:
    """An accessible inline SVG: yearly cost by uptake as stacked bars of the components, the cash-only
    total as a dashed line, the break-even uptake as a vertical marker, and under each bar the difference
    to cash only.

    ``role="img"`` with ``<title>`` and ``<desc>`` (which lists every bar's total for screen readers),
    sized by ``viewBox`` only so it scales to the container, no script, no external resources and no
    ``style`` attributes (presentation attributes only: fine under a strict CSP). Every text is escaped.
    ``id_prefix`` keeps the ids unique when a page shows several charts.
    """
    if not rows:
        raise ValueError("chart_svg needs at least one row")
    esc = html.escape
    prefix = re.sub(r"[^A-Za-z0-9_-]", "-", id_prefix)
    if not prefix[:1].isalpha():
        prefix = "c-" + prefix
    ordered = sorted(rows, key=lambda r: r.uptake)
    uptakes = sorted({r.uptake for r in ordered})
    spacing = min((b - a for a, b in pairwise(uptakes)), default=0.1)
    domain = [*uptakes, *([break_even] if break_even is not None else [])]
    d0, d1 = min(domain) - spacing / 2, max(domain) + spacing / 2
    plot_w, plot_h = _RIGHT - _LEFT, _BOTTOM - _TOP

    def x_of(u: float) -> float:
        return _LEFT + (u - d0) / (d1 - d0) * plot_w

    cash_only_values = {r.cash_only_total for r in ordered}
    top, step = _nice_top(max(max(r.total for r in ordered), *cash_only_values))

    def y_of(yen: float) -> float:
        return _BOTTOM - yen / top * plot_h

    slot_px = spacing / (d1 - d0) * plot_w  # room per bar
    bar_px = min(slot_px * 0.6, 64.0)
    # Narrow slots: no labels over the bars or differences under them (the <desc> has every figure),
    # and only every k-th uptake on the axis.
    roomy = slot_px >= 64
    every = max(1, math.ceil(36 / slot_px))

    summary = "；".join(
        f"利用率{_percent(r.uptake)}: 合計{r.total:,}円（現金のみとの差 {r.net_vs_cash_only:+,}円）"
        for r in ordered
    )
    desc = f"キャッシュレス利用率ごとの年間費用の積み上げ棒グラフ。{summary}。"
    if len(cash_only_values) == 1:
        desc += f"現金のみの場合の年間費用: {ordered[0].cash_only_total:,}円。"
    if break_even is None:
        desc += "利用率0〜100%の範囲で現金のみより安くなる点はありません。"
    else:
        desc += f"損益分岐点: 利用率{_percent(break_even)}。"

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_W} {_H}" role="img" '
        f'aria-labelledby="{prefix}-title {prefix}-desc" font-family="sans-serif" fill="#1a1a1a">',
        f'<title id="{prefix}-title">{esc(title)}</title>',
        f'<desc id="{prefix}-desc">{esc(desc)}</desc>',
        f'<rect x="0" y="0" width="{_W}" height="{_H}" fill="#ffffff"/>',
        f'<text x="{_W / 2:.1f}" y="30" text-anchor="middle" font-size="18" font-weight="bold">'
        f"{esc(title)}</text>",
        f'<text x="8" y="{_TOP - 12}" font-size="12">{esc("年間費用")}</text>',
    ]
    # Y axis: grid lines and 万円 labels.
    for tick in range(0, top + 1, step):
        y = y_of(tick)
        out.append(
            f'<line x1="{_LEFT}" y1="{y:.1f}" x2="{_RIGHT}" y2="{y:.1f}" stroke="#d0d0d0" stroke-width="1"/>'
        )
        out.append(
            f'<text x="{_LEFT - 8}" y="{y + 4:.1f}" text-anchor="end" font-size="12">'
            f"{esc(format_man_yen(tick))}</text>"
        )
    # Bars.
    bar_labels: list[str] = []
    for i, r in enumerate(ordered):
        cx = x_of(r.uptake)
        out.append(f"<g><title>{esc(f'利用率{_percent(r.uptake)}: 合計{format_man_yen(r.total)}')}</title>")
        base = 0
        for (name, _label), colour in zip(COMPONENTS, _COLOURS, strict=True):
            amount = getattr(r, name)
            if amount <= 0:
                continue
            y_top, y_bottom = y_of(base + amount), y_of(base)
            out.append(
                f'<rect x="{cx - bar_px / 2:.1f}" y="{y_top:.1f}" width="{bar_px:.1f}" '
                f'height="{y_bottom - y_top:.1f}" fill="{colour}" stroke="#ffffff" stroke-width="0.5"/>'
            )
            base += amount
        out.append("</g>")
        if roomy:  # totals on top of the bars, drawn last (over the reference lines)
            bar_labels.append(
                f'<text x="{cx:.1f}" y="{y_of(r.total) - 5:.1f}" text-anchor="middle" font-size="11" {_HALO}>'
                f"{esc(format_man_yen(r.total))}</text>"
            )
        if i % every == 0:
            out.append(
                f'<text x="{cx:.1f}" y="{_BOTTOM + 18}" text-anchor="middle" font-size="12">'
                f"{esc(_percent(r.uptake))}</text>"
            )
        if roomy:
            out.append(
                f'<text x="{cx:.1f}" y="{_BOTTOM + 35}" text-anchor="middle" font-size="11" fill="#444444">'
                f"{esc(_signed_man_yen(r.net_vs_cash_only))}</text>"
            )
    # Axes.
    out.append(f'<line x1="{_LEFT}" y1="{_BOTTOM}" x2="{_RIGHT}" y2="{_BOTTOM}" stroke="#1a1a1a"/>')
    out.append(f'<line x1="{_LEFT}" y1="{_TOP}" x2="{_LEFT}" y2="{_BOTTOM}" stroke="#1a1a1a"/>')
    out.append(
        f'<text x="{(_LEFT + _RIGHT) / 2:.1f}" y="{_BOTTOM + 58}" text-anchor="middle" font-size="12">'
        f"{esc('キャッシュレス利用率' + ('（下段: 現金のみとの年間差額）' if roomy else ''))}</text>"
    )
    # Cash-only reference.
    if len(cash_only_values) == 1:
        y = y_of(ordered[0].cash_only_total)
        out.append(
            f'<line x1="{_LEFT}" y1="{y:.1f}" x2="{_RIGHT}" y2="{y:.1f}" stroke="#1a1a1a" '
            'stroke-width="1.5" stroke-dasharray="6 4"/>'
        )
    # Break-even marker.
    if break_even is not None:
        x = x_of(break_even)
        near_right = x > _RIGHT - 120
        out.append(
            f'<line x1="{x:.1f}" y1="{_TOP}" x2="{x:.1f}" y2="{_BOTTOM}" stroke="{_MARKER}" '
            'stroke-width="2" stroke-dasharray="3 3"/>'
        )
        out.append(
            f'<text x="{x + (-4 if near_right else 4):.1f}" y="{_TOP + 12}" '
            f'text-anchor="{"end" if near_right else "start"}" font-size="12" fill="{_MARKER}" {_HALO}>'
            f"{esc('損益分岐 ' + _percent(break_even))}</text>"
        )
    else:
        out.append(
            f'<text x="{_RIGHT}" y="{_TOP - 12}" text-anchor="end" font-size="12" fill="{_MARKER}">'
            f"{esc('損益分岐なし（0〜100%）')}</text>"
        )
    out.extend(bar_labels)
    # Legend, three columns.
    legend: list[tuple[str, str]] = [
        *(
            (label, f'<rect width="14" height="14" fill="{c}"/>')
            for (_n, label), c in zip(COMPONENTS, _COLOURS, strict=True)
        ),
        (
            "現金のみの年間費用",
            '<line x1="0" y1="7" x2="14" y2="7" stroke="#1a1a1a" stroke-width="1.5" stroke-dasharray="4 2"/>',
        ),
    ]
    if break_even is not None:
        legend.append(
            ("損益分岐点", f'<line x1="7" y1="0" x2="7" y2="14" stroke="{_MARKER}" stroke-width="2"/>')
        )
    for i, (label, swatch) in enumerate(legend):
        col, row = i % 3, i // 3
        lx, ly = 20 + col * 235, _BOTTOM + 78 + row * 22
        out.append(f'<g transform="translate({lx} {ly})">{swatch}')
        out.append(f'<text x="20" y="12" font-size="12">{esc(label)}</text></g>')
    out.append("</svg>")
    return "\n".join(out)
