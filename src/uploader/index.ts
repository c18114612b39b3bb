// The uploader: Ocean Protocol's uploader API (wire-compatible with `@oceanprotocol/uploader`) over
// storage providers that register themselves; quotes, signed uploads streamed to the provider,
// status, links and history. The composition root registers its routes, its job and its listener;
// the publications module uploads Tally's own documents through the same functions, as a client.
export { checkUploader } from './check.ts';
export { uploaderJob } from './jobs.ts';
export { expireProviders, PROVIDER_TTL_MS } from './providers.ts';
export { UploaderError } from './errors.ts';
export { listStorages, type StorageView } from './providers.ts';
export { createQuote, DONE, forwardUpload, QUOTE_TTL_MS, quoteLinks, startUpload, UPLOAD_FAILED } from './quotes.ts';
export { PREFIX as UPLOADER_PREFIX, startRegistrationListener, uploaderRoutes } from './routes.ts';
export { nextNonce, signedText } from './signed.ts';
