// The ERC-20 interface the rail pays out through: viem's erc20Abi and the errors ERC-6093 gives a
// transfer, which OpenZeppelin 5 tokens revert with. Knowing them, viem names a refused payout's
// reason (ERC20InsufficientBalance(sender, balance, needed)) instead of an unrecognised selector.
import { erc20Abi, parseAbi } from 'viem';

export const tokenAbi = [
  ...erc20Abi,
  ...parseAbi([
    'error ERC20InsufficientBalance(address sender, uint256 balance, uint256 needed)',
    'error ERC20InvalidSender(address sender)',
    'error ERC20InvalidReceiver(address receiver)',
  ]),
] as const;
