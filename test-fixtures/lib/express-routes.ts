/**
 * The routes an express app really serves, read from its router stack (express 5 / router 2
 * layers: `route` for a route, `handle.stack` and `rawPath` for a mounted router). For the test
 * that holds the OpenAPI document and the app to each other; not used at run time.
 */
import type { Express } from 'express';

/** One served route: method and path in OpenAPI form (`/api/cameras/{id}`). */
export interface ServedRoute {
  readonly method: string;
  readonly path: string;
}

interface Layer {
  readonly rawPath?: unknown;
  readonly route?: { readonly path?: unknown; readonly methods?: Record<string, boolean> };
  readonly handle?: { readonly stack?: readonly Layer[] };
}

const openApi = (path: string): string => path.replace(/:([A-Za-z0-9_]+)/g, '{$1}').replace(/\*([A-Za-z0-9_]+)/g, '{$1}');

function walk(stack: readonly Layer[], prefix: string, out: ServedRoute[]): void {
  for (const layer of stack) {
    if (layer.route && typeof layer.route.path === 'string') {
      const path = openApi(`${prefix}${layer.route.path === '/' && prefix ? '' : layer.route.path}`) || '/';
      for (const [method, on] of Object.entries(layer.route.methods ?? {})) if (on && method !== '_all') out.push({ method, path });
    } else if (layer.handle?.stack) {
      const mount = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
      walk(layer.handle.stack, `${prefix}${mount}`, out);
    }
  }
}

/** Every route `app` serves. */
export function servedRoutes(app: Express): ServedRoute[] {
  const out: ServedRoute[] = [];
  walk((app as unknown as { router: { stack: readonly Layer[] } }).router.stack, '', out);
  return out;
}
