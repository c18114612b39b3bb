// The forecasting market's engine (src/market/engine), pure, no database: `npx tsx bench/market.ts`.
//
//   1. One session: 100 resources of 100 users × 8,760 h of synthetic wind and solar plants in five
//      weather regions, 20 of them bidding (every bid has the 99 others as sellers, so its Shapley
//      values are sampled). Target: under 10 s.
//   2. Exact Shapley over 12 sellers (4,096 coalitions) for one bid, side by side: every coalition
//      solved from sub-blocks of the bid's Gram matrices (the engine), and every coalition refitted
//      from the data (the noisy columns built, standardised, multiplied out and solved again for
//      each subset, as DSBI refits per permutation step). Target: the Gram way ≥ 20× faster.
//   3. Exact Shapley over 12 sellers per bid, the engine's way. Target: under 1 s.
//
// BENCH_MARKET_SELLERS and BENCH_MARKET_HOURS scale part 1 (defaults 100 and 8,760).
// For `npm run bench`, bench/run.ts can add these rows to its table: `rows.push(...benchMarket())`
// (no database needed), e.g. as a part 'market' of BENCH_ONLY.
import { cpus } from 'node:os';
import { DEFAULT_ENGINE_CONFIG, defaultGrid, runSession } from '../src/market/engine/index.ts';
import type { EngineBid, EngineResource, GainFunc, SessionInput } from '../src/market/engine/index.ts';
import { directFit } from '../src/market/engine/direct.ts';
import { gainOf, prepareBid, prepareSession } from '../src/market/engine/model.ts';
import { fillNormal, uniforms } from '../src/market/engine/random.ts';
import { bidMarket } from '../src/market/engine/session.ts';
import { exactShapley } from '../src/market/engine/shapley.ts';
import { fmt, formatTable, type ReportRow } from './measure.ts';

const START = new Date('2026-01-01T00:00:00Z');
const log = (line: string) => process.stdout.write(`${line}\n`);

function whole(env: string | undefined, fallback: number, min: number, max: number, name: string): number {
  if (env === undefined || env === '') return fallback;
  const n = Number(env);
  if (!Number.isSafeInteger(n) || n < min || n > max)
    throw new Error(`${name} must be a whole number from ${min} to ${max}`);
  return n;
}

/** An AR(1) series with unit variance: x_t = ρ·x_{t−1} + √(1−ρ²)·ε_t. */
function ar1(hours: number, rho: number, uniform: () => number): Float64Array {
  const e = fillNormal(new Float64Array(hours), uniform);
  const x = new Float64Array(hours);
  let prev = e[0]!;
  const s = Math.sqrt(1 - rho * rho);
  for (let t = 0; t < hours; t++) {
    prev = rho * prev + s * e[t]!;
    x[t] = prev;
  }
  return x;
}

/**
 * Synthetic plants: five weather regions, each a slow AR(1) around a national one; a plant is
 * wind (power ~ cube of the wind speed, capped) or solar (a daylight curve times clear sky),
 * driven by its region's weather and its own; 1 % of its hours missing, and one 6-hour gap.
 */
export function plants(count: number, hours: number, seed: number): EngineResource[] {
  const uniform = uniforms(seed, 0x5eed);
  const national = ar1(hours, 0.99, uniform);
  const regions = Array.from({ length: 5 }, () => ar1(hours, 0.98, uniform));
  return Array.from({ length: count }, (_, i) => {
    const region = regions[i % 5]!;
    const own = ar1(hours, 0.9, uniform);
    const capacity = 1_000_000 * (1 + 4 * uniform()); // 1–5 MW
    const wind = i % 3 === 0;
    const values = new Float64Array(hours);
    for (let t = 0; t < hours; t++) {
      const weather = 0.5 * national[t]! + 0.7 * region[t]! + 0.5 * own[t]!;
      if (wind) {
        const speed = Math.max(0, 7 + 2.5 * weather);
        values[t] = capacity * Math.min(1, (speed / 12) ** 3);
      } else {
        const hour = (t + i) % 24; // longitude: a little shift per plant
        const sun = Math.max(0, Math.sin((Math.PI * (hour - 6)) / 12));
        values[t] = capacity * sun * Math.min(1, Math.max(0, 0.7 + 0.2 * weather));
      }
      if (uniform() < 0.01) values[t] = Number.NaN;
    }
    const gap = Math.floor(uniform() * (hours - 10));
    values.fill(Number.NaN, gap, gap + 6);
    return { id: `plant-${i}`, user: `user-${i}`, values };
  });
}

function bidsFor(resources: EngineResource[], count: number, seed: number): EngineBid[] {
  const uniform = uniforms(seed, 0xb1d);
  const funcs: GainFunc[] = ['rmse', 'rmse', 'mse', 'mae'];
  return resources.slice(0, count).map((r, i) => ({
    id: `bid-${i}`,
    user: r.user,
    resource: r.id,
    bidPrice: BigInt(1_000_000 + Math.floor(uniform() * 19) * 500_000),
    maxPayment: BigInt(5_000_000 + Math.floor(uniform() * 100) * 1_000_000),
    gainFunc: funcs[i % funcs.length]!,
  }));
}

function sessionPart(sellers: number, hours: number): ReportRow {
  const resources = plants(sellers, hours, 1);
  const input: SessionInput = {
    seed: 42,
    start: START,
    hours,
    resources,
    bids: bidsFor(resources, 20, 2),
    grid: defaultGrid(),
    config: DEFAULT_ENGINE_CONFIG,
  };
  log(`session: ${sellers} resources × ${fmt(hours)} h, 20 bids`);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const out = runSession(input);
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  for (const b of out.bids) {
    const top = [...b.shares].sort((x, y) => y.share - x.share)[0];
    log(
      `  ${b.bid}: ` +
        (b.ran
          ? `gain ${b.gain.toFixed(2)} pp, noise ${b.noise.toFixed(2)}, payment ${b.payment}, `
          : `${b.reason}, `) +
        `shapley ${b.shapleyMethod} (${b.permutations} permutations, se ${b.shapleyStandardError.toFixed(4)})` +
        (top === undefined || top.share === 0 ? '' : `, top seller ${top.resource} ${(100 * top.share).toFixed(1)} %`),
    );
  }
  const paid = out.bids.reduce((a, b) => a + b.payment, 0n);
  const shared = out.revenues.reduce((a, r) => a + r.amount, 0n);
  log(`  payments ${paid} = fee ${out.fee} + revenues ${shared}: ${paid === out.fee + shared}`);
  log(`  next price ${out.nextPrice}`);
  log(
    `  ${fmt(ms / 1000, 2)} s wall clock, ${fmt(cpuMs / 1000, 2)} s of CPU (all threads: garbage collection, compiling)`,
  );
  return {
    benchmark: `market session, ${sellers} sellers × ${fmt(hours)} h, 20 bids`,
    tally: `${fmt(ms / 1000, 2)} s`,
    baseline: '',
    ratio: '',
    target: '< 10 s',
    met: ms < 10_000,
  };
}

function shapleyParts(): ReportRow[] {
  const hours = 8_760;
  const resources = plants(13, hours, 3);
  const bid: EngineBid = {
    id: 'bid',
    user: resources[0]!.user,
    resource: resources[0]!.id,
    bidPrice: 10_000_000n,
    maxPayment: 10n ** 12n,
    gainFunc: 'rmse',
  };
  const config = DEFAULT_ENGINE_CONFIG;
  const input: SessionInput = { seed: 7, start: START, hours, resources, bids: [bid], grid: defaultGrid(), config };
  const data = prepareSession(input);
  const prepared = prepareBid(data, bid, config);
  if ('reason' in prepared) throw new Error(`the benchmark bid did not run: ${prepared.reason}`);
  const { model } = prepared;
  const ratio = 0.25;
  // Gram: the bid's models (its own and the level's) and all 4,096 coalitions from sub-blocks.
  const t0 = performance.now();
  const market = bidMarket(model, config.ridgeAlpha);
  const level = market.level(ratio, false);
  const gram = exactShapley(model, level, config.ridgeAlpha, market.errOwn);
  const gramMs = performance.now() - t0;
  // Refit: the same 4,096 coalitions, each fitted again from the data.
  const t1 = performance.now();
  const base = Array.from({ length: model.k }, (_, i) => i);
  const own = Math.sqrt(directFit(model, ratio, base, config.ridgeAlpha).mse);
  const n = model.n;
  const v = new Float64Array(1 << n);
  for (let mask = 0; mask < 1 << n; mask++) {
    const features = [...base];
    for (let i = 0; i < n; i++) if (mask & (1 << i)) features.push(model.k + i);
    v[mask] = gainOf(model, own, Math.sqrt(directFit(model, ratio, features, config.ridgeAlpha).mse));
  }
  const refit = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let mask = 0; mask < 1 << n; mask++) {
      if (mask & (1 << i)) continue;
      let size = 0;
      for (let j = 0; j < n; j++) if (mask & (1 << j)) size++;
      let w = 1 / n;
      for (let j = 1; j <= size; j++) w *= j / (n - j);
      refit[i] = refit[i]! + w * (v[mask | (1 << i)]! - v[mask]!);
    }
  }
  const refitMs = performance.now() - t1;
  let worst = 0;
  for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(gram.values[i]! - refit[i]!));
  log(`shapley: ${n} sellers, ${fmt(1 << n)} coalitions, ${fmt(model.nTrain)} train + ${model.nTest} test hours`);
  log(
    `  gram ${fmt(gramMs, 1)} ms, refit ${fmt(refitMs, 0)} ms; ` +
      `largest difference in a value ${worst.toExponential(2)} pp`,
  );
  const ratioX = refitMs / gramMs;
  return [
    {
      benchmark: 'Shapley over 12 sellers: Gram sub-blocks vs refit from the data',
      tally: `${fmt(gramMs, 1)} ms`,
      baseline: `${fmt(refitMs, 0)} ms`,
      ratio: `${fmt(ratioX, 0)}× faster`,
      target: '≥ 20× faster',
      met: ratioX >= 20,
    },
    {
      benchmark: 'exact Shapley over 12 sellers, per bid',
      tally: `${fmt(gramMs, 1)} ms`,
      baseline: '',
      ratio: '',
      target: '< 1 s',
      met: gramMs < 1_000,
    },
  ];
}

export function benchMarket(): ReportRow[] {
  const sellers = whole(process.env.BENCH_MARKET_SELLERS, 100, 21, 400, 'BENCH_MARKET_SELLERS');
  const hours = whole(process.env.BENCH_MARKET_HOURS, 8_760, 2_000, 8_760, 'BENCH_MARKET_HOURS');
  return [sessionPart(sellers, hours), ...shapleyParts()];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  log(
    `market engine benchmarks; machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ` +
      `Node ${process.version}`,
  );
  const rows = benchMarket();
  log('');
  log(formatTable(rows));
}
