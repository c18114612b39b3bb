// `tally provider ipfs` as its own process: settings from the environment (a bad one stops it with
// exit code 2 naming the variable), registration with the uploader at start, a stop on SIGTERM.
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { recoverMessageSigner } from '../../src/chain/index.ts';
import { TALLY } from '../helpers/cli.ts';
import { PROVIDER_KEY, temporaryDir } from '../helpers/provider.ts';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('tally provider ipfs', () => {
  it('refuses bad settings with exit code 2, naming them', () => {
    const run = spawnSync(process.execPath, [...TALLY, 'provider', 'ipfs'], {
      env: { ...process.env, TALLY_PROVIDER_PRIVATE_KEY: '0x12', TALLY_PROVIDER_PRICE: 'cheap' },
      encoding: 'utf8',
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('TALLY_PROVIDER_PRIVATE_KEY');
    expect(run.stderr).toContain('TALLY_PROVIDER_PRICE');
  });

  it('serves, registers at start with a signature by its wallet, and stops on SIGTERM', async () => {
    const registrations: any[] = [];
    const uploader = createServer((request, response) => {
      let text = '';
      request.on('data', (chunk) => {
        text += chunk;
      });
      request.on('end', () => {
        registrations.push(JSON.parse(text));
        response.writeHead(201).end('{}');
      });
    });
    await new Promise<void>((resolve) => uploader.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise((resolve) => uploader.close(resolve)));
    const dir = await temporaryDir();
    cleanup.push(dir.remove);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const child = spawn(process.execPath, [...TALLY, 'provider', 'ipfs'], {
      env: {
        ...process.env,
        LOG_LEVEL: 'warn',
        TALLY_PROVIDER_PORT: String(port),
        TALLY_PROVIDER_URL: url,
        TALLY_PROVIDER_UPLOADER_URL: `http://127.0.0.1:${(uploader.address() as AddressInfo).port}`,
        TALLY_PROVIDER_PRIVATE_KEY: PROVIDER_KEY,
        TALLY_PROVIDER_DATA_DIR: dir.path,
      },
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    cleanup.push(async () => {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    });
    while (registrations.length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
    const [registration] = registrations;
    expect(registration).toMatchObject({ type: 'ipfs', url, payment: [] });
    const signer = await recoverMessageSigner(url, registration.signature);
    const info = await (await fetch(`${url}/`)).json();
    expect(info).toMatchObject({ type: 'ipfs', url, payment: [] });
    expect(signer).toMatch(/^0x[0-9a-fA-F]{40}$/);
    const q = await fetch(`${url}/getQuote`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'ipfs',
        files: [{ length: 1 }],
        duration: 0,
        payment: { chainId: 1, tokenAddress: '0x0000000000000000000000000000000000000000' },
        userAddress: signer,
      }),
    });
    expect(((await q.json()) as any).approveAddress).toBe(signer);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
