# Regenerates ref_jags_parkinsons.json: the NICE DSU TSD2 normal-likelihood contrast-based
# model (Dias et al. 2011, TSD2 programme for contrast data with multi-arm trials) on the
# Parkinson's data, random and fixed effects, in JAGS 4.3.1 through rjags.
#
#   Rscript tests/data/bayes/ref_jags_parkinsons.R tests/data/bayes/parkinsons_tsd.csv \
#       tests/data/bayes/ref_jags_parkinsons.json
#   Rscript tests/data/bayes/ref_jags_parkinsons.R tests/data/bayes/parkinsons_tsd.csv \
#       tests/data/bayes/ref_jags_parkinsons_long.json 1000000
#
# The optional third argument is the number of iterations kept per chain (default 50,000, as
# bayes_jags.json; the long run keeps 1,000,000 per chain, about 5 minutes, for Monte Carlo
# errors small enough to test an exact method more tightly).
#
# Priors as TSD2 and the project's bayes_jags.json: d[k] ~ N(0, 100^2), sd ~ U(0, 5).
# Settings as bayes_jags.json: 3 chains, 1,000 adaptation, 10,000 burn-in, 50,000 kept per chain.
# Outcome: mean off-time reduction; lower (more negative) is better, so rank 1 is the lowest d.
suppressPackageStartupMessages({library(rjags); library(coda); library(jsonlite)})
args <- commandArgs(trailingOnly = TRUE)
infile <- if (length(args) >= 1) args[1] else "parkinsons_tsd.csv"
outfile <- if (length(args) >= 2) args[2] else "ref_jags_parkinsons.json"
n_iter <- if (length(args) >= 3) as.integer(args[3]) else 50000L

dat <- read.csv(infile)
studies <- unique(dat$studyn)
ns <- length(studies)
na <- as.integer(table(factor(dat$studyn, levels = studies)))
maxa <- max(na)
t <- y <- se <- matrix(NA_real_, ns, maxa)
V <- numeric(ns)
for (i in seq_len(ns)) {
  rows <- dat[dat$studyn == studies[i], ]
  t[i, 1:na[i]] <- rows$trtn
  y[i, 1:na[i]] <- rows$diff
  se[i, 1:na[i]] <- rows$se_diff
  V[i] <- rows$se_diff[1]^2  # variance of the baseline arm mean (TSD2: the covariance)
}
# TSD2 orders two-arm studies first, then multi-arm.
ord <- order(na)
t <- t[ord, , drop = FALSE]; y <- y[ord, , drop = FALSE]; se <- se[ord, , drop = FALSE]
V <- V[ord]; na <- na[ord]; study_ids <- studies[ord]
ns2 <- sum(na == 2); ns3 <- sum(na > 2)
nt <- max(dat$trtn)

model_core <- "
  for (i in 1:ns2) {
    y[i,2] ~ dnorm(delta[i,2], prec[i,2])
    resdev[i] <- (y[i,2] - delta[i,2]) * (y[i,2] - delta[i,2]) * prec[i,2]
  }
  for (i in (ns2+1):(ns2+ns3)) {
    for (k in 1:(na[i]-1)) {
      for (j in 1:(na[i]-1)) {
        Sigma[i,j,k] <- V[i] * (1 - equals(j,k)) + vr[i,k+1] * equals(j,k)
      }
    }
    Omega[i,1:(na[i]-1),1:(na[i]-1)] <- inverse(Sigma[i,1:(na[i]-1),1:(na[i]-1)])
    y[i,2:na[i]] ~ dmnorm(delta[i,2:na[i]], Omega[i,1:(na[i]-1),1:(na[i]-1)])
    for (k in 1:(na[i]-1)) {
      ydiff[i,k] <- y[i,(k+1)] - delta[i,(k+1)]
      z[i,k] <- inprod(Omega[i,k,1:(na[i]-1)], ydiff[i,1:(na[i]-1)])
    }
    resdev[i] <- inprod(ydiff[i,1:(na[i]-1)], z[i,1:(na[i]-1)])
  }
  for (i in 1:(ns2+ns3)) {
    for (k in 2:na[i]) {
      vr[i,k] <- pow(se[i,k], 2)
      prec[i,k] <- 1 / vr[i,k]
    }
  }
  totresdev <- sum(resdev[])
  d[1] <- 0
  for (k in 2:nt) { d[k] ~ dnorm(0, .0001) }
"
model_re <- paste0("model {", model_core, "
  for (i in 1:(ns2+ns3)) {
    w[i,1] <- 0
    delta[i,1] <- 0
    for (k in 2:na[i]) {
      delta[i,k] ~ dnorm(md[i,k], taud[i,k])
      md[i,k] <- d[t[i,k]] - d[t[i,1]] + sw[i,k]
      taud[i,k] <- tau * 2 * (k-1) / k
      w[i,k] <- (delta[i,k] - d[t[i,k]] + d[t[i,1]])
      sw[i,k] <- sum(w[i,1:(k-1)]) / (k-1)
    }
  }
  sd ~ dunif(0, 5)
  tau <- pow(sd, -2)
}")
model_fe <- paste0("model {", model_core, "
  for (i in 1:(ns2+ns3)) {
    delta[i,1] <- 0
    for (k in 2:na[i]) { delta[i,k] <- d[t[i,k]] - d[t[i,1]] }
  }
}")

jdata <- list(ns2 = ns2, ns3 = ns3, na = na, t = t, y = y, se = se, V = V, nt = nt)
inits <- lapply(1:3, function(c) list(.RNG.name = "base::Mersenne-Twister", .RNG.seed = 20240 + c))

summ <- function(x) list(mean = mean(x), sd = sd(x), median = median(x),
                         q2.5 = unname(quantile(x, 0.025)), q97.5 = unname(quantile(x, 0.975)))
# Monte Carlo standard errors from coda's effective sample size (spectral density at 0) of the
# function of the draws each summary averages: the mean's is sd/sqrt(ESS(x)); the sd's is
# SE(s^2)/(2 s) with SE(s^2) from the series (x - mean)^2; a quantile's is
# sqrt(p(1-p)/ESS(1{x <= q})) / f(q), with f a kernel density estimate.
ess_of <- function(x) {
  chains <- split(x, rep(1:3, each = length(x) / 3))
  unname(effectiveSize(mcmc.list(lapply(chains, mcmc))))
}
mcse <- function(x) {
  dens <- density(x, n = 4096)
  f <- function(q) approx(dens$x, dens$y, xout = q)$y
  qs <- function(p) {
    q <- unname(quantile(x, p))
    sqrt(p * (1 - p) / ess_of(as.numeric(x <= q))) / f(q)
  }
  sq <- (x - mean(x))^2
  list(mean = sd(x) / sqrt(ess_of(x)), sd = sd(sq) / sqrt(ess_of(sq)) / (2 * sd(x)),
       median = qs(0.5), q2.5 = qs(0.025), q97.5 = qs(0.975))
}

run <- function(code, re) {
  tm <- system.time({
    m <- jags.model(textConnection(code), data = jdata, inits = inits, n.chains = 3,
                    n.adapt = 1000, quiet = TRUE)
    update(m, 10000, progress.bar = "none")
    mon <- c("d", "totresdev", "delta", if (re) "sd")
    s <- coda.samples(m, mon, n.iter = n_iter, progress.bar = "none")
  })
  mat <- as.matrix(s)
  dcols <- paste0("d[", 2:nt, "]")
  dmat <- cbind(0, mat[, dcols])
  out <- list(posterior = list(), mcse = list(), all_pairwise = list(), pairwise_mcse = list())
  for (k in 2:nt) {
    x <- dmat[, k]
    out$posterior[[paste0("d", k)]] <- summ(x)
    out$mcse[[paste0("d", k)]] <- mcse(x)
  }
  if (re) {
    out$posterior$sd <- summ(mat[, "sd"])
    out$mcse$sd <- mcse(mat[, "sd"])
  }
  for (a in 1:(nt - 1)) for (b in (a + 1):nt) {
    x <- dmat[, b] - dmat[, a]
    out$all_pairwise[[paste0("d", a, b)]] <- summ(x)
    out$pairwise_mcse[[paste0("d", a, b)]] <- mcse(x)
  }
  # Ranks: lower d is better (rank 1 = the lowest off-time change).
  rk <- t(apply(dmat, 1, rank))
  out$rank_prob <- t(sapply(1:nt, function(k) sapply(1:nt, function(r) mean(rk[, k] == r))))
  sucra_draws <- (nt - rk) / (nt - 1)
  out$sucra <- colMeans(sucra_draws)
  out$sucra_mcse <- sapply(1:nt, function(k) sd(sucra_draws[, k]) / sqrt(max(1, ess_of(sucra_draws[, k]))))
  out$mean_rank <- colMeans(rk)
  # Residual deviance and DIC with TSD2's plug-in: deviance at the posterior mean of the
  # linear predictor (delta), pD = mean(totresdev) - that deviance.
  out$totresdev_mean <- mean(mat[, "totresdev"])
  out$totresdev_mcse <- sd(mat[, "totresdev"]) / sqrt(ess_of(mat[, "totresdev"]))
  dev_at_mean <- 0
  for (i in 1:(ns2 + ns3)) {
    m_i <- na[i] - 1
    dbar <- sapply(2:na[i], function(k) mean(mat[, sprintf("delta[%d,%d]", i, k)]))
    r <- y[i, 2:na[i]] - dbar
    S <- matrix(V[i], m_i, m_i); diag(S) <- se[i, 2:na[i]]^2
    dev_at_mean <- dev_at_mean + as.numeric(t(r) %*% solve(S) %*% r)
  }
  out$resdev_at_posterior_mean <- dev_at_mean
  out$pD_tsd <- out$totresdev_mean - dev_at_mean
  out$DIC_tsd <- out$totresdev_mean + out$pD_tsd
  pars <- c(dcols, if (re) "sd")
  out$ess <- setNames(as.list(sapply(pars, function(p) ess_of(mat[, p]))), pars)
  out$rhat <- setNames(as.list(unname(gelman.diag(s[, pars], multivariate = FALSE)$psrf[, 1])), pars)
  out$time_s <- unname(tm["elapsed"])
  out
}

set.seed(1)
res <- list(
  software = list(R = R.version.string, jags = "4.3.1", rjags = as.character(packageVersion("rjags")),
                  coda = as.character(packageVersion("coda"))),
  settings = list(n_chains = 3, n_adapt = 1000, n_burnin = 10000, n_iter_per_chain = n_iter,
                  seeds = 20241:20243, rng = "base::Mersenne-Twister"),
  data = list(file = basename(infile), treatments = 1:nt, reference = 1,
              note = "contrast-level: diff = arm k vs study arm 1, se_diff; the baseline row's se_diff is the baseline arm's se (its square is the covariance)"),
  ranking = "lower is better: rank 1 = lowest d; SUCRA = (nt - mean rank)/(nt - 1)",
  parkinsons_normal_contrast_RE = run(model_re, TRUE),
  parkinsons_normal_contrast_FE = run(model_fe, FALSE)
)
writeLines(toJSON(res, auto_unbox = TRUE, digits = NA, pretty = TRUE), outfile)
