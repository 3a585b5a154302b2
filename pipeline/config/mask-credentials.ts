/**
 * `maskUrl(url)`: a URL with its credentials hidden for logs and the API
 * (`rtsp://admin:secret@10.0.0.5/live` -> `rtsp://***:***@10.0.0.5/live`; `***@` for a user
 * alone; credential-like query values too). The streams module owns the one implementation,
 * robust to raw `/`, `?`, `@` in passwords and never throwing; config code uses it from here.
 */
export { maskUrl } from '../../streams/mask-url.ts';
