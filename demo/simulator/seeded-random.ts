/** mulberry32: a tiny, fast PRNG with a 32-bit state, good enough for reproducible simulations (not for secrets). */
export function createSeededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export function pickUniform(random: () => number, min: number, max: number): number {
  return min + (max - min) * random();
}

/** Exponentially distributed waiting time with the given mean (a Poisson process's gaps). */
export function pickExponential(random: () => number, mean: number): number {
  return -mean * Math.log(1 - random());
}
