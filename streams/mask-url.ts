/**
 * Masking of camera credentials in URLs and in free text (ffmpeg stderr, error messages).
 * Nothing here throws: a masking function that can fail would leak through its error path.
 */
import type { CameraSource } from './camera-source.ts';

/** What replaces a secret. */
export const MASK = '***';

/** Query parameters that carry credentials on some camera brands (`?user=admin&password=...`). */
const SECRET_QUERY_KEYS = /^(user(name)?|pass(word)?|pwd|passwd|token|auth|key|secret|api_?key|access_token)$/i;

/** A URL-like run inside free text: `scheme://` up to whitespace or a quote. */
const URL_IN_TEXT = /[a-z][a-z0-9+.-]*:\/\/[^\s'"<>]+/gi;

/**
 * `url` with its credentials replaced by `***`: `rtsp://admin:pw@10.0.0.5/live` becomes
 * `rtsp://***:***@10.0.0.5/live` (`***@` when there was a user only), and values of query
 * parameters named like credentials (`password=`, `user=`, `token=`...) become `***`.
 * Robust to malformed input: everything between the `//` and the last `@` is masked, so a
 * password holding a raw `/`, `?`, `#` or `@` does not leak (at worst the host is masked too).
 * Never throws.
 */
export function maskUrl(url: string): string {
  try {
    const s = String(url);
    const slashes = s.indexOf('//');
    const start = slashes === -1 ? 0 : slashes + 2;
    const at = s.lastIndexOf('@');
    let out = s;
    if (at >= start) {
      const userinfo = s.slice(start, at);
      out = `${s.slice(0, start)}${userinfo.includes(':') ? `${MASK}:${MASK}` : MASK}${s.slice(at)}`;
    }
    return maskQuery(out);
  } catch {
    return MASK;
  }
}

function maskQuery(url: string): string {
  const q = url.indexOf('?');
  if (q === -1) return url;
  const hash = url.indexOf('#', q);
  const end = hash === -1 ? url.length : hash;
  const params = url
    .slice(q + 1, end)
    .split(/([&;])/)
    .map((part) => {
      const eq = part.indexOf('=');
      if (eq === -1) return part;
      let key = part.slice(0, eq);
      try {
        key = decodeURIComponent(key);
      } catch {
        // keep the raw key
      }
      return SECRET_QUERY_KEYS.test(key) ? `${part.slice(0, eq)}=${MASK}` : part;
    })
    .join('');
  return `${url.slice(0, q + 1)}${params}${url.slice(end)}`;
}

/** Every spelling a secret may take in ffmpeg's output or an error message. */
function spellings(secret: string): string[] {
  const forms = new Set<string>([secret, encodeURIComponent(secret), encodeURI(secret)]);
  try {
    forms.add(decodeURIComponent(secret));
  } catch {
    // not percent-encoded: nothing more to add
  }
  return [...forms].filter((f) => f.length > 0).sort((a, b) => b.length - a.length);
}

function replaceAll(text: string, needle: string, by: string): string {
  return needle.length === 0 ? text : text.split(needle).join(by);
}

/**
 * Minimum length of a user name that `maskSecrets` removes from free text. Shorter names
 * (`a`, `ad`) would shred every word they occur in; they are still masked inside URLs.
 */
export const MIN_MASKED_USERNAME_LENGTH = 3;

/**
 * `text` (ffmpeg stderr, an error message) with the camera's secrets removed: the full URL as
 * given and with credentials merged, every URL-looking run masked with `maskUrl`, then the
 * password (plain, percent-encoded, or as HTTP Basic base64 of `user:password`) and the user
 * name (when at least `MIN_MASKED_USERNAME_LENGTH` characters) anywhere else. A password is
 * removed whatever its length. Never throws.
 */
export function maskSecrets(text: string, source: Pick<CameraSource, 'url' | 'username' | 'password'>): string {
  try {
    let out = String(text);
    const { username, password } = source;
    out = replaceAll(out, source.url, maskUrl(source.url));
    out = out.replace(URL_IN_TEXT, (u) => maskUrl(u));
    if (password !== undefined && password.length > 0) {
      out = replaceAll(out, Buffer.from(`${username ?? ''}:${password}`).toString('base64'), MASK);
      for (const form of spellings(password)) out = replaceAll(out, form, MASK);
    }
    if (username !== undefined && username.length >= MIN_MASKED_USERNAME_LENGTH) {
      for (const form of spellings(username)) out = replaceAll(out, form, MASK);
    }
    for (const secret of embeddedSecrets(source.url)) {
      for (const form of spellings(secret)) out = replaceAll(out, form, MASK);
    }
    return out;
  } catch {
    return MASK;
  }
}

/** Password (and user name, when long enough) embedded in `url`, decoded. */
function embeddedSecrets(url: string): string[] {
  const slashes = url.indexOf('//');
  const at = url.lastIndexOf('@');
  if (slashes === -1 || at < slashes + 2) return [];
  const userinfo = url.slice(slashes + 2, at);
  const colon = userinfo.indexOf(':');
  const user = colon === -1 ? userinfo : userinfo.slice(0, colon);
  const pass = colon === -1 ? '' : userinfo.slice(colon + 1);
  const out: string[] = [];
  if (pass.length > 0) out.push(pass);
  if (user.length >= MIN_MASKED_USERNAME_LENGTH) out.push(user);
  return out;
}
