// Random secrets handed to clients (verification links, refresh tokens, API keys) and their
// stored digests. These secrets carry 256 bits of entropy, so SHA-256 is the right digest;
// argon2id is kept for passwords, which people choose.
import { createHash, randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

export const newSecret = (prefix = ''): string => prefix + randomBytes(32).toString('base64url');
export const digest = (secret: string): string => createHash('sha256').update(secret).digest('hex');

/** argon2id, the library's default (its `Algorithm` enum is a const enum that erasable TypeScript cannot import). */
export const hashPassword = (password: string): Promise<string> => hash(password);
export const verifyPassword = (stored: string, password: string): Promise<boolean> => verify(stored, password);

/** Verified against when the email is unknown, so a login takes as long whether or not the user exists. */
let decoy: Promise<string> | undefined;
export const decoyHash = (): Promise<string> => (decoy ??= hashPassword(newSecret()));
