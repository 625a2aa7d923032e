# Within-trial QALYs and the baseline-utility regression of Manca, Hawkins & Sculpher (2005),
# computed in base R for tests/validation/test_r_manca_regression.py.
#
#   Rscript tests/data/economics/ref_r_trial_lm.R \
#       tests/data/economics/synthetic_trial_utilities.csv \
#       tests/data/economics/synthetic_trial_costs.csv \
#       tests/data/economics/ref_r_trial_lm.json
#
# QALYs: trapezium rule over months 0, 3, 6, 12, utilities discounted at 3.5% a year by the whole
# years completed (the first year undiscounted); complete cases only (a utility at every
# assessment and a cost). Regression: lm(qaly ~ arm + u0) with usual care as the baseline arm.
args <- commandArgs(trailingOnly = TRUE)
u <- read.csv(args[1], stringsAsFactors = FALSE)
costs <- read.csv(args[2], stringsAsFactors = FALSE)
rate <- 0.035
u <- u[order(u$patient, u$month), ]
times <- sort(unique(u$month))
discount <- function(t) (1 + rate)^(-pmax(ceiling(t) - 1, 0))
auc <- function(d) {
  if (nrow(d) != length(times) || any(is.na(d$utility))) return(NA_real_)
  t <- d$month / 12
  w <- d$utility * discount(t)
  sum(diff(t) * (head(w, -1) + tail(w, -1)) / 2)
}
by_patient <- split(u, u$patient)
patients <- data.frame(
  patient = names(by_patient),
  arm = vapply(by_patient, function(d) d$arm[1], ""),
  qaly = vapply(by_patient, auc, 0),
  u0 = vapply(by_patient, function(d) d$utility[d$month == 0][1], 0),
  stringsAsFactors = FALSE
)
patients <- merge(patients, costs[, c("patient", "cost")], by = "patient")
cc <- patients[complete.cases(patients), ]
cc$arm <- relevel(factor(cc$arm), ref = "Usual care")
fit <- lm(qaly ~ arm + u0, data = cc)
coefs <- summary(fit)$coefficients
ci <- confint(fit, level = 0.95)
out <- list(
  software = R.version.string,
  call = "lm(qaly ~ arm + u0, data = complete cases), arm baseline 'Usual care'",
  inputs = basename(args[1:2]),
  discount_rate = rate,
  n = nrow(cc),
  estimate = unname(coefs["armCBT", "Estimate"]),
  se = unname(coefs["armCBT", "Std. Error"]),
  ci_low = unname(ci["armCBT", 1]),
  ci_high = unname(ci["armCBT", 2]),
  pvalue = unname(coefs["armCBT", "Pr(>|t|)"]),
  slope = unname(coefs["u0", "Estimate"]),
  mean_cost = as.list(tapply(cc$cost, as.character(cc$arm), mean)),
  mean_qaly = as.list(tapply(cc$qaly, as.character(cc$arm), mean)),
  qaly = as.list(setNames(cc$qaly, cc$patient))
)
jsonlite::write_json(out, args[3], auto_unbox = TRUE, digits = NA, pretty = TRUE)
