// Log-gamma, log-beta and digamma for positive real arguments, to near machine precision.
// The likelihoods of the CLV models are sums of differences of log-gammas, so absolute
// accuracy near the zeros of lnΓ (x = 1, 2) matters as much as relative accuracy elsewhere:
// there a Taylor series is used instead of Stirling's, which would cancel catastrophically.

const EULER_GAMMA = 0.5772156649015329;
const HALF_LOG_TWO_PI = 0.9189385332046728;

// ζ(k) − 1 for k = 2..29 (mpmath, 40 digits, rounded). The series of lnΓ(1 + ε) in these
// converges like 4^-k for |ε| ≤ 1/2 (Abramowitz & Stegun 6.1.33).
const ZETA_MINUS_ONE = [
  6.4493406684822644e-1, 2.0205690315959429e-1, 8.2323233711138192e-2, 3.6927755143369926e-2,
  1.734306198444914e-2, 8.3492773819228268e-3, 4.0773561979443394e-3, 2.0083928260822144e-3,
  9.9457512781808534e-4, 4.9418860411946456e-4, 2.460865533080483e-4, 1.2271334757848915e-4,
  6.1248135058704829e-5, 3.0588236307020494e-5, 1.5282259408651872e-5, 7.6371976378997623e-6,
  3.8172932649998399e-6, 1.9082127165539389e-6, 9.5396203387279611e-7, 4.7693298678780646e-7,
  2.3845050272773299e-7, 1.1921992596531107e-7, 5.960818905125948e-8, 2.980350351465228e-8,
  1.4901554828365041e-8, 7.4507117898354295e-9, 3.7253340247884571e-9, 1.862659723513049e-9,
];

/** Σ_{k≥2} (−1)^k (ζ(k) − 1) ε^k / k, by Horner from the smallest term. */
function zetaTail(eps: number): number {
  let sum = 0;
  for (let i = ZETA_MINUS_ONE.length - 1; i >= 0; i--) {
    const k = i + 2;
    sum = sum * -eps + ZETA_MINUS_ONE[i]! / k;
  }
  return sum * eps * eps;
}

/** Stirling's series with Bernoulli terms up to x^-15: below 1e-16 relative for x ≥ 10. */
function stirling(x: number): number {
  const inv = 1 / x;
  const inv2 = inv * inv;
  const series =
    inv *
    (1 / 12 +
      inv2 * (-1 / 360 + inv2 * (1 / 1260 + inv2 * (-1 / 1680 + inv2 * (1 / 1188 + inv2 * (-691 / 360360 + inv2 * (1 / 156 + inv2 * (-3617 / 122400))))))));
  return (x - 0.5) * Math.log(x) - x + HALF_LOG_TWO_PI + series;
}

/** ln Γ(x) for x > 0. */
export function logGamma(x: number): number {
  if (!(x > 0)) throw new RangeError(`logGamma needs a positive argument, got ${x}`);
  if (x === Infinity) return Infinity;
  if (x < 0.5) return logGamma(x + 1) - Math.log(x);
  if (x <= 1.5) {
    const eps = x - 1;
    return -Math.log1p(eps) + eps * (1 - EULER_GAMMA) + zetaTail(eps);
  }
  if (x <= 2.5) {
    const eps = x - 2;
    return eps * (1 - EULER_GAMMA) + zetaTail(eps);
  }
  if (x < 10) {
    // Shift down into [1.5, 2.5]: a product of positive factors, so no cancellation.
    let product = 1;
    let y = x;
    while (y > 2.5) {
      y -= 1;
      product *= y;
    }
    return logGamma(y) + Math.log(product);
  }
  return stirling(x);
}

/** ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a + b). */
export function logBeta(a: number, b: number): number {
  return logGamma(a) + logGamma(b) - logGamma(a + b);
}

/** ψ(x) = d/dx ln Γ(x) for x > 0 (recurrence up to 10, then the asymptotic series). */
export function digamma(x: number): number {
  if (!(x > 0)) throw new RangeError(`digamma needs a positive argument, got ${x}`);
  if (x === Infinity) return Infinity;
  let shift = 0;
  let y = x;
  while (y < 10) {
    shift += 1 / y;
    y += 1;
  }
  const inv2 = 1 / (y * y);
  const series =
    inv2 * (1 / 12 - inv2 * (1 / 120 - inv2 * (1 / 252 - inv2 * (1 / 240 - inv2 * (1 / 132 - inv2 * (691 / 32760 - inv2 / 12))))));
  return Math.log(y) - 0.5 / y - series - shift;
}
