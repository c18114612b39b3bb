// The uploader: Ocean Protocol's uploader API (wire-compatible with `@oceanprotocol/uploader`) over
// storage providers that register themselves; quotes, signed uploads streamed to the provider,
// status, links and history. The composition root registers its routes, its job and its listener.
export { checkUploader } from './check.ts';
export { uploaderJob } from './jobs.ts';
export { expireProviders, PROVIDER_TTL_MS } from './providers.ts';
export { QUOTE_TTL_MS } from './quotes.ts';
export { PREFIX as UPLOADER_PREFIX, startRegistrationListener, uploaderRoutes } from './routes.ts';
export { signedText } from './signed.ts';
