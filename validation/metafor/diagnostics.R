# Regenerates tests/data/metafor/diagnostics_metafor.json: metafor's leave1out() and regtest()
# (Egger's test, models "rma" and "lm") on two metadat datasets, for evsynth's validation tests.
# Run from the repository root: Rscript validation/metafor/diagnostics.R
suppressPackageStartupMessages({library(metafor); library(jsonlite)})

cases <- list(
  list(name = "normand1999_SMD",
       dat = escalc(measure = "SMD", m1i = m1i, sd1i = sd1i, n1i = n1i,
                    m2i = m2i, sd2i = sd2i, n2i = n2i, data = dat.normand1999)),
  list(name = "bcg_RR",
       dat = escalc(measure = "RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = dat.bcg))
)
fits <- list(c("REML", "z"), c("DL", "z"), c("REML", "knha"), c("FE", "z"))

out <- list(metafor_version = as.character(packageVersion("metafor")),
            R_version = R.version.string,
            call = "leave1out(rma(yi, vi, method, test)); regtest(fit, model='rma'|'lm')",
            cases = list())
for (cs in cases) {
  entry <- list(yi = as.numeric(cs$dat$yi), vi = as.numeric(cs$dat$vi), fits = list())
  for (f in fits) {
    fit <- rma(yi, vi, data = cs$dat, method = f[1], test = f[2])
    l1o <- leave1out(fit)
    rt <- regtest(fit, model = "rma")
    rl <- regtest(fit, model = "lm")
    entry$fits[[length(entry$fits) + 1]] <- list(
      method = f[1], test = f[2],
      leave1out = list(estimate = as.numeric(l1o$estimate), se = as.numeric(l1o$se),
                       pval = as.numeric(l1o$pval), ci_lb = as.numeric(l1o$ci.lb),
                       ci_ub = as.numeric(l1o$ci.ub), Q = as.numeric(l1o$Q),
                       tau2 = as.numeric(l1o$tau2), I2 = as.numeric(l1o$I2),
                       H2 = as.numeric(l1o$H2)),
      regtest_rma = list(zval = rt$zval, pval = rt$pval, dfs = if (is.null(rt$dfs)) NA else rt$dfs,
                         limit_estimate = as.numeric(rt$est), limit_ci_lb = as.numeric(rt$ci.lb),
                         limit_ci_ub = as.numeric(rt$ci.ub)),
      regtest_lm = list(zval = rl$zval, pval = rl$pval, dfs = rl$dfs,
                        limit_estimate = as.numeric(rl$est), limit_ci_lb = as.numeric(rl$ci.lb),
                        limit_ci_ub = as.numeric(rl$ci.ub))
    )
  }
  out$cases[[cs$name]] <- entry
}
write(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE, na = "null"),
      "tests/data/metafor/diagnostics_metafor.json")
