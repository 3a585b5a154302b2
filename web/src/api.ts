/** The console's only way to the server: the documented HTTP API, same origin, JSON. */

/** An error answer of the API ({ error: { code, message, field? } }) or a network failure (status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

async function answer<T>(res: Response): Promise<T> {
  if (res.status === 204) return undefined as T;
  const body: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const err = (body as { error?: { code?: string; message?: string } } | null)?.error;
    throw new ApiError(res.status, err?.code ?? `HTTP_${res.status}`, err?.message ?? res.statusText);
  }
  return body as T;
}

/** GET a JSON document. */
export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, { headers: { accept: 'application/json' }, credentials: 'same-origin', ...(signal ? { signal } : {}) });
  } catch (err) {
    throw new ApiError(0, 'NETWORK', (err as Error).message);
  }
  return answer<T>(res);
}

/** Options of {@link send}. */
export interface SendOptions {
  readonly method?: 'POST' | 'PUT' | 'DELETE';
  /** Raw body (a photo) instead of JSON. */
  readonly raw?: Blob;
  /**
   * Retries on network failure and 502/503/504, this many times (default 0). The same
   * Idempotency-Key goes with every try, so a retry of a request that did arrive is not applied twice.
   */
  readonly retries?: number;
  /** Called before each retry (to show "retrying"). */
  readonly onRetry?: (attempt: number) => void;
}

const RETRYABLE = new Set([0, 502, 503, 504]);

/** A command (POST/PUT) with a JSON body; returns the JSON answer. */
export async function send<T>(path: string, body: unknown, options: SendOptions = {}): Promise<T> {
  const key = crypto.randomUUID();
  const headers: Record<string, string> = { accept: 'application/json', 'idempotency-key': key };
  if (options.raw) headers['content-type'] = options.raw.type || 'application/octet-stream';
  else headers['content-type'] = 'application/json';
  for (let attempt = 0; ; attempt++) {
    try {
      const res = await fetch(path, {
        method: options.method ?? 'POST',
        headers,
        credentials: 'same-origin',
        body: options.raw ?? JSON.stringify(body ?? {}),
      });
      if (RETRYABLE.has(res.status) && attempt < (options.retries ?? 0)) throw new ApiError(res.status, 'RETRY', res.statusText);
      return await answer<T>(res);
    } catch (err) {
      const status = err instanceof ApiError ? err.status : 0;
      if (err instanceof ApiError && !RETRYABLE.has(status)) throw err;
      if (attempt >= (options.retries ?? 0)) throw err instanceof ApiError ? err : new ApiError(0, 'NETWORK', (err as Error).message);
      options.onRetry?.(attempt + 1);
      await new Promise((r) => setTimeout(r, Math.min(500 * 2 ** attempt, 5000)));
    }
  }
}
