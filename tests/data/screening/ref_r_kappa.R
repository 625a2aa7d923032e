# Regenerate tests/data/screening/ref_r_kappa.json: Cohen's kappa, its large-sample standard
# error and 95% Wald interval for the agreement tables used by
# tests/validation/test_fleiss1969_kappa.py, from three independent R implementations:
#   * vcd::Kappa (Meyer, Zeileis & Hornik), reported as "ASE";
#   * psych::cohen.kappa (Revelle), reported as var.kappa and confid;
#   * the Fleiss, Cohen & Everitt (1969) formula written out in base R below.
# Run from the repository root:  Rscript tests/data/screening/ref_r_kappa.R
# Packages from Debian bookworm: apt-get install r-cran-vcd r-cran-psych (jsonlite comes with R).
suppressPackageStartupMessages({
  library(vcd)
  library(psych)
  library(jsonlite)
})

tables <- list(
  wikipedia_grant_proposals = matrix(c(20, 5, 10, 15), 2, 2, byrow = TRUE),
  wikipedia_same_agreement_1 = matrix(c(45, 15, 25, 15), 2, 2, byrow = TRUE),
  wikipedia_same_agreement_2 = matrix(c(25, 35, 5, 35), 2, 2, byrow = TRUE),
  delta_getkappa_example = matrix(c(50, 10, 10, 20), 2, 2),
  sas_skin_condition = matrix(c(10, 4, 1, 0,
                                5, 10, 12, 2,
                                2, 4, 12, 5,
                                0, 2, 6, 13), 4, 4, byrow = TRUE),
  seed_review_sample = matrix(c(14, 4, 4, 402), 2, 2, byrow = TRUE),
  three_category_screening = matrix(c(30, 4, 6,
                                      2, 250, 8,
                                      5, 9, 12), 3, 3, byrow = TRUE)
)

# Fleiss, Cohen & Everitt (1969), unweighted: large-sample (non-null) and null variances.
fce <- function(x) {
  n <- sum(x)
  p <- x / n
  r <- rowSums(p)
  cl <- colSums(p)
  po <- sum(diag(p))
  pe <- sum(r * cl)
  k <- (po - pe) / (1 - pe)
  K <- nrow(p)
  s <- 0
  for (i in 1:K) for (j in 1:K) {
    w <- if (i == j) 1 else 0
    s <- s + p[i, j] * (w - (cl[i] + r[j]) * (1 - k))^2
  }
  v <- (s - (k - pe * (1 - k))^2) / (n * (1 - pe)^2)
  v0 <- (pe + pe^2 - sum(r * cl * (r + cl))) / (n * (1 - pe)^2)
  list(kappa = k, se = sqrt(v), se_null = sqrt(v0), po = po, pe = pe, n = n)
}

out <- list()
for (name in names(tables)) {
  x <- tables[[name]]
  vk <- vcd::Kappa(x)
  vci <- confint(vk, level = 0.95)
  pk <- psych::cohen.kappa(x)
  b <- fce(x)
  out[[name]] <- list(
    table = unname(lapply(seq_len(nrow(x)), function(i) x[i, ])),
    n = sum(x),
    vcd = list(call = "vcd::Kappa(x)$Unweighted; confint(vcd::Kappa(x), level = 0.95)",
               kappa = unname(vk$Unweighted["value"]), ase = unname(vk$Unweighted["ASE"]),
               ci_low = unname(vci["Unweighted", "lwr"]),
               ci_high = unname(vci["Unweighted", "upr"])),
    psych = list(call = "psych::cohen.kappa(x)",
                 kappa = pk$kappa, se = sqrt(pk$var.kappa),
                 ci_low = unname(pk$confid[1, "lower"]),
                 ci_high = unname(pk$confid[1, "upper"])),
    base_r_fce1969 = list(call = "fce(x) in this script",
                          kappa = b$kappa, se = b$se, se_null = b$se_null,
                          observed = b$po, expected = b$pe,
                          z = b$kappa / b$se_null,
                          pvalue = 2 * pnorm(-abs(b$kappa / b$se_null)),
                          ci_low = b$kappa - qnorm(0.975) * b$se,
                          ci_high = b$kappa + qnorm(0.975) * b$se)
  )
}

meta <- list(
  generated_by = "tests/data/screening/ref_r_kappa.R",
  r_version = R.version.string,
  packages = list(vcd = as.character(packageVersion("vcd")),
                  psych = as.character(packageVersion("psych")),
                  jsonlite = as.character(packageVersion("jsonlite"))),
  note = paste("Rows of each table are the first reviewer, columns the second.",
               "Confidence intervals are 95% Wald intervals kappa -/+ qnorm(0.975) * se.")
)
writeLines(toJSON(list(meta = meta, tables = out), auto_unbox = TRUE, digits = NA, pretty = TRUE),
           "tests/data/screening/ref_r_kappa.json")
