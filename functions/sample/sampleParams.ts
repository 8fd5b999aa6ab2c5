// The generating parameters of the sample data set, written to params.json beside the files so
// tests can compare what the pipeline recovers with what was put in.

export const SAMPLE_PARAMS = {
  historyMonths: 24,
  ecommerce: {
    /** BG/NBD, time unit weeks: purchase rate λ ~ Gamma(r, alpha), dropout p ~ Beta(a, b). */
    bgnbd: { r: 0.75, alpha: 8, a: 0.8, b: 3.2 },
    /** Gamma-Gamma spend in USD: ν ~ Gamma(q, gamma), order value ~ Gamma(p, ν). */
    gammaGamma: { p: 6, q: 4, gamma: 40 },
    refundShare: 0.04,
    cancelShare: 0.015,
  },
  subscription: {
    /** Monthly churn θ ~ Beta(alpha, beta) per customer (shifted-beta-geometric). */
    sbg: { alpha: 0.9, beta: 8 },
    plans: [
      { plan: 'starter', monthlyPrice: 29 },
      { plan: 'pro', monthlyPrice: 99 },
      { plan: 'business', monthlyPrice: 299 },
    ],
    planWeights: [0.55, 0.35, 0.1],
    annualShare: 0.25,
    /** Annual plans cost 10 months' price. */
    annualMonthsCharged: 10,
    upgradePerMonth: 0.02,
    downgradePerMonth: 0.01,
    reactivationShare: 0.1,
  },
  channels: [
    { channel: 'paid_search', weight: 0.3, cac: 70 },
    { channel: 'social', weight: 0.25, cac: 45 },
    { channel: 'email', weight: 0.15, cac: 15 },
    { channel: 'referral', weight: 0.1, cac: 25 },
    { channel: 'organic', weight: 0.2, cac: 0 },
  ],
  countries: [
    { country: 'US', currency: 'USD', weight: 0.6 },
    { country: 'DE', currency: 'EUR', weight: 0.1 },
    { country: 'FR', currency: 'EUR', weight: 0.05 },
    { country: 'GB', currency: 'GBP', weight: 0.1 },
    { country: 'KR', currency: 'KRW', weight: 0.08 },
    { country: 'JP', currency: 'JPY', weight: 0.07 },
  ],
  /** Units of USD per unit of currency at the start of the history; a random walk follows. */
  fxStart: { EUR: 1.08, GBP: 1.27, KRW: 0.00074, JPY: 0.0067 } as Record<string, number>,
  fxDailyVolatility: 0.004,
  /** Yearly seasonality of acquisitions and orders: November and December busier. */
  monthWeights: [0.9, 0.85, 0.95, 1, 1, 0.95, 0.9, 0.95, 1, 1.05, 1.35, 1.5],
  /** Acquisitions grow this much a year. */
  yearlyGrowth: 0.3,
} as const;

export const CURRENCY_DIGITS: Record<string, number> = { USD: 2, EUR: 2, GBP: 2, KRW: 0, JPY: 0 };
