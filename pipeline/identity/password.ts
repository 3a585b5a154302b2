/**
 * Password hashing: argon2id through @node-rs/argon2 (maintained, prebuilt binaries, no
 * node-gyp). Parameters are the library's defaults (OWASP's argon2id minimum: m=19 MiB, t=2, p=1).
 */
import { hash, verify } from '@node-rs/argon2';

/** Hashes a password into a self-describing PHC string ($argon2id$...). */
export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

/** True when `password` matches the PHC `stored` hash; false for a malformed hash. */
export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

let dummy: Promise<string> | undefined;
/**
 * Spends the time of one verification against a throwaway hash, so a login for an unknown user
 * takes as long as one with a wrong password (no user enumeration by timing).
 */
export async function burnVerification(password: string): Promise<void> {
  dummy ??= hash('gridworker-timing-equaliser');
  await verifyPassword(await dummy, password);
}
