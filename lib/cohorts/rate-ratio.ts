/**
 * Poisson rate ratios with exact confidence intervals: "is this cohort's drop rate really higher than that one's,
 * or is the cohort just small?". Conditional on the total a + b, the count a is Binomial(a + b, p) with
 * p = rateA·exposureA / (rateA·exposureA + rateB·exposureB), so a Clopper–Pearson interval for p maps to one for
 * the ratio rateA / rateB. Exact at any count, including zero.
 */

export type RateSample = { events: number; exposureHours: number };

export type RateRatio = {
  /** rateA / rateB; null when B has no events (unbounded) or either side has no exposure. */
  ratio: number | null;
  low: number;
  /** null = unbounded above. */
  high: number | null;
  /** Two-sided confidence level of [low, high]. */
  level: number;
};

export function ratePerHour(sample: RateSample): number | null {
  return sample.exposureHours > 0 ? sample.events / sample.exposureHours : null;
}

export function compareRates(a: RateSample, b: RateSample, level = 0.95): RateRatio {
  if (a.exposureHours <= 0 || b.exposureHours <= 0) return { ratio: null, low: 0, high: null, level };
  const n = a.events + b.events;
  const scale = b.exposureHours / a.exposureHours;
  const ratio = b.events > 0 ? (a.events / b.events) * scale : null;
  if (n === 0) return { ratio: null, low: 0, high: null, level };
  const alpha = 1 - level;
  const pLow = a.events === 0 ? 0 : inverseRegularizedBeta(alpha / 2, a.events, n - a.events + 1);
  const pHigh = a.events === n ? 1 : inverseRegularizedBeta(1 - alpha / 2, a.events + 1, n - a.events);
  return { ratio, low: odds(pLow) * scale, high: pHigh >= 1 ? null : odds(pHigh) * scale, level };
}

/** Bonferroni: each of `comparisons` intervals at this level keeps the chance of any false alarm below 1 − level. */
export function familyWiseLevel(level: number, comparisons: number): number {
  return 1 - (1 - level) / Math.max(1, comparisons);
}

export type RateVerdict = "worse" | "better" | "no_difference";

/** Worse only when the whole interval lies above 1: a small cohort with a few unlucky drops is not flagged. */
export function verdictOf(ratio: RateRatio): RateVerdict {
  if (ratio.low > 1) return "worse";
  if (ratio.high !== null && ratio.high < 1) return "better";
  return "no_difference";
}

function odds(p: number): number {
  return p / (1 - p);
}

/** x with I_x(a, b) = target, by bisection (I is increasing in x); 1e-12 is far below what the page shows. */
export function inverseRegularizedBeta(target: number, a: number, b: number): number {
  let low = 0;
  let high = 1;
  for (let i = 0; i < 200 && high - low > 1e-12; i += 1) {
    const mid = (low + high) / 2;
    if (regularizedBeta(mid, a, b) < target) low = mid;
    else high = mid;
  }
  return (low + high) / 2;
}

/** The regularized incomplete beta function I_x(a, b) by its continued fraction (Numerical Recipes §6.4). */
export function regularizedBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(x, a, b)) / a;
  return 1 - (front * betaContinuedFraction(1 - x, b, a)) / b;
}

function betaContinuedFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 10_000; m += 1) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const step = d * c;
    h *= step;
    if (Math.abs(step - 1) < 1e-14) break;
  }
  return h;
}

const LANCZOS = [
  676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012,
  9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos, g = 7): about 15 significant digits. */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let sum = 0.99999999999980993;
  for (const [i, coefficient] of LANCZOS.entries()) sum += coefficient / (z + i + 1);
  const t = z + LANCZOS.length - 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}
