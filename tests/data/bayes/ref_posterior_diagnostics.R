# Regenerates ref_posterior_diagnostics.json: convergence diagnostics computed by the R package
# posterior 1.4.0 (Vehtari, Gelman, Simpson, Carpenter, Buerkner 2021, Bayesian Analysis
# 16:667-718, doi:10.1214/20-BA1221) on pinned draws, for tests/unit/nma_bayes/test_mcmc_diagnostics.py.
#
#   Rscript tests/data/bayes/ref_posterior_diagnostics.R tests/data/bayes
#
# Draw sets (all written as CSV next to this script, or read from there):
#   jags:    bayes_smoking_RE_jags_draws.csv (copy of /work/shared/reference/bayes/), 6,000
#            joint draws of d[2], d[3], d[4], sd, read as 3 chains x 2,000 in file order.
#   ar1:     ref_diagnostics_ar1.csv, 4 chains x 1,000 of a stationary AR(1) series with
#            autocorrelation 0.9 (set.seed(20250)); strongly autocorrelated, so the ESS
#            recursion runs over many lags.
#   shifted: the same ar1 series with chain 4 shifted by +1 (an unconverged run: R-hat > 1.01).
#   heavy:   ref_diagnostics_ar1.csv column heavy: AR(1) (0.5) of t_3 innovations (tails).
suppressPackageStartupMessages({library(posterior); library(jsonlite)})
args <- commandArgs(trailingOnly = TRUE)
dir <- if (length(args) >= 1) args[1] else "."

set.seed(20250)
ar1 <- function(n, rho, innov) {
  x <- numeric(n)
  x[1] <- innov[1] / sqrt(1 - rho^2)
  for (t in 2:n) x[t] <- rho * x[t - 1] + innov[t]
  x
}
n_chain <- 4; n_iter <- 1000
sim <- do.call(rbind, lapply(1:n_chain, function(ch) {
  data.frame(chain = ch, iteration = 1:n_iter,
             ar1 = ar1(n_iter, 0.9, rnorm(n_iter)),
             heavy = ar1(n_iter, 0.5, rt(n_iter, df = 3)))
}))
write.csv(sim, file.path(dir, "ref_diagnostics_ar1.csv"), row.names = FALSE)

as_matrix <- function(values, chains) matrix(values, ncol = chains)  # iterations x chains
stats_of <- function(x) {
  list(rhat = rhat(x), ess_bulk = ess_bulk(x), ess_tail = ess_tail(x),
       ess_mean = ess_mean(x), ess_q05 = ess_quantile(x, 0.05)[[1]],
       ess_q95 = ess_quantile(x, 0.95)[[1]], mcse_mean = mcse_mean(x), mcse_sd = mcse_sd(x),
       mcse_q2.5 = mcse_quantile(x, 0.025)[[1]], mcse_q97.5 = mcse_quantile(x, 0.975)[[1]])
}

jags <- read.csv(file.path(dir, "bayes_smoking_RE_jags_draws.csv"), check.names = FALSE)
out <- list(
  software = list(R = R.version.string, posterior = as.character(packageVersion("posterior"))),
  call = "Rscript tests/data/bayes/ref_posterior_diagnostics.R tests/data/bayes",
  layout = "each set: draws as an iterations x chains matrix, chains in file order",
  jags = lapply(jags[c("d[2]", "d[3]", "d[4]", "sd")], function(v) stats_of(as_matrix(v, 3))),
  ar1 = stats_of(as_matrix(sim$ar1, n_chain)),
  heavy = stats_of(as_matrix(sim$heavy, n_chain)),
  shifted = stats_of(as_matrix(sim$ar1 + ifelse(sim$chain == 4, 1, 0), n_chain))
)
write_json(out, file.path(dir, "ref_posterior_diagnostics.json"), auto_unbox = TRUE,
           digits = NA, pretty = TRUE)
