"""References for the methods a report used, so its Methods section cites what ran."""

from __future__ import annotations

REFERENCES: dict[str, str] = {
    "prisma2020": "Page MJ, McKenzie JE, Bossuyt PM, et al. The PRISMA 2020 statement: an updated "
    "guideline for reporting systematic reviews. BMJ. 2021;372:n71. doi:10.1136/bmj.n71",
    "cohen1960": "Cohen J. A coefficient of agreement for nominal scales. Educ Psychol Meas. "
    "1960;20(1):37-46. doi:10.1177/001316446002000104",
    "fleiss1969": "Fleiss JL, Cohen J, Everitt BS. Large sample standard errors of kappa and "
    "weighted kappa. Psychol Bull. 1969;72(5):323-327. doi:10.1037/h0028106",
    "metafor": "Viechtbauer W. Conducting meta-analyses in R with the metafor package. "
    "J Stat Softw. 2010;36(3):1-48. doi:10.18637/jss.v036.i03",
    "hedges1981": "Hedges LV. Distribution theory for Glass's estimator of effect size and "
    "related estimators. J Educ Stat. 1981;6(2):107-128. doi:10.3102/10769986006002107",
    "REML": "Viechtbauer W. Bias and efficiency of meta-analytic variance estimators in the "
    "random-effects model. J Educ Behav Stat. 2005;30(3):261-293. doi:10.3102/10769986030003261",
    "DL": "DerSimonian R, Laird N. Meta-analysis in clinical trials. Control Clin Trials. "
    "1986;7(3):177-188. doi:10.1016/0197-2456(86)90046-2",
    "PM": "Paule RC, Mandel J. Consensus values and weighting factors. J Res Natl Bur Stand. "
    "1982;87(5):377-385. doi:10.6028/jres.087.022",
    "SJ": "Sidik K, Jonkman JN. Simple heterogeneity variance estimation for meta-analysis. "
    "J R Stat Soc C. 2005;54(2):367-384. doi:10.1111/j.1467-9876.2005.00489.x",
    "HE": "Hedges LV, Olkin I. Statistical Methods for Meta-Analysis. Academic Press; 1985.",
    "HS": "Hunter JE, Schmidt FL. Methods of Meta-Analysis. 2nd ed. Sage; 2004.",
    "ML": "Hardy RJ, Thompson SG. A likelihood approach to meta-analysis with random effects. "
    "Stat Med. 1996;15(6):619-629.",
    "EB": "Morris CN. Parametric empirical Bayes inference: theory and applications. J Am Stat "
    "Assoc. 1983;78(381):47-55. doi:10.1080/01621459.1983.10477920",
    "knha": "Knapp G, Hartung J. Improved tests for a random effects meta-regression with a "
    "single covariate. Stat Med. 2003;22(17):2693-2710. doi:10.1002/sim.1482",
    "qprofile": "Viechtbauer W. Confidence intervals for the amount of heterogeneity in "
    "meta-analysis. Stat Med. 2007;26(1):37-52. doi:10.1002/sim.2514",
    "i2": "Higgins JPT, Thompson SG. Quantifying heterogeneity in a meta-analysis. Stat Med. "
    "2002;21(11):1539-1558. doi:10.1002/sim.1186",
    "hts": "Higgins JPT, Thompson SG, Spiegelhalter DJ. A re-evaluation of random-effects "
    "meta-analysis. J R Stat Soc A. 2009;172(1):137-159. doi:10.1111/j.1467-985X.2008.00552.x",
    "egger": "Egger M, Davey Smith G, Schneider M, Minder C. Bias in meta-analysis detected by "
    "a simple, graphical test. BMJ. 1997;315(7109):629-634. doi:10.1136/bmj.315.7109.629",
    "lopez2019": "López-López JA, Davies SR, Caldwell DM, et al. The process and delivery of CBT "
    "for depression in adults: a systematic review and network meta-analysis. Psychol Med. "
    "2019;49(12):1937-1947. doi:10.1017/S003329171900120X",
    "netmeta": "Balduzzi S, Rücker G, Nikolakopoulou A, et al. netmeta: an R package for network "
    "meta-analysis using frequentist methods. J Stat Softw. 2023;106(2):1-40. "
    "doi:10.18637/jss.v106.i02",
    "rucker2012": "Rücker G. Network meta-analysis, electrical networks and graph theory. Res "
    "Synth Methods. 2012;3(4):312-324. doi:10.1002/jrsm.1058",
    "rucker2014": "Rücker G, Schwarzer G. Reduce dimension or reduce weights? Comparing two "
    "approaches to multi-arm studies in network meta-analysis. Stat Med. 2014;33(25):4353-4369. "
    "doi:10.1002/sim.6236",
    "jackson2012": "Jackson D, White IR, Riley RD. Quantifying the impact of between-study "
    "heterogeneity in multivariate meta-analyses. Stat Med. 2012;31(29):3805-3820. "
    "doi:10.1002/sim.5453",
    "krahn2013": "Krahn U, Binder H, König J. A graphical tool for locating inconsistency in "
    "network meta-analyses. BMC Med Res Methodol. 2013;13:35. doi:10.1186/1471-2288-13-35",
    "higgins2012": "Higgins JPT, Jackson D, Barrett JK, Lu G, Ades AE, White IR. Consistency and "
    "inconsistency in network meta-analysis: concepts and models for multi-arm studies. Res "
    "Synth Methods. 2012;3(2):98-110. doi:10.1002/jrsm.1044",
    "dias2010": "Dias S, Welton NJ, Caldwell DM, Ades AE. Checking consistency in mixed treatment "
    "comparison meta-analysis. Stat Med. 2010;29(7-8):932-944. doi:10.1002/sim.3767",
    "konig2013": "König J, Krahn U, Binder H. Visualizing the flow of evidence in network "
    "meta-analysis and characterizing mixed treatment comparisons. Stat Med. "
    "2013;32(30):5414-5429. doi:10.1002/sim.6001",
    "rucker2015": "Rücker G, Schwarzer G. Ranking treatments in frequentist network "
    "meta-analysis works without resampling methods. BMC Med Res Methodol. 2015;15:58. "
    "doi:10.1186/s12874-015-0060-8",
}


def cite(keys: list[str]) -> list[tuple[str, str]]:
    """The references for ``keys``, once each, in first-use order."""
    seen: dict[str, str] = {}
    for key in keys:
        if key in REFERENCES and key not in seen:
            seen[key] = REFERENCES[key]
    return list(seen.items())
