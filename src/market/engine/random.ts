// Deterministic randomness: every random number of a session run comes from its seed, in streams
// keyed by what they are for (a resource's noise, a bid's Shapley permutations), so a result does
// not depend on the order resources or bids are listed in.

/** FNV-1a over the UTF-16 code units of `text`: a stable 32-bit key for a stream. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function splitmix32(state: number): [number, number] {
  const next = (state + 0x9e3779b9) | 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  return [next, (z ^ (z >>> 15)) >>> 0];
}

/** A uniform generator on [0, 1) (sfc32, seeded through splitmix32 from the seed and a stream key). */
export function uniforms(seed: number, stream: number): () => number {
  let s = (seed ^ Math.imul(stream, 0x85ebca6b)) | 0;
  const words: number[] = [];
  for (let i = 0; i < 4; i++) {
    const [next, word] = splitmix32(s);
    s = next;
    words.push(word);
  }
  let [a, b, c, d] = words as [number, number, number, number];
  const draw = () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4_294_967_296;
  };
  for (let i = 0; i < 12; i++) draw();
  return draw;
}

/** Fills `out` with standard normal draws (Box–Muller, both outputs of each pair used). */
export function fillNormal(out: Float64Array, uniform: () => number): Float64Array {
  for (let i = 0; i < out.length; i += 2) {
    const u1 = 1 - uniform(); // (0, 1]: the logarithm stays finite
    const u2 = uniform();
    const radius = Math.sqrt(-2 * Math.log(u1));
    out[i] = radius * Math.cos(2 * Math.PI * u2);
    if (i + 1 < out.length) out[i + 1] = radius * Math.sin(2 * Math.PI * u2);
  }
  return out;
}

/** Fisher–Yates shuffle of `items` in place. */
export function shuffle(items: Int32Array, uniform: () => number): Int32Array {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(uniform() * (i + 1));
    const t = items[i]!;
    items[i] = items[j]!;
    items[j] = t;
  }
  return items;
}
