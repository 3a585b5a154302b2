import { resolveUrl } from '../../streams/camera-source.ts';
import type { CameraConfig } from './camera-schema.ts';
import { ConfigError } from './errors.ts';
import type { Env } from './services-schema.ts';

/** Which of a camera's streams. */
export type StreamKind = 'main' | 'sub';

/**
 * The URL to open for a camera's stream, with `username` and `password` (or the value of
 * `passwordEnv`, read now) merged in by the streams module's `resolveUrl` (one encoding for both). Returns null for 'sub' when the camera has
 * no sub stream. The result holds secrets: log it only through maskUrl.
 * @throws ConfigError when passwordEnv names a variable that is not set.
 */
export function cameraStreamUrl(
  camera: Pick<CameraConfig, 'id' | 'url' | 'subUrl' | 'username' | 'password' | 'passwordEnv'>,
  kind: StreamKind = 'main',
  env: Env = process.env,
): string | null {
  const raw = kind === 'main' ? camera.url : camera.subUrl;
  if (raw === undefined) return null;
  if (camera.username === undefined) return raw;
  let password = camera.password;
  if (camera.passwordEnv !== undefined) {
    password = env[camera.passwordEnv];
    if (password === undefined) {
      throw new ConfigError('(environment)', [{ path: `cameras.${camera.id}.passwordEnv`, message: `environment variable ${camera.passwordEnv} is not set` }]);
    }
  }
  return resolveUrl({ id: camera.id, url: raw, username: camera.username, ...(password !== undefined ? { password } : {}) });
}
