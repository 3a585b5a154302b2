/**
 * Session ids and service tokens: random secrets handed to the client once, stored only as a
 * SHA-256 digest (the secrets carry 256 random bits, so a fast digest is enough: nothing to
 * brute-force, and a request does not pay argon2's cost).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** SHA-256 of a secret, hex. */
export const digest = (secret: string): string => createHash('sha256').update(secret).digest('hex');

/** Constant-time comparison of two hex digests. */
export function sameDigest(a: string, b: string): boolean {
  const [x, y] = [Buffer.from(a, 'hex'), Buffer.from(b, 'hex')];
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

/** A new session id: 32 random bytes, base64url. */
export const newSessionId = (): string => randomBytes(32).toString('base64url');

/** A new service token: `gwt_<id>_<secret>`; `id` (16 hex) names it, `secret` (64 hex) proves it. */
export function newToken(): { id: string; secret: string; token: string } {
  const id = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('hex');
  return { id, secret, token: `gwt_${id}_${secret}` };
}

const TOKEN = /^gwt_([0-9a-f]{16})_([0-9a-f]{64})$/;

/** The id and secret of a token string, or null when it is not shaped like one. */
export function parseToken(token: string): { id: string; secret: string } | null {
  const m = TOKEN.exec(token);
  return m ? { id: m[1]!, secret: m[2]! } : null;
}

/** A random password for demo users: 18 base64url characters (108 bits). */
export const randomPassword = (): string => randomBytes(14).toString('base64url').slice(0, 18);
