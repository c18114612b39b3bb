// Upload (issue 11): one file of BENCH_UPLOAD_MIB MiB (default 1,024: 1 GiB) of random bytes through
// Tally's uploader to the reference storage provider, against a plain `cp` of the same file on the
// same disk, in free mode (no tokens: the data path alone); then the same file through Tally to a
// provider that keeps nothing (discard-provider.ts), which shows Tally's part alone.
//
// Tally (`tally serve`) and the providers (`tally provider ipfs`, discard-provider.js) run as child
// processes of the built dist/, so each one's memory is its own. Their resident set (VmRSS in /proc/PID/status) is sampled
// every few milliseconds during the upload, and the kernel's high-water mark (VmHWM) read after it
// catches a peak between two samples. This process is the client: it streams the multipart body
// from the file on disk (node:http, 1 MiB reads into two reused buffers), never holding the file in
// memory.
//
// Everything lives in one temporary directory under $TMPDIR: the source file, cp's copy, Tally's
// embedded database (or a throwaway database on DATABASE_URL's server) and the provider's data
// directory. Timed: `cp SOURCE COPY` as a child process, from spawn to exit, once before the uploads
// and once after (the faster is the baseline), and each upload request, from its first byte sent
// to Tally's answer (the provider has stored the file by then: status 400). Before each timed step
// `sync` writes back what earlier steps left dirty, so each starts from the same state: the
// source in the page cache, no writeback pending. Not timed: writing the source, quoting, and
// reading the stored file back by its CID to check its SHA-256.
//
// BENCH_UPLOAD_PROFILE=DIR runs both services with --cpu-prof and --heap-prof, writing their
// profiles (named by process id, which the run prints) into DIR when they stop. The run prints when
// the upload began and ended on the profiles' clock.
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes, randomFillSync } from 'node:crypto';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { privateKeyToAccount } from 'viem/accounts';
import { fmt, type ReportRow } from './measure.ts';
import { throwawayDatabase } from './target.ts';

const MIB = 2 ** 20;
/** The command both services run: the built CLI beside this file's directory in dist/. */
const CLI = fileURLToPath(new URL('../src/cli.js', import.meta.url));
/** The provider that keeps nothing (discard-provider.ts), built beside this file. */
const DISCARD = fileURLToPath(new URL('./discard-provider.js', import.meta.url));
/** Hardhat's published test accounts #5 (the provider's wallet) and #1 (the uploading user). */
const PROVIDER_KEY = '0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba';
const USER_KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';
const SAMPLE_MS = 5;
/** The targets: throughput at least half of cp's, Tally's peak RSS less than 100 MB above where it started. */
const TARGET_RATIO = 0.5;
const TARGET_GROWTH_MB = 100;

export interface Memory {
  /** Resident set just before the upload, bytes. */
  before: number;
  /** Highest resident set seen during it, bytes. */
  peak: number;
}

export interface UploadResult {
  bytes: number;
  /** cp before the uploads, and after them. */
  cpMs: [number, number];
  /** Through Tally to the reference provider (`tally provider ipfs`), which stores the file. */
  stored: Upload;
  /** Through Tally to a provider that drops the bytes: Tally's part of the data path alone. */
  dropped: Upload;
}

export function uploadMib(env: string | undefined): number {
  if (env === undefined || env === '') return 1024;
  const n = Number(env);
  if (!Number.isSafeInteger(n) || n < 1 || n > 16_384)
    throw new Error(`BENCH_UPLOAD_MIB must be a whole number from 1 to 16,384, not ${env}`);
  return n;
}

/** A port no one listens on right now. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

/** Runs a command to its end; its wall time in milliseconds, from spawn to exit. */
async function run(command: string, args: string[]): Promise<number> {
  const start = performance.now();
  const child = spawn(command, args, { stdio: 'ignore' });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${code}`);
  return performance.now() - start;
}

/** Writes `mib` MiB of random bytes to `path` (every MiB differs: no block repeats); their SHA-256. */
async function writeSource(path: string, mib: number): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(async function* () {
    for (let i = 0; i < mib; i++) {
      const chunk = randomFillSync(Buffer.allocUnsafe(MIB));
      hash.update(chunk);
      yield chunk;
    }
  }, createWriteStream(path));
  return hash.digest('hex');
}

interface Service {
  pid: number;
  /** The end of what it wrote to stdout and stderr, for an error message. */
  output(): string;
  exited(): boolean;
  stop(): Promise<void>;
}

/** process.env without the settings of Tally and its provider, then `vars`. */
function serviceEnv(vars: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env))
    if (!/^(TALLY_|DATABASE_URL$|PORT$|HOST$|LOG_LEVEL$)/.test(key)) env[key] = value;
  return { ...env, LOG_LEVEL: 'warn', ...vars };
}

/** Node's flags for a service: profilers writing into BENCH_UPLOAD_PROFILE, if set. */
function profiling(dir: string | undefined): string[] {
  if (dir === undefined || dir === '') return [];
  return ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--heap-prof', `--heap-prof-dir=${dir}`];
}

/** Runs a script of the build (`args`: its path, then its arguments) as a process of its own. */
function startService(args: string[], vars: Record<string, string>): Service {
  const flags = profiling(process.env.BENCH_UPLOAD_PROFILE);
  const child: ChildProcess = spawn(process.execPath, [...flags, ...args], {
    env: serviceEnv(vars),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exit = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', (err) => {
      tail += String(err);
      resolve();
    });
  });
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  return {
    pid: child.pid ?? -1,
    output: () => tail,
    exited,
    async stop() {
      if (exited()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exit;
      clearTimeout(timer);
    },
  };
}

/** Asks `ready` every 100 ms until it answers true; fails when a service dies or after a minute. */
async function until(what: string, services: Service[], ready: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const dead = services.find((s) => s.exited());
    if (dead) throw new Error(`${what}: a service stopped:\n${dead.output()}`);
    if (await ready().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what}: not within a minute\n${services.map((s) => s.output())}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A process's resident set and its high-water mark, in bytes, from /proc. */
function memoryOf(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const bytes = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]) * 1024;
  return { rss: bytes('VmRSS'), hwm: bytes('VmHWM') };
}

/** The CPU time a process has used, in ms: in all, and in the kernel. */
function cpuOf(pid: number): { cpuMs: number; systemMs: number } {
  // utime and stime, the 14th and 15th fields, in clock ticks of 10 ms; the name before them may hold spaces.
  const [utime, stime] = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ').slice(11, 13);
  return { cpuMs: (Number(utime) + Number(stime)) * 10, systemMs: Number(stime) * 10 };
}

export interface Use extends Memory {
  cpuMs: number;
  systemMs: number;
}

/** Samples a process's resident set until `stop`: where it stood at the start, its peak since, and the CPU it used. */
function watch(pid: number): { stop(): Use } {
  const start = { ...memoryOf(pid), ...cpuOf(pid) };
  let peak = start.rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, memoryOf(pid).rss);
  }, SAMPLE_MS);
  return {
    stop() {
      clearInterval(timer);
      const end = { ...memoryOf(pid), ...cpuOf(pid) };
      // A peak between two samples raised the high-water mark, if it went past the one before.
      if (end.hwm > start.hwm) peak = Math.max(peak, end.hwm);
      return {
        before: start.rss,
        peak: Math.max(peak, end.rss),
        cpuMs: end.cpuMs - start.cpuMs,
        systemMs: end.systemMs - start.systemMs,
      };
    },
  };
}

async function json(url: string, body?: unknown): Promise<any> {
  const response = await fetch(url, {
    method: body === undefined ? 'GET' : 'POST',
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  const answer = await response.json();
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status} ${JSON.stringify(answer)}`);
  return answer;
}

/** Ocean's signed query: the user's EIP-191 signature over "0x" + hex(SHA-256(quoteId + nonce)). */
async function signed(quoteId: string, nonce: number): Promise<string> {
  const digest = createHash('sha256').update(`${quoteId}${nonce}`, 'utf8').digest('hex');
  const signature = await privateKeyToAccount(USER_KEY).signMessage({ message: `0x${digest}` });
  return new URLSearchParams({ quoteId, nonce: String(nonce), signature }).toString();
}

/**
 * POSTs the file at `path` as the multipart field file1, read from disk as it is sent, into two
 * buffers in turn: one is read into while the other is written out. A stream of the file would
 * allocate a buffer per read, and a gigabyte of them kept this process's garbage collector busier
 * than the services it measures.
 */
function postFile(url: string, path: string, bytes: number): Promise<{ status: number; body: any }> {
  const boundary = `tally-bench-${randomBytes(8).toString('hex')}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file1"; filename="bench.bin"\r\n` +
      'Content-Type: application/octet-stream\r\n\r\n',
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        headers: {
          'content-type': `multipart/form-data; boundary=${boundary}`,
          'content-length': head.length + bytes + tail.length,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    const write = (chunk: Buffer) =>
      new Promise<void>((done, fail) => req.write(chunk, (err) => (err ? fail(err) : done())));
    const send = async () => {
      const file = await open(path);
      try {
        const buffers = [Buffer.allocUnsafe(MIB), Buffer.allocUnsafe(MIB)];
        let written = write(head);
        for (let offset = 0, i = 0; offset < bytes; i = 1 - i) {
          // buffers[i] was last written two turns ago, and that write has finished (awaited below).
          const { bytesRead } = await file.read(buffers[i]!, 0, MIB, offset);
          if (bytesRead === 0) throw new Error(`${path} ended at ${offset} of ${bytes} bytes`);
          offset += bytesRead;
          await written;
          written = write(buffers[i]!.subarray(0, bytesRead));
        }
        await written;
        req.end(tail);
      } finally {
        await file.close();
      }
    };
    send().catch((err: unknown) => {
      req.destroy(err as Error);
      reject(err);
    });
  });
}

/** The SHA-256 of what `url` answers, read as it arrives. */
async function sha256Of(url: string): Promise<string> {
  const response = await fetch(url);
  if (!response.ok || response.body === null) throw new Error(`${url}: HTTP ${response.status}`);
  const hash = createHash('sha256');
  for await (const chunk of response.body) hash.update(chunk);
  return hash.digest('hex');
}

/** One upload through Tally: how long it took, and what Tally, the provider and this client used meanwhile. */
export interface Upload {
  ms: number;
  tally: Use;
  provider: Use;
  client: Use;
}

interface Uploader {
  url: string;
  tallyPid: number;
  /** Signs a query on a quote (nonces increase from one call to the next). */
  signed(quoteId: string): Promise<string>;
}

/** Quotes, then uploads the file at `path` to the storage `type` through Tally, watching both services. */
async function uploadThrough(
  tally: Uploader,
  type: string,
  providerPid: number,
  path: string,
  bytes: number,
  log: (line: string) => void,
): Promise<Upload & { quoteId: string }> {
  const { quoteId } = await json(`${tally.url}/uploader/getQuote`, {
    type,
    files: [{ length: bytes }],
    duration: 3600,
    payment: { chainId: 1, tokenAddress: '0x0000000000000000000000000000000000000000' },
    userAddress: privateKeyToAccount(USER_KEY).address,
  });
  const query = await tally.signed(quoteId);
  await run('sync', []);
  const load = loadavg().map((l) => fmt(l, 1));
  const watched = { tally: watch(tally.tallyPid), provider: watch(providerPid), client: watch(process.pid) };
  const start = performance.now();
  const clock = process.hrtime.bigint();
  const answer = await postFile(`${tally.url}/uploader/upload?${query}`, path, bytes);
  const ms = performance.now() - start;
  const end = process.hrtime.bigint();
  const use = { tally: watched.tally.stop(), provider: watched.provider.stop(), client: watched.client.stop() };
  if (answer.status !== 200) throw new Error(`upload to ${type}: HTTP ${answer.status} ${JSON.stringify(answer.body)}`);
  const { status } = await json(`${tally.url}/uploader/getStatus?quoteId=${quoteId}`);
  if (status !== 400) throw new Error(`upload to ${type}: status ${status}, not 400`);
  log(`  to ${type}: ${fmt(ms)} ms, status 400 (load average ${load.join(', ')} before, ${fmt(cpus().length)} cores)`);
  const mb = (n: number) => fmt(n / MIB);
  log(
    `    RSS: Tally ${mb(use.tally.before)} → ${mb(use.tally.peak)} MB, ` +
      `provider ${mb(use.provider.before)} → ${mb(use.provider.peak)} MB`,
  );
  log(
    `    CPU time: ${Object.entries({ Tally: use.tally, provider: use.provider, 'this client': use.client })
      .map(([name, u]) => `${name} ${fmt(u.cpuMs)} ms (${fmt(u.systemMs)} in the kernel)`)
      .join(', ')}`,
  );
  // On the clock of V8's profiles and of `perf record -k CLOCK_MONOTONIC`, to cut them to the upload.
  log(`    from ${clock / 1000n} to ${end / 1000n} µs on the monotonic clock`);
  return { ms, ...use, quoteId };
}

export async function benchUpload(
  databaseUrl: string | undefined,
  mib: number,
  log: (line: string) => void,
): Promise<UploadResult> {
  if (!existsSync(CLI)) throw new Error(`the upload benchmark runs the built ${CLI}: npm run build`);
  const bytes = mib * MIB;
  const dir = await mkdtemp(join(tmpdir(), 'tally-bench-upload-'));
  const services: Service[] = [];
  const database = databaseUrl ? await throwawayDatabase(databaseUrl) : undefined;
  try {
    const source = join(dir, 'source.bin');
    const copy = join(dir, 'copy.bin');
    log(`upload: ${fmt(mib)} MiB of random bytes in ${dir}`);
    const digest = await writeSource(source, mib);
    const cp = async () => {
      await run('sync', []);
      const ms = await run('cp', [source, copy]);
      await rm(copy);
      return ms;
    };
    const cpBefore = await cp();

    const [port, privatePort, providerPort, discardPort] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    const tallyUrl = `http://127.0.0.1:${port}`;
    const privateUrl = `http://127.0.0.1:${privatePort}`;
    const providerUrl = `http://127.0.0.1:${providerPort}`;
    const discardUrl = `http://127.0.0.1:${discardPort}`;
    const tally = startService([CLI, 'serve'], {
      PORT: String(port),
      HOST: '127.0.0.1',
      ...(database ? { DATABASE_URL: database.url } : { TALLY_DATA_DIR: join(dir, 'tally') }),
      TALLY_UPLOADER_PRIVATE_PORT: String(privatePort),
      TALLY_UPLOADER_APPROVED_ADDRESSES: privateKeyToAccount(PROVIDER_KEY).address,
      TALLY_UPLOADER_MAX_BYTES: String(bytes),
      TALLY_PUBLIC_RATE_LIMIT: '100000',
    });
    services.push(tally);
    await until('Tally serving', services, async () => (await fetch(`${tallyUrl}/uploader/`)).ok);
    const provider = startService([CLI, 'provider', 'ipfs'], {
      TALLY_PROVIDER_PORT: String(providerPort),
      TALLY_PROVIDER_URL: providerUrl,
      TALLY_PROVIDER_UPLOADER_URL: privateUrl,
      TALLY_PROVIDER_PRIVATE_KEY: PROVIDER_KEY,
      TALLY_PROVIDER_DATA_DIR: join(dir, 'provider'),
    });
    const discard = startService([DISCARD, String(discardPort)], {});
    services.push(provider, discard);
    // The discarding provider is registered by this process, with the reference provider's wallet.
    await until('the providers registered', services, async () => {
      const types = (await json(`${tallyUrl}/uploader/`)).map((s: { type: string }) => s.type);
      if (!types.includes('discard'))
        await json(`${privateUrl}/register`, {
          type: 'discard',
          description: 'keeps nothing (the upload benchmark)',
          url: discardUrl,
          payment: [],
          signature: await privateKeyToAccount(PROVIDER_KEY).signMessage({ message: discardUrl }),
        });
      return types.includes('ipfs') && types.includes('discard');
    });
    log(`  Tally is process ${tally.pid}, the provider ${provider.pid}, the discarding provider ${discard.pid}`);
    let nonce = Date.now();
    const uploader: Uploader = { url: tallyUrl, tallyPid: tally.pid, signed: (quoteId) => signed(quoteId, ++nonce) };

    const stored = await uploadThrough(uploader, 'ipfs', provider.pid, source, bytes, log);
    const [link] = await json(`${tallyUrl}/uploader/getLink?${await uploader.signed(stored.quoteId)}`);
    if ((await sha256Of(`${providerUrl}/ipfs/${link.CID}`)) !== digest)
      throw new Error(`upload: the bytes stored as ${link.CID} are not the file's`);
    log(`    stored as ${link.CID}, read back by it: the same SHA-256`);
    const dropped = await uploadThrough(uploader, 'discard', discard.pid, source, bytes, log);
    const cpAfter = await cp();
    log(`  cp ${fmt(cpBefore)} ms before the uploads, ${fmt(cpAfter)} ms after`);
    return { bytes, cpMs: [cpBefore, cpAfter], stored, dropped };
  } finally {
    for (const s of services.reverse()) await s.stop();
    await database?.drop();
    await rm(dir, { recursive: true, force: true });
  }
}

export function uploadRows(r: UploadResult): ReportRow[] {
  const cpMs = Math.min(...r.cpMs);
  const size = r.bytes % 2 ** 30 === 0 ? `${r.bytes / 2 ** 30} GiB` : `${fmt(r.bytes / MIB)} MiB`;
  const growth = (m: Memory) => (m.peak - m.before) / MIB;
  const time = (u: Upload) => ({
    tally: `${fmt(u.ms / 1000, 2)} s (${fmt(r.bytes / MIB / (u.ms / 1000))} MiB/s)`,
    baseline: `${fmt(cpMs / 1000, 2)} s (cp)`,
    ratio: `${fmt(cpMs / u.ms, 2)} × cp`,
  });
  const memory = (what: string, m: Memory) => ({
    benchmark: `  ${what} (${fmt(m.before / MIB)} MB before)`,
    tally: `${fmt(growth(m))} MB`,
    baseline: '',
    ratio: '',
  });
  return [
    {
      benchmark: `upload of one ${size} file through Tally to the provider`,
      ...time(r.stored),
      target: `≥ ${fmt(TARGET_RATIO, 2)} × cp`,
      met: cpMs / r.stored.ms >= TARGET_RATIO,
    },
    {
      ...memory("Tally's peak RSS growth during it", r.stored.tally),
      target: `< ${TARGET_GROWTH_MB} MB`,
      met: growth(r.stored.tally) < TARGET_GROWTH_MB,
    },
    { ...memory("the provider's peak RSS growth", r.stored.provider), target: '', met: null },
    {
      benchmark: '  the same to a provider that keeps nothing (Tally alone)',
      ...time(r.dropped),
      target: '',
      met: null,
    },
    { ...memory("Tally's peak RSS growth during that", r.dropped.tally), target: '', met: null },
  ];
}
