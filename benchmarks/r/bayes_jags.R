# NICE DSU TSD2 random-effects NMA in JAGS through rjags, timed; part of benchmarks/bench_bayes.py.
#
# Usage: Rscript bayes_jags.R MODEL INPUT.csv DRAWS.csv CHAINS ADAPT BURNIN ITER SEED
#   MODEL   "binomial": arm-level columns studyn, trtn, r, n (TSD2 programme 1: binomial
#           likelihood, logit link, random effects, multi-arm trials);
#           "contrast": columns study, trt, diff, se_diff in TSD's contrast layout (the
#           baseline row's diff is NA and its se_diff the baseline arm's se): TSD2's normal
#           likelihood for contrasts with the multi-arm covariance.
#   DRAWS.csv  written: chain, iteration, d[2..nt], sd (the monitored draws).
# Prints one line of JSON to stdout: seconds (elapsed and CPU) for jags.model (compilation and
# ADAPT adaptation iterations), the BURNIN update and the sampling of ITER iterations per
# chain, and the JAGS / rjags versions. R start-up, package loading and data preparation are
# outside the timings. Priors as TSD2: d ~ N(0, 100^2), mu ~ N(0, 100^2), sd ~ U(0, 5).
# Random effects by TSD2's conditional univariate normals (variance tau^2, covariance tau^2/2).

args <- commandArgs(trailingOnly = TRUE)
if (length(args) < 8) stop("usage: Rscript bayes_jags.R MODEL INPUT.csv DRAWS.csv CHAINS ADAPT BURNIN ITER SEED")
kind <- args[[1]]; input <- args[[2]]; output <- args[[3]]
chains <- as.integer(args[[4]]); adapt <- as.integer(args[[5]])
burnin <- as.integer(args[[6]]); iter <- as.integer(args[[7]]); seed <- as.integer(args[[8]])
suppressPackageStartupMessages({library(rjags); library(coda); library(jsonlite)})

re_block <- "
    w[i,1] <- 0
    delta[i,1] <- 0
    for (k in 2:na[i]) {
      delta[i,k] ~ dnorm(md[i,k], taud[i,k])
      md[i,k] <- d[t[i,k]] - d[t[i,1]] + sw[i,k]
      taud[i,k] <- tau * 2 * (k-1) / k
      w[i,k] <- (delta[i,k] - d[t[i,k]] + d[t[i,1]])
      sw[i,k] <- sum(w[i,1:(k-1)]) / (k-1)
    }"
priors <- "
  d[1] <- 0
  for (k in 2:nt) { d[k] ~ dnorm(0, .0001) }
  sd ~ dunif(0, 5)
  tau <- pow(sd, -2)"

dat <- read.csv(input)
if (kind == "binomial") {
  studies <- unique(dat$studyn)
  ns <- length(studies)
  na <- as.integer(table(factor(dat$studyn, levels = studies)))
  t <- r <- n <- matrix(NA_real_, ns, max(na))
  for (i in seq_len(ns)) {
    rows <- dat[dat$studyn == studies[i], ]
    rows <- rows[order(rows$trtn), ]
    t[i, 1:na[i]] <- rows$trtn; r[i, 1:na[i]] <- rows$r; n[i, 1:na[i]] <- rows$n
  }
  code <- paste0("model {
  for (i in 1:ns) {
    mu[i] ~ dnorm(0, .0001)
    for (k in 1:na[i]) {
      r[i,k] ~ dbin(p[i,k], n[i,k])
      logit(p[i,k]) <- mu[i] + delta[i,k]
    }", re_block, "
  }", priors, "
}")
  jdata <- list(ns = ns, na = na, t = t, r = r, n = n, nt = max(dat$trtn))
} else if (kind == "contrast") {
  studies <- unique(dat$study)
  ns <- length(studies)
  na <- as.integer(table(factor(dat$study, levels = studies)))
  t <- y <- se <- matrix(NA_real_, ns, max(na))
  V <- numeric(ns)
  for (i in seq_len(ns)) {
    rows <- dat[dat$study == studies[i], ]
    rows <- rows[order(!is.na(rows$diff)), ]  # baseline (missing diff) first
    t[i, 1:na[i]] <- rows$trt; y[i, 1:na[i]] <- rows$diff; se[i, 1:na[i]] <- rows$se_diff
    V[i] <- rows$se_diff[1]^2
  }
  ord <- order(na)  # TSD2 lists two-arm studies first
  t <- t[ord, , drop = FALSE]; y <- y[ord, , drop = FALSE]; se <- se[ord, , drop = FALSE]
  V <- V[ord]; na <- na[ord]
  ns2 <- sum(na == 2); ns3 <- sum(na > 2)
  code <- paste0("model {
  for (i in 1:ns2) {
    y[i,2] ~ dnorm(delta[i,2], prec[i,2])
  }
  for (i in (ns2+1):(ns2+ns3)) {
    for (k in 1:(na[i]-1)) {
      for (j in 1:(na[i]-1)) {
        Sigma[i,j,k] <- V[i] * (1 - equals(j,k)) + vr[i,k+1] * equals(j,k)
      }
    }
    Omega[i,1:(na[i]-1),1:(na[i]-1)] <- inverse(Sigma[i,1:(na[i]-1),1:(na[i]-1)])
    y[i,2:na[i]] ~ dmnorm(delta[i,2:na[i]], Omega[i,1:(na[i]-1),1:(na[i]-1)])
  }
  for (i in 1:(ns2+ns3)) {
    for (k in 2:na[i]) {
      vr[i,k] <- pow(se[i,k], 2)
      prec[i,k] <- 1 / vr[i,k]
    }", re_block, "
  }", priors, "
}")
  jdata <- list(ns2 = ns2, ns3 = ns3, na = na, t = t, y = y, se = se, V = V, nt = max(dat$trt))
} else stop("MODEL must be binomial or contrast")

inits <- lapply(seq_len(chains), function(c) list(.RNG.name = "base::Mersenne-Twister", .RNG.seed = seed + c))
t_model <- system.time(m <- jags.model(textConnection(code), data = jdata, inits = inits,
                                       n.chains = chains, n.adapt = adapt, quiet = TRUE))
t_burnin <- system.time(update(m, burnin, progress.bar = "none"))
t_sample <- system.time(s <- coda.samples(m, c("d", "sd"), n.iter = iter, progress.bar = "none"))
nt <- jdata$nt
out <- do.call(rbind, lapply(seq_along(s), function(c) {
  x <- as.matrix(s[[c]])
  data.frame(chain = c, iteration = seq_len(nrow(x)), x[, c(paste0("d[", 2:nt, "]"), "sd"), drop = FALSE],
             check.names = FALSE)
}))
write.csv(out, output, row.names = FALSE)
secs <- function(tm) list(elapsed = unname(tm[["elapsed"]]), cpu = unname(tm[["user.self"]] + tm[["sys.self"]]))
cat(jsonlite::toJSON(list(model = secs(t_model), burnin = secs(t_burnin), sampling = secs(t_sample),
                          jags = as.character(rjags:::jags.version()),
                          rjags = as.character(packageVersion("rjags"))),
                     auto_unbox = TRUE, digits = NA), "\n")
