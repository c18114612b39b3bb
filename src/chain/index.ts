// The chain's face: EVM access shared by the forecasting market and the uploader. Addresses as
// users type them, who signed a message, and one ERC-20 token rail (check a payment, pay out,
// count confirmations, read a balance). Everything else in this folder is its own.
export { type Address, checksumAddress } from './addresses.ts';
export { connectChain, type Hash, type TokenRail } from './rail.ts';
export { recoverMessageSigner } from './signatures.ts';
export type { TransferCheck } from './transfer-check.ts';
