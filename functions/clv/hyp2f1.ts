// Gauss hypergeometric function 2F1(a, b; c; z) for real parameters and real z < 1, the range
// the BG/NBD and sBG expectations need. Results are carried as (sign, log|F|) because with
// many purchases (a, b in the thousands) F itself overflows while the products the models use
// stay moderate.
//
// Route: z < 0 is mapped into (0, 1) by Pfaff's transformation; on (0, 1) Euler's
// transformation is applied when it makes the series terms decay faster; the power series is
// summed with a running scale factor. Beyond z ≈ 0.96 the series of moderate-parameter functions
// needs thousands of terms (they decay like z^n only), so F is instead carried towards 1 by
// Taylor steps of the hypergeometric differential equation, each step at most half the
// distance to the singularities at 0 and 1, so every step converges like 2^-k.
//
// Those steps amplify rounding by up to about 2^|1−c| and 2^|c−a−b| (the other solutions of the
// equation, z^(1−c) and (1−z)^(c−a−b), leak in), so they are used only when both exponents are
// moderate. When one is large the series itself converges fast (terms ~ n^(−|c−a−b|) or
// the large c damps them), so the series is used, with a generous term limit.

export interface SignedLog {
  sign: number;
  logAbs: number;
}

const EPS = 1e-17;
const RESCALE = 1e200;
const LOG_RESCALE = Math.log(RESCALE);
const SERIES_TERMS = 2_000_000;
const QUICK_SERIES_TERMS = 150;
const TAYLOR_TERMS = 1_000;
const CONTINUATION_START = 0.5;
// Up to here the series needs at most ~1,000 terms (0.96^1000 ≈ 1e-18), fewer flops than the continuation.
const SERIES_LIMIT = 0.96;
const STABLE_EXPONENT = 10;

/** 2F1(a, b; c; z) as a plain number (may overflow to ±Infinity for huge parameters). */
export function hyp2f1(a: number, b: number, c: number, z: number): number {
  const { sign, logAbs } = logHyp2f1(a, b, c, z);
  return sign * Math.exp(logAbs);
}

/** Sign and ln|2F1(a, b; c; z)|, for z < 1 and c not a non-positive integer. */
export function logHyp2f1(a: number, b: number, c: number, z: number): SignedLog {
  checkParameters(a, b, c);
  if (!Number.isFinite(z) || !(z < 1)) throw new RangeError(`hyp2f1 is only implemented for finite z < 1, got z = ${z}`);
  if (z >= 0) return onUnitInterval(a, b, c, [z])[0]!;
  // Pfaff: F(a, b; c; z) = (1 − z)^−a F(a, c − b; c; w), w = z / (z − 1) in (0, 1), 1 − w = 1 / (1 − z).
  const logOneMinusZ = Math.log1p(-z);
  const inner = onUnitInterval(a, c - b, c, [z / (z - 1)], [-logOneMinusZ])[0]!;
  return { sign: inner.sign, logAbs: inner.logAbs - a * logOneMinusZ };
}

/**
 * ln 2F1(a, b; c; z) at each of the non-decreasing points zs in [0, 1), sharing the work
 * between them: one pass of series coefficients serves every point, and points near 1
 * continue from their neighbour. Used for the monthly expectations of a CLV horizon.
 */
export function logHyp2f1Sequence(a: number, b: number, c: number, zs: readonly number[]): SignedLog[] {
  checkParameters(a, b, c);
  zs.forEach((z, i) => {
    if (!(z >= 0 && z < 1)) throw new RangeError(`logHyp2f1Sequence needs points in [0, 1), got ${z}`);
    if (i > 0 && z < zs[i - 1]!) throw new RangeError('logHyp2f1Sequence needs non-decreasing points');
  });
  return onUnitInterval(a, b, c, zs);
}

function checkParameters(a: number, b: number, c: number): void {
  if (![a, b, c].every(Number.isFinite)) throw new RangeError(`hyp2f1 needs finite parameters, got (${a}, ${b}; ${c})`);
  if (isNonPositiveInteger(c)) throw new RangeError(`hyp2f1 is undefined for c = ${c} (a non-positive integer)`);
}

function isNonPositiveInteger(v: number): boolean {
  return v <= 0 && Number.isInteger(v);
}

function onUnitInterval(a: number, b: number, c: number, zs: readonly number[], logOneMinusZs?: readonly number[]): SignedLog[] {
  if (a === 0 || b === 0) return zs.map(() => ({ sign: 1, logAbs: 0 }));
  // Terms of F(a, b; c; z) decay like n^(a+b−c−1) z^n, those of the Euler form
  // (1 − z)^(c−a−b) F(c − a, c − b; c; z) like n^(c−a−b−1) z^n: take the faster one,
  // unless one of the two is a terminating polynomial.
  const excess = c - a - b;
  const directTerminates = isNonPositiveInteger(a) || isNonPositiveInteger(b);
  const eulerTerminates = isNonPositiveInteger(c - a) || isNonPositiveInteger(c - b);
  const useEuler = !directTerminates && (eulerTerminates || excess < 0);
  const values = useEuler ? evaluatePoints(c - a, c - b, c, zs) : evaluatePoints(a, b, c, zs);
  return values.map((value, i) => {
    if (!useEuler) return value;
    const z = zs[i]!;
    const logOneMinusZ = logOneMinusZs ? logOneMinusZs[i]! : Math.log1p(-z);
    return { sign: value.sign, logAbs: value.logAbs + excess * logOneMinusZ };
  });
}

function evaluatePoints(a: number, b: number, c: number, zs: readonly number[]): SignedLog[] {
  const stable = Math.abs(1 - c) <= STABLE_EXPONENT && Math.abs(c - a - b) <= STABLE_EXPONENT;
  const canContinue = stable && !isNonPositiveInteger(a) && !isNonPositiveInteger(b);
  if (zs.length > 1 && canContinue) return sharedSeries(a, b, c, zs);
  return zs.map((z) => pointValue(a, b, c, z, canContinue));
}

/**
 * Several points of one stable function: the series coefficients (a)_n (b)_n / ((c)_n n!), whose
 * division dominates the cost of a term, are computed once for all points up to SERIES_LIMIT;
 * later points continue from there by Taylor steps. With |c − a − b| bounded the coefficients
 * grow at most polynomially, so no rescaling is needed.
 */
function sharedSeries(a: number, b: number, c: number, zs: readonly number[]): SignedLog[] {
  let k = 0;
  while (k < zs.length && zs[k]! <= SERIES_LIMIT) k++;
  const sums = new Float64Array(k).fill(1);
  const powers = new Float64Array(k).fill(1);
  let first = 0;
  while (first < k && zs[first] === 0) first++;
  let coefficient = 1;
  for (let n = 0; first < k; n++) {
    if (n >= SERIES_TERMS) throw new Error(`hyp2f1(${a}, ${b}; ${c}; ${zs[first]}): the series did not converge in ${SERIES_TERMS} terms`);
    const ratio = ((a + n) * (b + n)) / ((c + n) * (n + 1));
    coefficient *= ratio;
    const absRatio = ratio < 0 ? -ratio : ratio;
    // Points are increasing, so they converge from the first onwards.
    for (let j = first; j < k; j++) {
      const z = zs[j]!;
      const power = (powers[j] = powers[j]! * z);
      const term = coefficient * power;
      const sum = (sums[j] = sums[j]! + term);
      if (j !== first) continue;
      const q = absRatio * z > z ? absRatio * z : z;
      const magnitude = term < 0 ? -term : term;
      if (term === 0 || (q < 1 && magnitude * q <= EPS * (sum < 0 ? -sum : sum) * (1 - q))) first++;
    }
  }
  const values: SignedLog[] = zs.map((_, j) => (j < k ? { sign: Math.sign(sums[j]!), logAbs: Math.log(Math.abs(sums[j]!)) } : { sign: 0, logAbs: 0 }));
  if (k < zs.length) {
    const startAt = Math.max(CONTINUATION_START, k > 0 ? zs[k - 1]! : 0);
    let state = seriesState(a, b, c, startAt, SERIES_TERMS, true);
    if (!state) throw new Error(`hyp2f1(${a}, ${b}; ${c}; ${startAt}): no starting value for the continuation`);
    for (let j = k; j < zs.length; j++) {
      state = advance(state, a, b, c, zs[j]!);
      values[j] = { sign: Math.sign(state.f), logAbs: Math.log(Math.abs(state.f)) + state.logScale };
    }
  }
  return values;
}

/** F and F' at z, both divided by e^logScale so neither overflows. */
interface State {
  z: number;
  f: number;
  df: number;
  logScale: number;
}

function pointValue(a: number, b: number, c: number, z: number, canContinue: boolean): SignedLog {
  if (z === 0) return { sign: 1, logAbs: 0 };
  const describe = `hyp2f1(${a}, ${b}; ${c}; ${z})`;
  let state: State | null;
  if (!canContinue || z <= SERIES_LIMIT) {
    state = seriesState(a, b, c, z, SERIES_TERMS, false);
    if (!state) throw new Error(`${describe}: the series did not converge in ${SERIES_TERMS} terms`);
  } else {
    // Large parameters can still make the series short; otherwise continue from z = 1/2.
    state = seriesState(a, b, c, z, QUICK_SERIES_TERMS, false);
    if (!state) {
      const from = seriesState(a, b, c, CONTINUATION_START, SERIES_TERMS, true);
      if (!from) throw new Error(`${describe}: no starting value for the continuation`);
      state = advance(from, a, b, c, z);
    }
  }
  return { sign: Math.sign(state.f), logAbs: Math.log(Math.abs(state.f)) + state.logScale };
}

/**
 * Σ (a)_n (b)_n / ((c)_n n!) z^n, and its derivative when asked (else df is NaN); null when
 * maxTerms is not enough.
 */
function seriesState(a: number, b: number, c: number, z: number, maxTerms: number, withDerivative: boolean): State | null {
  let term = 1;
  let sum = 1;
  let weighted = 0; // Σ n·term_n = z F'(z)
  let logScale = 0;
  let done = false;
  for (let n = 0; n < maxTerms && !done; n++) {
    const ratio = (((a + n) * (b + n)) / ((c + n) * (n + 1))) * z;
    term *= ratio;
    sum += term;
    if (withDerivative) weighted += (n + 1) * term;
    if (Math.abs(sum) > RESCALE || Math.abs(weighted) > RESCALE) {
      sum /= RESCALE;
      weighted /= RESCALE;
      term /= RESCALE;
      logScale += LOG_RESCALE;
    }
    // Later ratios tend to z, so with q the larger of the two the tail of Σ term is at most
    // term·q/(1−q), and that of Σ n·term at most term·q/(1−q)·(n + 1/(1−q)) (written
    // without divisions, which dominate the cost of a term).
    const q = ratio > z ? ratio : ratio < -z ? -ratio : z;
    const gap = 1 - q;
    const tailTimesGap = (term < 0 ? -term : term) * q;
    done =
      term === 0 ||
      (gap > 0 &&
        tailTimesGap <= EPS * (sum < 0 ? -sum : sum) * gap &&
        (!withDerivative || tailTimesGap * ((n + 1) * gap + 1) <= EPS * (weighted < 0 ? -weighted : weighted) * gap * gap));
  }
  if (!done) return null;
  if (!Number.isFinite(sum) || !Number.isFinite(weighted)) throw new Error(`hyp2f1(${a}, ${b}; ${c}; ${z}): the series overflowed`);
  return { z, f: sum, df: withDerivative ? weighted / z : NaN, logScale };
}

/**
 * Analytic continuation from state.z to target through z(1 − z)F'' + (c − (a + b + 1)z)F' − abF = 0.
 * Around z0 the scaled Taylor coefficients d_k = F^(k)(z0) h^k / k! satisfy a three-term recurrence.
 */
function advance(state: State, a: number, b: number, c: number, target: number): State {
  let { z: z0, f, df, logScale } = state;
  const ab = a * b;
  const q1 = -(a + b + 1);
  while (z0 < target) {
    const h = Math.min(target - z0, (1 - z0) / 2, z0 / 2);
    const p0 = z0 * (1 - z0);
    const p1 = 1 - 2 * z0;
    const q0 = c - (a + b + 1) * z0;
    let prev = f;
    let curr = df * h;
    let value = prev + curr;
    let derivative = curr; // h·F'(z0 + h) = Σ k d_k
    let converged = false;
    for (let k = 0; k < TAYLOR_TERMS; k++) {
      const next = -((p1 * k + q0) * (k + 1) * curr * h + (-k * (k - 1) + q1 * k - ab) * prev * h * h) / (p0 * (k + 2) * (k + 1));
      value += next;
      derivative += (k + 2) * next;
      prev = curr;
      curr = next;
      if (k > 2 && (Math.abs(prev) + Math.abs(curr)) * (k + 2) <= EPS * (Math.abs(value) + Math.abs(derivative))) {
        converged = true;
        break;
      }
    }
    if (!converged) throw new Error(`hyp2f1(${a}, ${b}; ${c}; ${target}): Taylor continuation did not converge near z = ${z0}`);
    z0 += h;
    f = value;
    df = derivative / h;
    const norm = Math.max(Math.abs(f), Math.abs(df) * (1 - z0));
    if (!(norm > 0) || !Number.isFinite(norm)) throw new Error(`hyp2f1(${a}, ${b}; ${c}; ${target}): continuation lost all precision`);
    f /= norm;
    df /= norm;
    logScale += Math.log(norm);
  }
  return { z: z0, f, df, logScale };
}
