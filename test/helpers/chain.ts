// A real EVM chain for tests: Hardhat's EDR node in this process, on a free loopback port, with two
// ERC-20 tokens deployed and a few known accounts holding both. It automines with no interval:
// each transaction is mined in a block of its own as it arrives, and no other block comes until the
// test mines one, so a transaction's confirmations are exactly what the test made them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHardhatRuntimeEnvironment } from 'hardhat/hre';
import solc from 'solc';
import {
  type Abi,
  createPublicClient,
  createTestClient,
  createWalletClient,
  encodeFunctionData,
  erc20Abi,
  getAddress,
  type Hex,
  http,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { hardhat } from 'viem/chains';
import type { Address, Hash } from '../../src/chain/index.ts';

const ROOT = join(import.meta.dirname, '..', '..');

/**
 * Hardhat's default accounts #0–#3 (mnemonic "test test … junk", m/44'/60'/0'/0/i), which its node
 * funds with ether. Their keys are published everywhere: never for anything but a test chain.
 */
const KEYS: Hex[] = [
  '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
  '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
  '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a',
  '0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6',
];

/** What account #0 mints of each token, and what it then hands each other account. */
const SUPPLY = 10n ** 24n;
const FUNDS = 10n ** 21n;

export interface TestAccount {
  address: Address;
  privateKey: Hex;
}

export interface TestChain {
  rpcUrl: string;
  chainId: number;
  token: Address;
  /** A second token of the same code at another address: a payment in it is in the wrong token. */
  otherToken: Address;
  accounts: TestAccount[];
  /** An ERC-20 transfer of `token` (by default the first), mined at once. */
  transfer(fromKey: Hex, to: Address, amount: bigint, token?: Address): Promise<Hash>;
  mine(blocks: number): Promise<void>;
  /** A transfer of more than `fromKey` holds, mined with status 0 (reverted). */
  revertingTransfer(fromKey: Hex, to: Address, amount: bigint): Promise<Hash>;
  close(): Promise<void>;
}

interface Artifact {
  abi: Abi;
  bytecode: Hex;
}

// The smallest real ERC-20: OpenZeppelin's, minting its supply to one holder. Compiled for
// shanghai, which Ganache runs as well (solc's default, osaka, emits MCOPY, which it lacks).
const SOURCE = `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;
import "@openzeppelin/contracts/token/ERC20/ERC20.sol";
contract T is ERC20 {
  constructor(address to, uint256 a) ERC20("Test token", "TT") { _mint(to, a); }
}`;

let artifact: Artifact | undefined;

/** The token's ABI and bytecode, compiled once per process (solc-js takes most of a second). */
function compiled(): Artifact {
  if (artifact !== undefined) return artifact;
  const input = {
    language: 'Solidity',
    sources: { 'T.sol': { content: SOURCE } },
    settings: { evmVersion: 'shanghai', outputSelection: { 'T.sol': { T: ['abi', 'evm.bytecode.object'] } } },
  };
  const readImport = (path: string) => {
    try {
      return { contents: readFileSync(join(ROOT, 'node_modules', path), 'utf8') };
    } catch {
      return { error: `${path} is not in node_modules` };
    }
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: readImport }));
  const errors = (output.errors ?? []).filter((e: any) => e.severity === 'error');
  if (errors.length > 0) throw new Error(errors.map((e: any) => e.formattedMessage).join('\n'));
  const t = output.contracts['T.sol'].T;
  artifact = { abi: t.abi, bytecode: `0x${t.evm.bytecode.object}` };
  return artifact;
}

export async function startChain(): Promise<TestChain> {
  const { abi, bytecode } = compiled();
  const hre = await createHardhatRuntimeEnvironment({}, {}, ROOT);
  // A failed transaction is mined with status 0 and its hash returned, as a real node does,
  // instead of Hardhat's default of answering eth_sendRawTransaction with the revert.
  const server = await hre.network.createServer(
    { network: 'default', override: { throwOnTransactionFailures: false } },
    '127.0.0.1',
    0,
  );
  const { address, port } = await server.listen();
  const rpcUrl = `http://${address}:${port}`;
  const transport = http(rpcUrl);
  const reader = createPublicClient({ chain: hardhat, transport });
  const tester = createTestClient({ mode: 'hardhat', chain: hardhat, transport });
  const wallet = (key: Hex) => createWalletClient({ account: privateKeyToAccount(key), chain: hardhat, transport });
  const accounts = KEYS.map((privateKey) => ({ address: privateKeyToAccount(privateKey).address, privateKey }));
  const [holder, ...others] = accounts as [TestAccount, ...TestAccount[]];

  // Automine mines each transaction as the node takes it: its receipt is there at once, and a
  // missing one (automine left off) fails the test here rather than somewhere later.
  const mined = async (hash: Hash) => {
    await reader.getTransactionReceipt({ hash });
    return hash;
  };
  const deploy = async () => {
    const hash = await wallet(holder.privateKey).deployContract({ abi, bytecode, args: [holder.address, SUPPLY] });
    const { contractAddress } = await reader.getTransactionReceipt({ hash });
    return getAddress(contractAddress!);
  };
  const token = await deploy();
  const otherToken = await deploy();
  const transfer = async (fromKey: Hex, to: Address, amount: bigint, which: Address = token) =>
    mined(
      await wallet(fromKey).writeContract({
        address: which,
        abi: erc20Abi,
        functionName: 'transfer',
        args: [to, amount],
      }),
    );
  for (const which of [token, otherToken]) {
    for (const { address } of others) await transfer(holder.privateKey, address, FUNDS, which);
  }

  return {
    rpcUrl,
    chainId: await reader.getChainId(),
    token,
    otherToken,
    accounts,
    transfer,
    mine: (blocks) => tester.mine({ blocks }),
    // An explicit gas limit skips viem's estimate, which would refuse the call before sending it.
    revertingTransfer: async (fromKey, to, amount) =>
      mined(
        await wallet(fromKey).sendTransaction({
          to: token,
          data: encodeFunctionData({ abi: erc20Abi, functionName: 'transfer', args: [to, amount] }),
          gas: 100_000n,
        }),
      ),
    close: () => server.close(),
  };
}
