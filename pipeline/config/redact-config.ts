import { inspect } from 'node:util';
import type { GridworkerConfig } from './config-schema.ts';
import { maskUrl } from './mask-credentials.ts';

/** Placeholder for a secret. */
export const REDACTED = '***';

/**
 * A copy of the config safe to show (API, logs, `describe`): credentials in camera and Redis URLs
 * masked, passwords replaced by "***". `passwordEnv` names stay (they are not secrets).
 */
export function redactConfig(config: GridworkerConfig): GridworkerConfig {
  return {
    ...config,
    cameras: config.cameras.map((c) => ({
      ...c,
      url: maskUrl(c.url),
      ...(c.subUrl !== undefined ? { subUrl: maskUrl(c.subUrl) } : {}),
      ...(c.password !== undefined ? { password: REDACTED } : {}),
    })),
    redis: { ...config.redis, url: maskUrl(config.redis.url) },
  };
}

/**
 * Makes JSON.stringify (hence pino and the API) and util.inspect show the redacted form of this
 * config object. The hooks are non-enumerable, so copies and spreads do not carry them.
 */
export function protectSecrets<T extends GridworkerConfig>(config: T): T {
  const safe = (): GridworkerConfig => redactConfig(config);
  Object.defineProperty(config, 'toJSON', { value: safe, enumerable: false });
  Object.defineProperty(config, inspect.custom, { value: () => safe(), enumerable: false });
  return config;
}
