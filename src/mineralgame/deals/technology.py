"""Deal B, technology transfer: a licensor raises a licensee's refining technology for a fee.

Issues: level τ ∈ 1..5 (share τ/5 of the technology gap transferred), fee f (share of the
licensee's full value F = V(5)), local content ℓ. The licensee's value of a level is the present
value of its conversion-cost saving on its refining capacity Q_E (refining cost falls by half
the technology gain, §7.2):

    V(τ) = c_ref·0.5·gap·τ/5·Q_E·A(years, r_E)
    U_E = V(τ) + ℓ·w_ℓ·F − f·F
    U_L = f·F − c_L·(τ/5)·F − ℓ·c_ℓ·F − κ_L·Sh_L·V(τ) + χ_L·V(τ)

Sh_L is the licensor's share of world refining (its rent loss from the competition it creates)
and χ_L its strategic value of the licence (a member's security spillover; the dominant's
value of tying a non-rival licensee, negative towards its rival bloc). A licensor under a
technology-export ban for the mineral has no feasible outcome. Reservation values are 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from mineralgame.config.negotiation import DealEconomics
from mineralgame.deals.spaces import Columns, annuity

__all__ = [
    "TechParams",
    "feasible",
    "full_value",
    "licensee_utility",
    "licensor_utility",
    "tech_gain",
]

Arr = NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class TechParams:
    """Parameters of one or many candidate licences (scalars or column vectors).

    Attributes:
        gap: Technology gap licensor − licensee [-].
        capacity: Licensee's refining capacity Q_E [t/yr].
        refining_cost: Conversion cost at technology 1 [USD/t].
        licensee_rate: r_E [1/yr].
        licensor_share: Sh_L, the licensor's share of world refining [-].
        strategic: χ_L, the licensor's strategic value share [-].
        banned: 1 if the licensor bans technology exports of the mineral, else 0.
        budget: Licensee's capital for the fee [$m] (inf for non-members).
    """

    gap: Arr | float
    capacity: Arr | float
    refining_cost: Arr | float
    licensee_rate: Arr | float
    licensor_share: Arr | float
    strategic: Arr | float
    banned: Arr | float = 0.0
    budget: Arr | float = np.inf


def tech_gain(gap: float, tau: float) -> float:
    """Technology the licensee gains at level τ."""
    return float(gap) * float(tau) / 5.0


def _value(p: TechParams, tau: Arr, econ: DealEconomics) -> Arr:
    saving = np.multiply(p.refining_cost, 0.5 * np.asarray(p.gap)) * tau / 5.0  # USD/t
    pv = annuity(econ.licence_years, p.licensee_rate)
    return np.asarray(saving * np.multiply(p.capacity, pv) / 1e6, dtype=np.float64)


def full_value(p: TechParams, econ: DealEconomics) -> Arr:
    """F = V(5), the licensee's value of the whole gap [$m] (the fee unit)."""
    return _value(p, np.asarray(5.0), econ)


def licensee_utility(p: TechParams, cols: Columns, econ: DealEconomics) -> Arr:
    """U_E of every outcome [$m]."""
    full = full_value(p, econ)
    value = _value(p, cols["technology"], econ)
    return np.asarray(
        value + (cols["local_content"] * econ.local_content_value - cols["fee"]) * full
    )


def licensor_utility(p: TechParams, cols: Columns, econ: DealEconomics) -> Arr:
    """U_L of every outcome [$m] (−inf for a licensor under a technology-export ban)."""
    full = full_value(p, econ)
    tau, fee, local = cols["technology"], cols["fee"], cols["local_content"]
    value = _value(p, tau, econ)
    direct = (econ.transfer_cost_share * tau / 5.0 + local * econ.local_content_cost) * full
    rents = (econ.rent_loss * np.asarray(p.licensor_share) - np.asarray(p.strategic)) * value
    u = np.asarray(fee * full - direct - rents, dtype=np.float64)
    return np.where(np.asarray(p.banned) > 0, -np.inf, u)


def feasible(p: TechParams, cols: Columns, econ: DealEconomics) -> NDArray[np.bool_]:
    """Fees the licensee can pay."""
    return np.asarray(cols["fee"] * full_value(p, econ) <= np.asarray(p.budget) + 1e-9)
