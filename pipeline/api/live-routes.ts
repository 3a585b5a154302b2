import type { Request, Response } from 'express';
import { z } from 'zod';
import type { Redis } from 'ioredis';
import type { LiveEvent } from '../live/live-event.ts';
import { isNewer, type LiveEntry, type LiveHub } from '../live/live-hub.ts';
import { STREAM_ID } from '../live/stream-id.ts';
import { badRequest, unavailable } from './api-errors.ts';
import { ApiRoutes } from './api-routes.ts';

/** Options of {@link liveRoutes}. */
export interface LiveRouteOptions {
  readonly hub: LiveHub;
  /** A request connection (fails fast) for the replay of a resuming client. */
  readonly redis: Redis;
  /** Reconnection delay the browser is told, ms. Default 2000. */
  readonly retryMs?: number;
  /** Comment line sent this often so proxies keep the connection, ms. Default 15000. */
  readonly heartbeatMs?: number;
  /**
   * Which events this request may see (a grid worker: only their grids'). Default: all.
   * Called once per connection, after authentication.
   */
  readonly visibleTo?: (req: Request, res: Response) => (event: LiveEvent) => boolean;
}

const LiveQuery = z.strictObject({ lastEventId: z.string().max(40).optional().describe('resume after this event id (instead of the Last-Event-ID header)') });

const frame = (e: LiveEntry): string => `${e.id ? `id: ${e.id}\n` : ''}event: ${e.event.kind}\ndata: ${JSON.stringify(e.event)}\n\n`;

/**
 * GET /api/live: the live feed as Server-Sent Events. Event names are the kinds (`case`, `visit`,
 * `health`, `overdue`), data is the event JSON, ids are stream ids. A client resuming with the
 * `Last-Event-ID` header (or `?lastEventId=`) first gets what it missed. 400 for a malformed id,
 * 503 when Redis cannot be read for the replay.
 */
export function liveRoutes(options: LiveRouteOptions): ApiRoutes {
  const r = new ApiRoutes('/api/live', 'live');
  r.get(
    '/',
    {
      summary: 'the live feed, Server-Sent Events: case, visit, health, overdue; resumes after Last-Event-ID',
      query: LiveQuery,
      produces: 'text/event-stream',
      responses: { 200: 'the event stream', 400: 'malformed Last-Event-ID', 503: 'Redis is not reachable for the replay' },
    },
    async ({ query }, req, res) => {
      const given = req.header('last-event-id') ?? query.lastEventId;
      if (given !== undefined && given !== '' && !STREAM_ID.test(given)) throw badRequest('Last-Event-ID', `"${given.slice(0, 40)}" is not a live feed event id`);
      // Listen first and hold what arrives while the replay is read, so nothing falls in between.
      const held: LiveEntry[] = [];
      let live = false;
      let lastSent = given || undefined;
      const visible = options.visibleTo?.(req, res) ?? (() => true);
      const send = (e: LiveEntry): void => {
        if (!isNewer(e.id, lastSent)) return;
        if (e.id) lastSent = e.id;
        if (visible(e.event)) res.write(frame(e));
      };
      const unsubscribe = options.hub.subscribe(
        (e) => (live ? send(e) : held.push(e)),
        () => res.end(),
      );
      let replay: LiveEntry[] = [];
      try {
        if (lastSent) replay = await options.hub.replay(options.redis, lastSent);
      } catch (err) {
        unsubscribe();
        throw unavailable(`cannot replay the live feed: Redis is not reachable (${(err as Error).message})`, err);
      }
      res.status(200).set({
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-cache, no-transform',
        Connection: 'keep-alive',
        'X-Accel-Buffering': 'no',
      });
      res.flushHeaders();
      res.write(`retry: ${options.retryMs ?? 2000}\n: connected\n\n`);
      for (const e of replay) send(e);
      for (const e of held.splice(0)) send(e);
      live = true;
      const beat = setInterval(() => res.write(': ping\n\n'), options.heartbeatMs ?? 15_000);
      req.on('close', () => {
        clearInterval(beat);
        unsubscribe();
      });
    },
  );
  return r;
}
