# netmeta::netmeta on contrast-level data, timed, with the inconsistency statistics.
#
# Usage: Rscript nma_netmeta.R INPUT.csv REFERENCE REPEATS
#   INPUT.csv  netmeta's columns studlab, treat1, treat2, TE, seTE
# For method.tau "DL" and "REML": REPEATS fits of netmeta(), each followed by decomp.design()
# and netsplit() (what evsynth computes in every call), timed with system.time. Prints one line
# of JSON: per method, seconds per fit, tau^2, Q_inconsistency and the random-effects estimates
# of every treatment versus REFERENCE; and the netmeta version. Exits with status 3 when netmeta
# is not installed. Part of benchmarks/bench_nma.py; R is never a dependency of evsynth.

args <- commandArgs(trailingOnly = TRUE)
if (length(args) < 3) stop("usage: Rscript nma_netmeta.R INPUT.csv REFERENCE REPEATS")
if (!requireNamespace("netmeta", quietly = TRUE)) quit(status = 3)
input <- args[[1]]
reference <- args[[2]]
repeats <- as.integer(args[[3]])
suppressPackageStartupMessages(library(netmeta))
dat <- read.csv(input, stringsAsFactors = FALSE)

num <- function(x) paste(sprintf("%.17g", x), collapse = ", ")
txt <- function(x) paste(sprintf('"%s"', x), collapse = ", ")
parts <- character(0)
for (method in c("DL", "REML")) {
  run <- function() {
    fit <- netmeta(TE, seTE, treat1, treat2, studlab, data = dat, reference.group = reference,
                   method.tau = method)
    decomp.design(fit)
    netsplit(fit)
    fit
  }
  fit <- run()
  timing <- system.time(for (i in seq_len(repeats)) fit <- run())
  others <- fit$trts[fit$trts != reference]
  parts <- c(parts, sprintf(
    '"%s": {"seconds_per_fit": %.6f, "tau2": %.17g, "Q_inconsistency": %.17g, "treatments": [%s], "estimate": [%s], "se": [%s]}',
    method, timing[["elapsed"]] / repeats, fit$tau2, fit$Q.inconsistency, txt(others),
    num(fit$TE.random[others, reference]), num(fit$seTE.random[others, reference])
  ))
}
cat(sprintf('{%s, "netmeta": "%s"}\n', paste(parts, collapse = ", "),
            as.character(packageVersion("netmeta"))))
