import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccuracyReport } from '../accuracy/accuracy-types.ts';
import { DAY, T0, confirmedAt, makeCase, rejectedAt } from '../accuracy/case-fixture.ts';
import { type CaseSource, arrayCaseSource } from '../accuracy/case-source.ts';
import type { CaseRecord } from '../cases/case-model.ts';
import { createLogger } from '../log.ts';
import { accuracyRoutes } from './accuracy-routes.ts';
import { errorMiddleware } from './api-errors.ts';
import { type HttpServer, listen } from './http-server.ts';

// Day 1 (05-01 Shanghai): 2 confirmed. Day 2 (05-02): 1 confirmed, 1 false detection.
const cases = [
  makeCase('a', { verdict: confirmedAt(T0 + 1000) }),
  makeCase('b', { verdict: confirmedAt(T0 + 1000) }),
  makeCase('c', { openedAt: T0 + DAY, verdict: confirmedAt(T0 + DAY + 1000) }),
  makeCase('d', { openedAt: T0 + DAY, verdict: rejectedAt(T0 + DAY + 1000, 'false_detection') }),
];

/** A source as the case store may offer it: an async iterable. */
const streaming: CaseSource = {
  allCases: () =>
    (async function* (): AsyncGenerator<CaseRecord> {
      yield* cases;
    })(),
};
const failing: CaseSource = { allCases: async () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })) };

describe('GET /api/accuracy', () => {
  let server: HttpServer;
  beforeAll(async () => {
    const app = express();
    const options = { timezone: 'Asia/Shanghai', now: () => T0 + 2 * DAY };
    app.use('/api/accuracy', accuracyRoutes(arrayCaseSource(cases), options).router);
    app.use('/stream/accuracy', accuracyRoutes(streaming, options).router);
    app.use('/down/accuracy', accuracyRoutes(failing, options).router);
    app.use(errorMiddleware(createLogger('test')));
    server = await listen(app, '127.0.0.1', 0);
  });
  afterAll(() => server.close());

  const get = async (path: string) => {
    const res = await fetch(`${server.url}${path}`);
    return { status: res.status, json: (await res.json()) as AccuracyReport & { error?: { code: string; field?: string; message: string } } };
  };

  it('returns the report over every case, from an array or an async iterable', async () => {
    for (const base of ['/api/accuracy', '/stream/accuracy']) {
      const r = await get(base);
      expect(r.status).toBe(200);
      expect(r.json).toMatchObject({ verified: 4, targetPrecision: 0.8, timezone: 'Asia/Shanghai', generatedAt: T0 + 2 * DAY });
      expect(r.json.overall).toMatchObject({ confirmed: 3, precision: 0.75, meetsTarget: false });
    }
  });

  it('takes target and since from the query', async () => {
    const r = await get('/api/accuracy?target=0.7&since=2024-05-02');
    expect(r.status).toBe(200);
    // Since 05-02 local midnight: c and d only, 1 of 2.
    expect(r.json).toMatchObject({ targetPrecision: 0.7, since: Date.UTC(2024, 4, 1, 16), verified: 2 });
    expect((await get('/api/accuracy?target=0.7')).json.overall.meetsTarget).toBe(true);
  });

  it('answers 400 naming the bad field', async () => {
    for (const [query, field] of [['target=1.5', 'target'], ['target=abc', 'target'], ['target=', 'target'], ['target=0.5&target=0.6', 'target'], ['since=last-week', 'since'], ['since=2024-02-30', 'since']] as const) {
      const r = await get(`/api/accuracy?${query}`);
      expect(r.status, query).toBe(400);
      expect(r.json.error, query).toMatchObject({ code: 'BAD_REQUEST', field });
    }
  });

  it('answers 503 when the cases cannot be read', async () => {
    const r = await get('/down/accuracy');
    expect(r.status).toBe(503);
    // Plain: the cause (ECONNREFUSED, host and port) goes to the log, not the answer.
    expect(r.json.error).toEqual({ code: 'UNAVAILABLE', message: 'cannot read cases: the record (PostgreSQL) is not reachable; try again shortly' });
  });
});
