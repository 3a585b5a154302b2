/**
 * One camera the patrol visits, and how its stream URL is put together.
 */

/**
 * A camera as the registry knows it. Credentials may sit inside `url`
 * (`rtsp://user:pass@host/path`) or be given apart in `username` / `password`;
 * the separate fields win over credentials embedded in the URL.
 * Every text that leaves the streams module passes through `maskUrl` / `maskSecrets`.
 */
export interface CameraSource {
  /** Stable camera id, used in errors, logs and health state (e.g. `cam-12`). */
  readonly id: string;
  /** `rtsp://` (or `rtsps://`) URL of the stream; may contain credentials. */
  readonly url: string;
  /** User name, plain text (not URL-encoded). */
  readonly username?: string;
  /** Password, plain text (not URL-encoded). */
  readonly password?: string;
}

/** `scheme://` then an optional `userinfo@` inside the authority, then the rest. */
const URL_PARTS = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*@)?(.*)$/is;

/**
 * The URL handed to ffmpeg: `source.url` with `username` / `password` merged in, each
 * percent-encoded with `encodeURIComponent` (ffmpeg URL-decodes RTSP credentials before it
 * builds the Basic or Digest answer, so `p@ss:w/rd` survives the trip). Credentials already in
 * the URL are replaced when either separate field is given. Returns `source.url` unchanged when
 * neither field is set. Throws `TypeError` (message without secrets) when credentials are given
 * but the URL has no `scheme://` to put them after.
 */
export function resolveUrl(source: CameraSource): string {
  const { username, password } = source;
  if (username === undefined && password === undefined) return source.url;
  const m = URL_PARTS.exec(source.url);
  if (!m) throw new TypeError(`camera ${source.id}: URL has no scheme://host part to add credentials to`);
  const user = encodeURIComponent(username ?? '');
  const userinfo = password === undefined ? `${user}@` : `${user}:${encodeURIComponent(password)}@`;
  return `${m[1]!}${userinfo}${m[3]!}`;
}
