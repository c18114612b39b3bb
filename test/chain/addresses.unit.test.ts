// Addresses and message signatures, the chain module's pure half: EIP-55 against the EIP's own
// vectors, and EIP-191 recovery against signatures viem makes, malformed ones and a property.
import fc from 'fast-check';
import { recoverMessageAddress } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { describe, expect, it } from 'vitest';
import { checksumAddress, recoverMessageSigner } from '../../src/chain/index.ts';

// The test vectors of EIP-55 (https://eips.ethereum.org/EIPS/eip-55#test-cases): each is already
// in its checksummed form, the first two all caps and the next two all lowercase by chance.
const EIP55 = [
  '0x52908400098527886E0F7030069857D2E4169EE7',
  '0x8617E340B3D01FA5F11F306F4090FD50E238070D',
  '0xde709f2102306220921060314715629080e2fb77',
  '0x27b1fdb04752bbc536007a920d24acb045561c26',
  '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed',
  '0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359',
  '0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB',
  '0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb',
];

/** Hardhat's account #0: a published test key. */
const KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';
const SIGNER = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';

/** The secp256k1 group order. */
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/** `address` with the case of its first letter digit flipped: a checksum typed wrong. */
function flipFirstLetter(address: string): string {
  const i = address.slice(2).search(/[a-fA-F]/) + 2;
  const c = address[i]!;
  return address.slice(0, i) + (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()) + address.slice(i + 1);
}

describe('checksumAddress', () => {
  it('keeps every EIP-55 test vector as it is', () => {
    for (const vector of EIP55) expect(checksumAddress(vector)).toBe(vector);
  });

  it('checksums an all-lowercase or all-uppercase address, which carries no checksum', () => {
    for (const vector of EIP55) {
      const digits = vector.slice(2);
      expect(checksumAddress(`0x${digits.toLowerCase()}`)).toBe(vector);
      expect(checksumAddress(`0x${digits.toUpperCase()}`)).toBe(vector);
    }
  });

  it('refuses a mixed-case address whose checksum is wrong', () => {
    for (const vector of EIP55.slice(4)) expect(checksumAddress(flipFirstLetter(vector))).toBeUndefined();
  });

  it('refuses what is not 20 bytes of hex behind 0x', () => {
    const good = EIP55[4]!;
    for (const bad of [
      '',
      '0x',
      good.slice(2),
      `${good}00`,
      good.slice(0, -1),
      `0X${good.slice(2)}`,
      `${good.slice(0, -1)}g`,
      ` ${good}`,
      `${good}\n`,
    ]) {
      expect(checksumAddress(bad)).toBeUndefined();
    }
  });
});

describe('recoverMessageSigner', () => {
  const account = privateKeyToAccount(KEY);

  it('recovers the address of the key that signed a message with personal_sign', async () => {
    expect(account.address).toBe(SIGNER);
    const signature = await account.signMessage({ message: 'I hold this address: nonce 42' });
    expect(await recoverMessageSigner('I hold this address: nonce 42', signature)).toBe(SIGNER);
    expect(await recoverMessageSigner('I hold this address: nonce 43', signature)).not.toBe(SIGNER);
  });

  it('accepts v written as 0/1 as well as 27/28', async () => {
    const signature = await account.signMessage({ message: 'm' });
    const v = Number.parseInt(signature.slice(130), 16);
    const yParity = `0${v - 27}`;
    expect(await recoverMessageSigner('m', signature.slice(0, 130) + yParity)).toBe(SIGNER);
  });

  it('answers undefined for a malformed signature, and never throws', async () => {
    const signature = await account.signMessage({ message: 'm' });
    const r = signature.slice(2, 66);
    const s = signature.slice(66, 130);
    const zero = '0'.repeat(64);
    for (const bad of [
      '',
      '0x',
      'not a signature',
      signature.slice(2), // no 0x
      signature.slice(0, 130), // no v
      `${signature}1b`, // a byte too many
      `0x${r}${s}1d`, // v = 29
      `0x${r}${s}02`, // v = 2
      `0x${zero}${s}1b`, // r = 0
      `0x${r}${zero}1b`, // s = 0
      `0x${N.toString(16)}${s}1b`, // r = n, out of range
      `${signature.slice(0, -3)}z1b`, // not hex
    ]) {
      expect(await recoverMessageSigner('m', bad)).toBeUndefined();
    }
  });

  it("refuses a signature's high-s twin, which viem alone would accept", async () => {
    const signature = await account.signMessage({ message: 'm' });
    const s = BigInt(`0x${signature.slice(66, 130)}`);
    const v = Number.parseInt(signature.slice(130), 16);
    const twin =
      `0x${signature.slice(2, 66)}${(N - s).toString(16).padStart(64, '0')}${(v === 27 ? 28 : 27).toString(16)}` as const;
    expect(await recoverMessageAddress({ message: 'm', signature: twin })).toBe(SIGNER);
    expect(await recoverMessageSigner('m', twin)).toBeUndefined();
  });

  it('recovers the signer of any message, and never for another message (property)', async () => {
    const key = fc.bigInt({ min: 1n, max: N - 1n }).map((k) => `0x${k.toString(16).padStart(64, '0')}` as const);
    await fc.assert(
      fc.asyncProperty(key, fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), async (k, m, other) => {
        fc.pre(m !== other);
        const signer = privateKeyToAccount(k);
        const signature = await signer.signMessage({ message: m });
        expect(await recoverMessageSigner(m, signature)).toBe(signer.address);
        expect(await recoverMessageSigner(other, signature)).not.toBe(signer.address);
      }),
      { numRuns: 100 },
    );
  });
});
