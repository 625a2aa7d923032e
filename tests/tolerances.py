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

# Network meta-analysis against netmeta 3.3-1 (tests/validation/test_netmeta_*.py): 1e-6
# relative, as pairwise results.
NMA = {"rel": 1e-6, "abs": 1e-8}
# REML tau^2 comes from metafor's rma.mv (netmeta calls it), whose optimiser stops about 1e-6
# relative from the exact maximum evsynth finds; tau^2 and every random-effects result computed
# from it are held to 1e-5 relative (1e-6 absolute near zero), the REML tolerance.
REML = {"rel": 1e-5, "abs": 1e-6}
