# Contrast-based random-effects network meta-analysis with metafor::rma.mv, timed.
#
# Usage: Rscript nma_rma_mv.R INPUT.csv REFERENCE REPEATS
#   INPUT.csv  contrast-level data, netmeta's columns studlab, treat1, treat2, TE, seTE (TE is
#              treat1 versus treat2; a multi-arm study gives all its pairwise contrasts)
# Prints one line of JSON to stdout: seconds per fit (system.time around REPEATS fits, elapsed
# and user, divided by REPEATS), the estimates of every treatment versus REFERENCE with their
# standard errors, tau^2, QE, and the R and metafor versions.
#
# Model (the one netmeta 3.3-1 fits for method.tau = "REML"): each study's contrasts against
# its baseline arm (its first treatment in sorted order), with the multi-arm sampling
# covariance (v_AB + v_AC - v_BC) / 2 between contrasts sharing the baseline, a common tau^2
# and correlation 1/2 between a study's random effects (random = ~ comp | study, rho = 1/2),
# and treatment effects versus REFERENCE as fixed effects. Data preparation is outside the
# timed loop. Part of benchmarks/bench_nma.py; R is never a dependency of evsynth.

args <- commandArgs(trailingOnly = TRUE)
if (length(args) < 3) stop("usage: Rscript nma_rma_mv.R INPUT.csv REFERENCE REPEATS")
input <- args[[1]]
reference <- args[[2]]
repeats <- as.integer(args[[3]])

suppressPackageStartupMessages(library(metafor))

dat <- read.csv(input, stringsAsFactors = FALSE)
trts <- sort(unique(c(dat$treat1, dat$treat2)))
rows <- list()
blocks <- list()
for (s in unique(dat$studlab)) {
  d <- dat[dat$studlab == s, ]
  arms <- sort(unique(c(d$treat1, d$treat2)))
  base <- arms[1]
  others <- arms[-1]
  v <- function(a, b) {
    d$seTE[(d$treat1 == a & d$treat2 == b) | (d$treat1 == b & d$treat2 == a)]^2
  }
  te <- function(a, b) {
    i <- which(d$treat1 == a & d$treat2 == b)
    if (length(i) == 1) d$TE[i] else -d$TE[d$treat1 == b & d$treat2 == a]
  }
  p <- length(others)
  V <- matrix(0, p, p)
  for (i in seq_len(p)) {
    for (j in seq_len(p)) {
      V[i, j] <- if (i == j) v(others[i], base) else
        (v(others[i], base) + v(others[j], base) - v(others[i], others[j])) / 2
    }
  }
  blocks[[length(blocks) + 1]] <- V
  rows[[length(rows) + 1]] <- data.frame(
    study = s, comp = others, base = base,
    yi = vapply(others, function(a) te(a, base), numeric(1))
  )
}
long <- do.call(rbind, rows)
V <- bldiag(blocks)
X <- matrix(0, nrow(long), length(trts), dimnames = list(NULL, trts))
X[cbind(seq_len(nrow(long)), match(long$comp, trts))] <- 1
X[cbind(seq_len(nrow(long)), match(long$base, trts))] <- -1
X <- X[, trts != reference, drop = FALSE]

fit_once <- function() {
  rma.mv(long$yi, V, mods = X, intercept = FALSE, random = ~ comp | study, rho = 1 / 2,
         method = "REML", data = long)
}
fit <- fit_once()  # warm-up (and the fit reported)
timing <- system.time(for (i in seq_len(repeats)) fit <- fit_once())

num <- function(x) paste(sprintf("%.17g", x), collapse = ", ")
txt <- function(x) paste(sprintf('"%s"', x), collapse = ", ")
cat(sprintf(paste0(
  '{"seconds_per_fit": %.9f, "user_per_fit": %.9f, "repeats": %d, "treatments": [%s], ',
  '"estimate": [%s], "se": [%s], "tau2": %.17g, "QE": %.17g, "R": "%s", "metafor": "%s"}\n'),
  timing[["elapsed"]] / repeats, timing[["user.self"]] / repeats, repeats,
  txt(colnames(X)), num(as.vector(fit$beta)), num(fit$se), fit$tau2, fit$QE,
  paste(R.version$major, R.version$minor, sep = "."), as.character(packageVersion("metafor"))
))
