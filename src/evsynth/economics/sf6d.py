"""SF-6D health states and utilities from SF-36 and SF-12 item responses (array kernels).

The SF-6D describes health on six dimensions: physical functioning (PF), role limitation (RL),
social functioning (SF), bodily pain (PAIN), mental health (MH) and vitality (VIT), level 1
being the best. Two UK value sets are implemented:

* ``"sf36"``: Brazier J, Roberts J, Deverill M (2002). The estimation of a preference-based
  measure of health from the SF-36. J Health Econ 21(2):271-292,
  doi:10.1016/S0167-6296(01)00130-8 (18,000 states from 11 SF-36 items);
* ``"sf12"``: Brazier JE, Roberts J (2004). The estimation of a preference-based measure of
  health from the SF-12. Med Care 42(9):851-859, doi:10.1097/01.mlr.0000135827.18610.0d
  (7,500 states from 7 SF-12 items).

Each utility is one minus the decrements of the six levels, minus the MOST term when any
dimension is at one of its most severe levels:

.. math::

    u = 1 - \\sum_{d \\in \\{PF, RL, SF, PAIN, MH, VIT\\}} \\delta_d(\\ell_d)
          - \\delta_{MOST}\\,\\mathbb{1}\\left[\\exists d: \\ell_d \\ge m_d\\right]

The decrements :math:`\\delta_d` and thresholds :math:`m_d` are those of
``tests/data/economics/sf6d_tables.json`` (pinned from the project's outside references, which
give the sources). One point is unresolved in published implementations of the SF-12 set:
whether vitality level 4 triggers the MOST term. The SF-6D SF-12 syntax used by the German SOEP
(Himmler & Stoeckel) applies it at vitality 4 or 5, as the SF-36 set does; the R package
SF6Dvalues applies it at level 5 only. evsynth follows the former by default
(``sf12_most_vitality=4``) and offers the latter as ``sf12_most_vitality=5``.

The SF-6D and its algorithms are owned by the University of Sheffield, which licenses their use
(free for non-commercial research; a licence is needed for commercial use). evsynth implements
the published value sets so that results can be checked; users remain responsible for holding
the licence their use requires.

Items are given as float arrays with ``nan`` for a missing answer, already checked to lie in
their response range (the labelled layer, :mod:`evsynth.economics.api`, checks them and names
the row and column). **Missing items.** A dimension's level is computed when the answered items
fix it whatever the missing ones would have been (e.g. PAIN is level 1 when item 7 says no pain,
whatever item 8 says; MH is level 5 when either of its items says "all of the time"); otherwise
the level is missing. A state with any missing level has no utility (``nan``): the SF-6D is
never scored from a partial state, and nothing is imputed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

DIMENSIONS: tuple[str, ...] = ("PF", "RL", "SF", "PAIN", "MH", "VIT")
INSTRUMENTS: tuple[str, ...] = ("sf36", "sf12")
VERSIONS: tuple[int, ...] = (1, 2)


@dataclass(frozen=True, slots=True)
class ValueSet:
    """One SF-6D value set: decrements by level (level 1 first) and the MOST rule."""

    name: str
    instrument: str
    decrements: Mapping[str, tuple[float, ...]]
    most: float
    most_levels: Mapping[str, int]  # the lowest level of each dimension that triggers MOST
    reference: str

    def n_levels(self, dimension: str) -> int:
        return len(self.decrements[dimension])


SF36_UK_2002 = ValueSet(
    name="sf36_uk_2002",
    instrument="sf36",
    decrements={
        "PF": (0.0, 0.053, 0.011, 0.040, 0.054, 0.111),
        "RL": (0.0, 0.053, 0.055, 0.050),
        "SF": (0.0, 0.055, 0.067, 0.070, 0.087),
        "PAIN": (0.0, 0.047, 0.025, 0.056, 0.091, 0.167),
        "MH": (0.0, 0.049, 0.042, 0.109, 0.128),
        "VIT": (0.0, 0.086, 0.061, 0.054, 0.091),
    },
    most=0.070,
    most_levels={"PF": 4, "RL": 3, "SF": 4, "PAIN": 5, "MH": 4, "VIT": 4},
    reference="Brazier, Roberts & Deverill (2002), J Health Econ 21:271-292",
)

SF12_UK_2004 = ValueSet(
    name="sf12_uk_2004",
    instrument="sf12",
    decrements={
        "PF": (0.0, 0.0, 0.045),
        "RL": (0.0, 0.063, 0.063, 0.063),
        "SF": (0.0, 0.063, 0.066, 0.081, 0.093),
        "PAIN": (0.0, 0.0, 0.042, 0.077, 0.137),
        "MH": (0.0, 0.059, 0.059, 0.113, 0.134),
        "VIT": (0.0, 0.078, 0.078, 0.078, 0.106),
    },
    most=0.077,
    most_levels={"PF": 3, "RL": 3, "SF": 4, "PAIN": 4, "MH": 4, "VIT": 4},
    reference="Brazier & Roberts (2004), Med Care 42:851-859",
)

VALUE_SETS: dict[str, ValueSet] = {"sf36": SF36_UK_2002, "sf12": SF12_UK_2004}

# Items each instrument's SF-6D uses (SF-36 and SF-12 numbering), and the response range of each
# by questionnaire version: (lowest, highest) code.
SF36_ITEMS: tuple[str, ...] = ("3a", "3b", "3j", "4c", "5b", "10", "7", "8", "9b", "9f", "9e")
SF12_ITEMS: tuple[str, ...] = ("2a", "3b", "4a", "5", "6b", "6c", "7")
ITEM_RANGES: dict[tuple[str, int], dict[str, tuple[int, int]]] = {
    ("sf36", 1): {
        "3a": (1, 3), "3b": (1, 3), "3j": (1, 3), "4c": (1, 2), "5b": (1, 2), "10": (1, 5),
        "7": (1, 6), "8": (1, 5), "9b": (1, 6), "9f": (1, 6), "9e": (1, 6),
    },
    ("sf36", 2): {
        "3a": (1, 3), "3b": (1, 3), "3j": (1, 3), "4c": (1, 5), "5b": (1, 5), "10": (1, 5),
        "7": (1, 6), "8": (1, 5), "9b": (1, 5), "9f": (1, 5), "9e": (1, 5),
    },
    ("sf12", 1): {
        "2a": (1, 3), "3b": (1, 2), "4a": (1, 2), "5": (1, 5), "6b": (1, 6), "6c": (1, 6),
        "7": (1, 5),
    },
    ("sf12", 2): {
        "2a": (1, 3), "3b": (1, 5), "4a": (1, 5), "5": (1, 5), "6b": (1, 5), "6c": (1, 5),
        "7": (1, 5),
    },
}  # fmt: skip

# The SF-12 items are SF-36 items (same wording and response options within a version), so an
# SF-36 also yields the SF-12 SF-6D (e.g. as a sensitivity analysis).
SF12_FROM_SF36: dict[str, str] = {
    "2a": "3b",  # moderate activities
    "3b": "4c",  # limited in the kind of work (physical health)
    "4a": "5b",  # accomplished less (emotional problems)
    "5": "8",  # pain interfered with normal work
    "6b": "9e",  # a lot of energy
    "6c": "9f",  # downhearted and low (blue)
    "7": "10",  # social activities, how much of the time
}

_NAN = np.nan


def _lookup(values: FloatArray, table: tuple[float, ...]) -> FloatArray:
    """``table[code]`` for each code (codes index ``table`` directly); ``nan`` stays ``nan``."""
    lut = np.asarray(table, dtype=np.float64)
    known = np.isfinite(values)
    codes = np.where(known, values, 0.0).astype(np.intp)
    return np.where(known, lut[codes], _NAN)


# Response code -> SF-6D level, indexed by the code (index 0 unused).
# "How much of the time" items with six options (version 1: all, most, a good bit, some, a little,
# none): "a good bit" is coded as "most", as in Brazier's SF-6D syntax.
_TIME_LOW_IS_GOOD = {1: (_NAN, 5, 4, 4, 3, 2, 1), 2: (_NAN, 5, 4, 3, 2, 1)}  # MH: feeling low
_TIME_HIGH_IS_GOOD = {1: (_NAN, 1, 2, 2, 3, 4, 5), 2: (_NAN, 1, 2, 3, 4, 5)}  # VIT: energy
# Role items: version 1 yes (1) / no (2); version 2 all (1) ... none (5) of the time, where any
# answer but "none of the time" is a limitation (as Brazier & Roberts's SF-12v2 syntax).
_ROLE_LIMITED = {1: (_NAN, 1, 0), 2: (_NAN, 1, 1, 1, 1, 0)}


def _role(physical: FloatArray, emotional: FloatArray, version: int) -> FloatArray:
    """RL level from the physical and emotional role items.

    .. math::

        RL = 1 + p + 2e,\\quad p, e \\in \\{0, 1\\}

    (1 none, 2 physical only, 3 emotional only, 4 both).
    """
    p = _lookup(physical, _ROLE_LIMITED[version])
    e = _lookup(emotional, _ROLE_LIMITED[version])
    return 1.0 + p + 2.0 * e


def _worst_of(a: FloatArray, b: FloatArray, worst: float) -> FloatArray:
    """The worse (higher) of two levels; known when one of them is already the worst level."""
    both = np.fmax(a, b)
    either_missing = ~(np.isfinite(a) & np.isfinite(b))
    determined = (a == worst) | (b == worst)
    return np.where(either_missing & ~determined, _NAN, both)


def sf36_levels(items: Mapping[str, FloatArray], version: int = 1) -> FloatArray:
    """SF-6D levels (n, 6) from SF-36 items, Brazier, Roberts & Deverill (2002), Table 1.

    Parameters
    ----------
    items : mapping of str to array
        The 11 items of :data:`SF36_ITEMS` (``"3a"``, ``"3b"``, ..., ``"9e"``), float codes with
        ``nan`` for a missing answer.
    version : {1, 2}
        SF-36 version 1 (role items yes/no; six-option mental-health items) or version 2 (five
        options each).

    Notes
    -----
    PF: 6 if bathing/dressing (3j) is limited a lot, 5 if a little, else 4 if moderate
    activities (3b) are limited a lot, 3 if a little, else 2 if vigorous activities (3a) are
    limited, else 1. RL from 4c (physical) and 5b (emotional). SF = 6 - item 10. PAIN = 1 if
    item 7 is "none", else 1 + item 8. MH: the worse of 9b and 9f. VIT from 9e.
    """
    a, b, j = items["3a"], items["3b"], items["3j"]
    pf = np.select(
        [j == 1, j == 2, (j == 3) & (b == 1), (j == 3) & (b == 2), (j == 3) & (b == 3) & (a < 3)],
        [6.0, 5.0, 4.0, 3.0, 2.0],
        default=_NAN,
    )
    pf = np.where((j == 3) & (b == 3) & (a == 3), 1.0, pf)
    rl = _role(items["4c"], items["5b"], version)
    sf = 6.0 - items["10"]
    pain_item, interference = items["7"], items["8"]
    pain = np.where(pain_item == 1, 1.0, np.where(pain_item > 1, 1.0 + interference, _NAN))
    mh = _worst_of(
        _lookup(items["9b"], _TIME_LOW_IS_GOOD[version]),
        _lookup(items["9f"], _TIME_LOW_IS_GOOD[version]),
        worst=5.0,
    )
    vit = _lookup(items["9e"], _TIME_HIGH_IS_GOOD[version])
    return np.column_stack([pf, rl, sf, pain, mh, vit]).astype(np.float64)


def sf12_levels(items: Mapping[str, FloatArray], version: int = 1) -> FloatArray:
    """SF-6D levels (n, 6) from SF-12 items, Brazier & Roberts (2004), Table 1.

    Parameters
    ----------
    items : mapping of str to array
        The 7 items of :data:`SF12_ITEMS` (``"2a"``, ``"3b"``, ``"4a"``, ``"5"``, ``"6b"``,
        ``"6c"``, ``"7"``), float codes with ``nan`` for a missing answer.
    version : {1, 2}
        SF-12 version 1 (role items yes/no; six-option mental-health items) or version 2.

    Notes
    -----
    PF = 4 - item 2a (moderate activities); RL from 3b (physical) and 4a (emotional); SF = 6 -
    item 7; PAIN = item 5 (interference); MH from 6c (downhearted and low); VIT from 6b (energy).
    """
    pf = 4.0 - items["2a"]
    rl = _role(items["3b"], items["4a"], version)
    sf = 6.0 - items["7"]
    pain = np.asarray(items["5"], dtype=np.float64)
    mh = _lookup(items["6c"], _TIME_LOW_IS_GOOD[version])
    vit = _lookup(items["6b"], _TIME_HIGH_IS_GOOD[version])
    return np.column_stack([pf, rl, sf, pain, mh, vit]).astype(np.float64)


def most_thresholds(instrument: str, sf12_most_vitality: int = 4) -> tuple[int, ...]:
    """The lowest level of each dimension (PF ... VIT) that triggers the MOST term."""
    value_set = VALUE_SETS[instrument]
    levels = dict(value_set.most_levels)
    if instrument == "sf12":
        levels["VIT"] = int(sf12_most_vitality)
    return tuple(levels[d] for d in DIMENSIONS)


def sf6d_utility(
    levels: FloatArray, instrument: str, *, sf12_most_vitality: int = 4
) -> tuple[FloatArray, NDArray[np.bool_]]:
    """Utilities and MOST flags of SF-6D states (rows of ``levels``, ``nan`` where unknown).

    .. math::

        u_i = 1 - \\sum_d \\delta_d(\\ell_{id}) - \\delta_{MOST}\\,
              \\mathbb{1}\\left[\\exists d: \\ell_{id} \\ge m_d\\right]

    Parameters
    ----------
    levels : array, shape (n, 6)
        Levels of PF, RL, SF, PAIN, MH, VIT (1 = best), ``nan`` where unknown.
    instrument : {"sf36", "sf12"}
        Value set: Brazier, Roberts & Deverill (2002) or Brazier & Roberts (2004).
    sf12_most_vitality : {4, 5}
        For the SF-12 set, the lowest vitality level that triggers the MOST term: 4 (levels 4-5,
        as the SF-36 set and the SOEP SF-12 syntax; the default) or 5 (level 5 only, as the R
        package SF6Dvalues).

    Returns
    -------
    utility : array, shape (n,)
        ``nan`` for a state with any unknown level.
    most : bool array, shape (n,)
        Whether the MOST term applied (False for an incomplete state).

    Examples
    --------
    >>> u, most = sf6d_utility(np.array([[3.0, 2, 2, 4, 3, 2], [6, 4, 5, 6, 5, 5]]), "sf36")
    >>> [round(float(x), 3) for x in u], most.tolist()
    ([0.697, 0.296], [False, True])
    """
    value_set = VALUE_SETS[instrument]
    states = np.asarray(levels, dtype=np.float64)
    total = np.zeros(states.shape[0])
    for column, dimension in enumerate(DIMENSIONS):
        table = (_NAN, *value_set.decrements[dimension])
        total = total + _lookup(states[:, column], table)
    threshold = np.asarray(most_thresholds(instrument, sf12_most_vitality), dtype=np.float64)
    complete = np.isfinite(states).all(axis=1)
    most: NDArray[np.bool_] = np.asarray(complete & (states >= threshold).any(axis=1), dtype=bool)
    utility = np.where(complete, 1.0 - total - value_set.most * most, _NAN)
    # Every decrement has three decimals, so rounding to three removes only floating-point
    # error (0.6970000000000001 becomes 0.697) and changes no utility.
    return np.round(utility, 3).astype(np.float64), most


def state_codes(levels: FloatArray) -> list[str | None]:
    """Six-digit state codes (``"322432"``), None for an incomplete state."""
    out: list[str | None] = []
    for row in np.asarray(levels, dtype=np.float64):
        out.append("".join(str(int(v)) for v in row) if np.isfinite(row).all() else None)
    return out
