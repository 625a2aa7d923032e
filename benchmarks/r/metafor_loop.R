# Fit one metafor::rma() per analysis in a long-format CSV and time only the loop.
#
# Usage: Rscript metafor_loop.R INPUT.csv OUTPUT.csv [METHOD]
#   INPUT.csv  columns analysis, study, effect, variance (as bench_meta_batch.py writes them)
#   OUTPUT.csv columns analysis, estimate, tau2 (17 significant digits; NA where rma() failed)
# Prints one line of JSON to stdout: elapsed and user seconds of the loop (system.time), the
# number of fits and failures, and the R and metafor versions.
# Part of the benchmark in benchmarks/bench_meta_batch.py; R is never a dependency of evsynth.

args <- commandArgs(trailingOnly = TRUE)
if (length(args) < 2) stop("usage: Rscript metafor_loop.R INPUT.csv OUTPUT.csv [METHOD]")
input <- args[[1]]
output <- args[[2]]
method <- if (length(args) >= 3) args[[3]] else "REML"

suppressPackageStartupMessages(library(metafor))

dat <- read.csv(input, colClasses = c("integer", "integer", "numeric", "numeric"))
effect <- split(dat$effect, dat$analysis)
variance <- split(dat$variance, dat$analysis)
n <- length(effect)
estimate <- rep(NA_real_, n)
tau2 <- rep(NA_real_, n)

timing <- system.time(
  for (i in seq_len(n)) {
    fit <- tryCatch(rma(effect[[i]], variance[[i]], method = method), error = function(e) NULL)
    if (!is.null(fit)) {
      estimate[i] <- fit$beta[1]
      tau2[i] <- fit$tau2
    }
  }
)

out <- data.frame(
  analysis = as.integer(names(effect)),
  estimate = sprintf("%.17g", estimate),
  tau2 = sprintf("%.17g", tau2)
)
write.csv(out, output, row.names = FALSE, quote = FALSE)
cat(sprintf(
  '{"elapsed": %.6f, "user": %.6f, "fits": %d, "failed": %d, "R": "%s", "metafor": "%s"}\n',
  timing[["elapsed"]], timing[["user.self"]], n, sum(is.na(estimate)),
  paste(R.version$major, R.version$minor, sep = "."), as.character(packageVersion("metafor"))
))
