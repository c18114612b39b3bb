// The chain's face: EVM access shared by the forecasting market and the uploader. Addresses as
// users type them, and who signed a message. Everything else in this folder is its own.
export { type Address, checksumAddress } from './addresses.ts';
export { recoverMessageSigner } from './signatures.ts';
