import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from '../log.ts';

/** An error an HTTP handler answers with: stable code, status, and the field at fault if any. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ApiError';
  }
}

/** 400: the request is malformed; `field` names what was wrong. */
export const badRequest = (field: string, message: string): ApiError => new ApiError(400, 'BAD_REQUEST', `${field}: ${message}`, field);
/** 404: the named thing does not exist. */
export const notFound = (what: string): ApiError => new ApiError(404, 'NOT_FOUND', `${what} not found`);
/** 409: the request conflicts with the current state. */
export const conflict = (message: string): ApiError => new ApiError(409, 'CONFLICT', message);
/** 503: a dependency (Redis, the scheduler) is not available right now. */
export const unavailable = (message: string, cause?: unknown): ApiError => new ApiError(503, 'UNAVAILABLE', message, undefined, { cause });

/** Wraps an async handler so its rejections reach the error middleware. */
export const route =
  (fn: (...args: Parameters<RequestHandler>) => Promise<unknown>): RequestHandler =>
  (req, res, next) => {
    fn(req, res, next).catch(next);
  };

/** 404 for unknown API paths, as JSON. */
export const unknownRoute: RequestHandler = (req, _res, next) => {
  next(new ApiError(404, 'NOT_FOUND', `no route for ${req.method} ${req.path}`));
};

/**
 * Turns every error into `{ error: { code, message, field? } }` with its status. Body-parser
 * errors (bad JSON) become 400s; only server faults (5xx) are logged at error level.
 */
export function errorMiddleware(log: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const e = (typeof err === 'object' && err !== null ? err : {}) as { type?: unknown; status?: unknown; message?: unknown };
    const message = typeof e.message === 'string' ? e.message : String(err);
    let api: ApiError;
    if (err instanceof ApiError) api = err;
    else if (e.type === 'entity.parse.failed') {
      api = new ApiError(400, 'BAD_JSON', `request body is not valid JSON: ${message}`, 'body');
    } else if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
      api = new ApiError(e.status, 'BAD_REQUEST', message);
    } else {
      api = new ApiError(500, 'INTERNAL', 'internal error', undefined, { cause: err });
    }
    // The answer stays plain; the cause (an ioredis message, say) goes to the log only.
    if (api.status === 503) log.warn({ err: api.message, cause: api.cause instanceof Error ? api.cause.message : undefined, path: req.path }, 'dependency unavailable');
    else if (api.status >= 500) log.error({ err: err instanceof Error ? err.message : String(err), path: req.path }, 'request failed');
    res.status(api.status).json({ error: { code: api.code, message: api.message, ...(api.field ? { field: api.field } : {}) } });
  };
}
