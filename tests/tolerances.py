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

# Economic evaluation (tests/validation/test_brazier_sf6d.py, test_bcea_vaccine.py, ...).
# SF-6D utilities are one minus sums of three-decimal decrements, so they are exact up to
# floating point: held to 1e-12 absolute.
SF6D = {"rel": 0.0, "abs": 1e-12}
# Values the references print to six decimals (README: EIB 1.228428, EVPI 2.414467): within
# half a unit of the sixth decimal.
DECIMALS_6 = {"rel": 0.0, "abs": 5e-7}
# The JSON's vaccine ICER (20097.59498500258) and INB (1.228427) differ from the exact means of
# the pinned CSV draws (20097.591478, 1.2284281) by 1.7e-7 and 8.6e-7 relative; the README's own
# figures (ICER 20097.59, EIB 1.228428) match the CSV. 1e-6 relative covers the JSON's values.
PUBLISHED_ECON = {"rel": 1e-6, "abs": 1e-9}
# Hand-computed values (trapezia, dominance, net benefit): floating point only.
EXACT = {"rel": 1e-12, "abs": 1e-12}
# Values printed to two and to nine decimals (the vaccine README's ICER 20097.59; its mean
# effects -0.000805370 and -0.001055946): half a unit of the last decimal.
DECIMALS_2 = {"rel": 0.0, "abs": 5e-3}
DECIMALS_9 = {"rel": 0.0, "abs": 5e-10}
# Two routes to one least-squares fit (lstsq against closed forms, ANCOVA means against the
# regression): they agree to about 1e-13; 1e-10 relative leaves room for conditioning.
LINALG = {"rel": 1e-10, "abs": 1e-12}
# Means over draws summed in another order (vectorised kernel against a loop): the EVPI is a
# difference of means of net benefits near 1e4, so rounding reaches about 1e-11 absolute.
SUMMATION = {"rel": 1e-10, "abs": 1e-9}
