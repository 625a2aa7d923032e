"""Named tolerances for validation tests, by category (one place, as metafor's tests do).

``rel`` is relative, ``abs`` absolute (used near zero). Issue 2 fixes pairwise results to 1e-6
relative (1e-8 absolute near zero) and Q-profile intervals to 1e-4.
"""

COEF = {"rel": 1e-6, "abs": 1e-8}
SE = {"rel": 1e-6, "abs": 1e-8}
CI = {"rel": 1e-6, "abs": 1e-8}
VAR = {"rel": 1e-6, "abs": 1e-8}
HET = {"rel": 1e-6, "abs": 1e-8}
PVAL = {"rel": 1e-6, "abs": 1e-8}
QPROFILE = {"rel": 1e-4, "abs": 1e-6}
