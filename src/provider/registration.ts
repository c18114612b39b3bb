// Registering with Tally's uploader: at start and then on an interval, POST {uploaderUrl}/register
// with what it stores, how it takes payment and where it answers, signed (EIP-191 personal_sign
// over the url) by its wallet. The uploader drops providers that stop registering, so this repeats
// for as long as the provider runs; a failure is logged and the next round tries again.
import type { Logger } from 'pino';
import { privateKeyToAccount } from 'viem/accounts';
import type { ProviderConfig } from './config.ts';

export interface Registration {
  type: string;
  description: string;
  url: string;
  payment: { chainId: number; acceptedTokens: Record<string, string>[] }[];
  signature: string;
}

/** What the provider sends to /register. Free mode lists its chain (if configured) with no tokens. */
export async function registration(config: ProviderConfig, url: string): Promise<Registration> {
  const account = privateKeyToAccount(config.privateKey);
  return {
    type: config.type,
    description: config.description,
    url,
    payment:
      config.chain === undefined
        ? []
        : [
            {
              chainId: config.chain.chainId,
              acceptedTokens: config.tokens.map((t) => ({ [t.symbol]: t.address })),
            },
          ],
    signature: await account.signMessage({ message: url }),
  };
}

/**
 * Registers `url` now and every `registerIntervalMs`; the returned function stops it. Resolves once
 * the first attempt has answered (or failed: it is retried), so a provider that starts is listed as
 * soon as its uploader took it.
 */
export async function keepRegistered(config: ProviderConfig, url: string, log: Logger): Promise<() => void> {
  const uploaderUrl = config.uploaderUrl;
  if (uploaderUrl === undefined) {
    log.warn('TALLY_PROVIDER_UPLOADER_URL is not set: the provider registers nowhere');
    return () => {};
  }
  let stopped = false;
  const once = async () => {
    try {
      const response = await fetch(`${uploaderUrl}/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(await registration(config, url)),
        signal: AbortSignal.timeout(10_000),
      });
      if (response.ok) log.info({ uploader: uploaderUrl, status: response.status }, 'registered with the uploader');
      else
        log.warn(
          { uploader: uploaderUrl, status: response.status, body: (await response.text()).slice(0, 500) },
          'the uploader refused the registration; trying again later',
        );
    } catch (error) {
      if (!stopped)
        log.warn({ uploader: uploaderUrl, err: error }, 'could not reach the uploader to register; trying again later');
    }
  };
  await once();
  const timer = setInterval(() => void once(), config.registerIntervalMs);
  timer.unref();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
