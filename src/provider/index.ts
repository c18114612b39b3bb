// The reference storage provider (`tally provider ipfs`): a separate service in the same package,
// storing uploads forwarded by Tally's uploader as IPFS content. It uses platform and chain only and
// keeps its own state under its data directory; it never opens Tally's database.
export { loadProviderConfig, providerConfigReference, type ProviderConfig } from './config.ts';
export { type RunningProvider, startProvider } from './server.ts';
export { STATUS as UPLOAD_STATUS } from './store.ts';
