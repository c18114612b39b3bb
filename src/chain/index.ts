// The chain's face: EVM access shared by the forecasting market and the uploader. Addresses as
// users type them, who signed a message, and one ERC-20 token rail (check a payment, pay out,
// count confirmations, read a balance), and a key's wallet for any ERC-20 token (pull approved
// tokens, approve a spender). Everything else in this folder is its own.
export { type Address, checksumAddress } from './addresses.ts';
export { connectChain, type Hash, type TokenRail } from './rail.ts';
export { type MessageSigner, messageSigner, recoverMessageSigner } from './signatures.ts';
export { type Mined, type Pulled, type TokenWallet, tokenWallet } from './wallet.ts';
export type { TransferCheck } from './transfer-check.ts';
