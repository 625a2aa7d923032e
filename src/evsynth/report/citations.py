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
    "dias2013": "Dias S, Sutton AJ, Ades AE, Welton NJ. Evidence synthesis for decision making 2: "
    "a generalized linear modeling framework for pairwise and network meta-analysis of randomized "
    "controlled trials. Med Decis Making. 2013;33(5):607-617. doi:10.1177/0272989X12458724",
    "dias2011tsd2": "Dias S, Welton NJ, Sutton AJ, Ades AE. NICE DSU Technical Support Document "
    "2: a generalised linear modelling framework for pairwise and network meta-analysis of "
    "randomised controlled trials. Decision Support Unit, ScHARR, University of Sheffield; 2011 "
    "(last updated September 2016).",
    "salanti2011": "Salanti G, Ades AE, Ioannidis JPA. Graphical methods and numerical summaries "
    "for presenting results from multiple-treatment meta-analysis: an overview and tutorial. "
    "J Clin Epidemiol. 2011;64(2):163-171. doi:10.1016/j.jclinepi.2010.03.016",
    "spiegelhalter2002": "Spiegelhalter DJ, Best NG, Carlin BP, van der Linde A. Bayesian "
    "measures of model complexity and fit. J R Stat Soc B. 2002;64(4):583-639. "
    "doi:10.1111/1467-9868.00353",
    "rhodes2015": "Rhodes KM, Turner RM, Higgins JPT. Predictive distributions were developed for "
    "the extent of heterogeneity in meta-analyses of continuous outcome data. J Clin Epidemiol. "
    "2015;68(1):52-60. doi:10.1016/j.jclinepi.2014.08.012",
    "turner2015": "Turner RM, Jackson D, Wei Y, Thompson SG, Higgins JPT. Predictive "
    "distributions for between-study heterogeneity and simple methods for their application in "
    "Bayesian meta-analysis. Stat Med. 2015;34(6):984-998. doi:10.1002/sim.6381",
    "numpyro": "Phan D, Pradhan N, Jankowiak M. Composable effects for flexible and accelerated "
    "probabilistic programming in NumPyro. arXiv:1912.11554; 2019.",
    "tierney1994": "Tierney L. Markov chains for exploring posterior distributions. Ann Stat. "
    "1994;22(4):1701-1728. doi:10.1214/aos/1176325750",
    "rue2009": "Rue H, Martino S, Chopin N. Approximate Bayesian inference for latent Gaussian "
    "models by using integrated nested Laplace approximations. J R Stat Soc Series B Stat "
    "Methodol. 2009;71(2):319-392. doi:10.1111/j.1467-9868.2008.00700.x",
    "vehtari2021": "Vehtari A, Gelman A, Simpson D, Carpenter B, Bürkner PC. Rank-normalization, "
    "folding, and localization: an improved R-hat for assessing convergence of MCMC. Bayesian "
    "Anal. 2021;16(2):667-718. doi:10.1214/20-BA1221",
    # Economic evaluation (each DOI checked against the publisher's or PubMed's record).
    "brazier2002": "Brazier J, Roberts J, Deverill M. The estimation of a preference-based "
    "measure of health from the SF-36. J Health Econ. 2002;21(2):271-292. "
    "doi:10.1016/S0167-6296(01)00130-8",
    "brazier2004": "Brazier JE, Roberts J. The estimation of a preference-based measure of health "
    "from the SF-12. Med Care. 2004;42(9):851-859. doi:10.1097/01.mlr.0000135827.18610.0d",
    "manca2005": "Manca A, Hawkins N, Sculpher MJ. Estimating mean QALYs in trial-based "
    "cost-effectiveness analysis: the importance of controlling for baseline utility. Health "
    "Econ. 2005;14(5):487-496. doi:10.1002/hec.944",
    "cantor1994": "Cantor SB. Cost-effectiveness analysis, extended dominance, and ethics: a "
    "quantitative assessment. Med Decis Making. 1994;14(3):259-265. "
    "doi:10.1177/0272989X9401400308",
    "briggs1997": "Briggs AH, Wonderling DE, Mooney CZ. Pulling cost-effectiveness analysis up by "
    "its bootstraps: a non-parametric approach to confidence interval estimation. Health Econ. "
    "1997;6(4):327-340. doi:10.1002/(SICI)1099-1050(199707)6:4<327::AID-HEC282>3.0.CO;2-W",
    "vanhout1994": "van Hout BA, Al MJ, Gordon GS, Rutten FF. Costs, effects and C/E-ratios "
    "alongside a clinical trial. Health Econ. 1994;3(5):309-319. doi:10.1002/hec.4730030505",
    "fenwick2001": "Fenwick E, Claxton K, Sculpher M. Representing uncertainty: the role of "
    "cost-effectiveness acceptability curves. Health Econ. 2001;10(8):779-787. "
    "doi:10.1002/hec.635",
    "claxton1999": "Claxton K. The irrelevance of inference: a decision-making approach to the "
    "stochastic evaluation of health care technologies. J Health Econ. 1999;18(3):341-364. "
    "doi:10.1016/S0167-6296(98)00039-3",
    # Appraisal and qualitative evidence synthesis.
    "scope2021": "Scope A, Leaviss J, Booth A, et al. The acceptability of primary care or "
    "community-based behavioural interventions for persistent physical symptoms: qualitative "
    "systematic review. Br J Health Psychol. 2021;26(4):1069-1094.",
    "casp2018": "Critical Appraisal Skills Programme. CASP Qualitative Studies Checklist. 2018. "
    "https://casp-uk.net/casp-tools-checklists/",
    "sterne2019": "Sterne JAC, Savović J, Page MJ, et al. RoB 2: a revised tool for assessing "
    "risk of bias in randomised trials. BMJ. 2019;366:l4898. doi:10.1136/bmj.l4898",
    "thomas2008": "Thomas J, Harden A. Methods for the thematic synthesis of qualitative research "
    "in systematic reviews. BMC Med Res Methodol. 2008;8:45. doi:10.1186/1471-2288-8-45",
    "lewin2015": "Lewin S, Glenton C, Munthe-Kaas H, et al. Using qualitative evidence in decision "
    "making for health and social interventions: an approach to assess confidence in findings "
    "from qualitative evidence syntheses (GRADE-CERQual). PLoS Med. 2015;12(10):e1001895. "
    "doi:10.1371/journal.pmed.1001895",
    "lewin2018": "Lewin S, Bohren M, Rashidian A, et al. Applying GRADE-CERQual to qualitative "
    "evidence synthesis findings, paper 2: how to make an overall CERQual assessment of "
    "confidence and create a Summary of Qualitative Findings table. Implement Sci. "
    "2018;13(Suppl 1):10. doi:10.1186/s13012-017-0689-2",
    "munthekaas2018": "Munthe-Kaas H, Bohren MA, Glenton C, et al. Applying GRADE-CERQual to "
    "qualitative evidence synthesis findings, paper 3: how to assess methodological limitations. "
    "Implement Sci. 2018;13(Suppl 1):9. doi:10.1186/s13012-017-0690-9",
}


def cite(keys: list[str]) -> list[tuple[str, str]]:
    """The references for ``keys``, once each, in first-use order."""
    seen: dict[str, str] = {}
    for key in keys:
        if key in REFERENCES and key not in seen:
            seen[key] = REFERENCES[key]
    return list(seen.items())
