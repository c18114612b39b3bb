// The known-answer world for tests that drive whole sessions over HTTP: seller A's plant
// has a daily cycle and random variation, the buyer's is 0.8 × A's a day earlier plus small noise,
// seller B is independent noise. Hourly mean power in W, the same every run.

/** A small seeded generator (mulberry32) and its normal draws (Box–Muller). */
function normals(seed: number): () => number {
  let a = seed >>> 0;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

export function knownAnswerSeries(hours: number, seed = 42): { a: number[]; buyer: number[]; b: number[] } {
  const noise = normals(seed);
  const a = Array.from({ length: hours + 24 }, (_, t) => 1000 + 800 * Math.sin((2 * Math.PI * t) / 24) + 200 * noise());
  return {
    a: a.slice(24),
    buyer: a.slice(0, hours).map((v) => 0.8 * v + 20 * noise()),
    b: Array.from({ length: hours }, () => 500 + 300 * noise()),
  };
}
