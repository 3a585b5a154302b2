import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OwnPostgres, startOwnPostgres } from '../test-fixtures/lib/own-postgres.ts';
import { busStop, e2eConfigText, schoolGate } from '../test-fixtures/lib/e2e-stack.ts';
import { runGridworker } from '../test-fixtures/lib/run-cli.ts';
import { waitFor } from '../test-fixtures/lib/wait-for.ts';
import { type RtspTestServer, startRtspServer } from '../test-fixtures/lib/rtsp-server.ts';
import type { CaseRecord } from './cases/case-model.ts';
import type { Database } from './db/db-schema.ts';
import { type DatabaseHandle, openDatabase } from './db/open-database.ts';
import { freePort, redisAnswers } from './distributed/local-redis.ts';

const root = join(import.meta.dirname, '..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Services are killed and restarted here: a probe that throws (connection refused) means "not yet". */
const until = <T>(what: string, probe: () => Promise<T | undefined | false | null>, ms: number): Promise<T> => waitFor(what, probe, ms, { ignoreErrors: true });

/** A redis-server of the test's own, nothing on disk (Redis at its default settings), SIGKILL-able. */
async function ownRedis(port: number): Promise<ChildProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'gw-kill-redis-'));
  const child = spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(port), '--dir', dir, '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  await until('redis', async () => redisAnswers(`redis://127.0.0.1:${port}`, 200), 10_000);
  return child;
}

/**
 * Done-when of the durable record: PostgreSQL, Redis and the gridworker process are each killed
 * with SIGKILL mid-patrol (a server and a redis-server of the test's own); after each restart no
 * confirmed case, verdict or audit row is lost, no case is dispatched twice, and the rejected
 * event stays rejected (the same crowd is suppressed, not reopened or re-dispatched).
 */
describe('SIGKILL PostgreSQL, Redis and gridworker mid-patrol: nothing lost, nothing twice', () => {
  let rtsp: RtspTestServer;
  let pgs: OwnPostgres;
  let redis: ChildProcess | undefined;
  let gw: ChildProcess | undefined;
  let record: DatabaseHandle | undefined;
  let db: Kysely<Database>;
  let redisPort: number;
  let apiPort: number;
  const dir = mkdtempSync(join(tmpdir(), 'gw-kill-'));
  const log: string[] = [];
  const adminPassword = `kill-${Date.now()}-admin-pw`;
  /** Authorization headers per token name (tokens live in the record: they survive every kill). */
  const tokens: Record<string, string> = {};
  const makeToken = async (name: string, role: string, grids?: string): Promise<void> => {
    const r = await runGridworker('tokens', 'create', name, '--role', role, ...(grids ? ['--grids', grids] : []), '--config', join(dir, 'config.yaml'), '--database-url', pgs.url);
    if (r.code !== 0) throw new Error(`tokens create ${name}: ${r.stderr}`);
    tokens[name] = `Bearer ${r.stdout.trim()}`;
  };

  const startGw = async (): Promise<void> => {
    gw = spawn(
      process.execPath,
      [join(root, 'scripts', 'gridworker.mjs'), 'run', '--config', join(dir, 'config.yaml'), '--no-progress', '--port', String(apiPort), '--database-url', pgs.url, '--log-file', join(dir, 'gw.log')],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DATABASE_URL: '', GRIDWORKER_ADMIN_PASSWORD: adminPassword } },
    );
    gw.stdout?.on('data', (d: Buffer) => log.push(d.toString()));
    gw.stderr?.on('data', (d: Buffer) => log.push(d.toString()));
    await until('the API', async () => (await fetch(`http://127.0.0.1:${apiPort}/healthz`)).ok, 60_000).catch((err: unknown) => {
      throw new Error(`${(err as Error).message}; gridworker said: ${log.join('').slice(-2000)}`);
    });
  };
  const api = async <T>(path: string): Promise<T> => (await (await fetch(`http://127.0.0.1:${apiPort}${path}`, { headers: { authorization: tokens.reader! } })).json()) as T;
  // The actor is the token's identity; `by` only picks which token to send.
  const post = (path: string, { by, ...body }: { by: string } & Record<string, unknown>) =>
    fetch(`http://127.0.0.1:${apiPort}${path}`, { method: 'POST', headers: { authorization: tokens[by]!, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const killGw = async () => {
    const exited = new Promise((r) => gw!.once('exit', r));
    gw!.kill('SIGKILL');
    await exited;
  };
  const snapshot = async () => ({
    cases: await db.selectFrom('cases').leftJoin('verdicts', 'verdicts.case_id', 'cases.id').select(['cases.id', 'cases.status', 'cases.event_type', 'verdicts.verdict', 'verdicts.by', 'verdicts.at']).orderBy('cases.id').execute(),
    audit: await db.selectFrom('case_audit').select(['id', 'case_id', 'action', 'by', 'at']).orderBy('id').execute(),
    outbox: await db.selectFrom('outbox').select(['job_id', 'case_id', 'topic', 'sent_at']).orderBy('id').execute(),
  });

  beforeAll(async () => {
    [redisPort, apiPort] = [await freePort(), await freePort()];
    [rtsp, pgs] = await Promise.all([startRtspServer(), startOwnPostgres(await freePort())]);
    redis = await ownRedis(redisPort);
    // The product's pool: its idle clients lose their server when the test kills PostgreSQL, and a
    // bare pg.Pool without an 'error' listener turns that into an uncaught exception.
    record = await openDatabase({ url: pgs.url, migrate: false, poolSize: 2 });
    db = record.db;
    const config = e2eConfigText({ rtsp, cameras: [busStop(), schoolGate()], redisUrl: `redis://127.0.0.1:${redisPort}`, prefix: 'gwkill', storageDir: join(dir, 'data') });
    writeFileSync(join(dir, 'config.yaml'), config);
    await startGw();
    for (const [name, role, grids] of [['reader', 'engineer'], ['w1', 'grid_worker', 'g1'], ['w2', 'grid_worker', 'g1']] as const) await makeToken(name, role, grids);
  }, 180_000);
  afterAll(async () => {
    if (gw && gw.exitCode === null) await killGw();
    redis?.kill('SIGKILL');
    await record?.close();
    await Promise.all([rtsp?.close(), pgs?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps every case, verdict and audit row; dispatches none twice; the rejected crowd stays rejected', async () => {
    const find = async (type: string) => (await api<{ cases: CaseRecord[] }>(`/api/cases?type=${type}`)).cases[0];
    const crowd = await until('the crowd case', () => find('crowd_gathering'), 90_000);
    const parking = await until('the parking case', () => find('illegal_parking'), 90_000);
    expect((await post(`/api/cases/${crowd.id}/verdict`, { by: 'w1', verdict: 'rejected', reason: 'false_detection' })).status).toBe(200);
    expect((await post(`/api/cases/${parking.id}/verdict`, { by: 'w2', verdict: 'confirmed' })).status).toBe(200);
    await until('both dispatched', async () => (await db.selectFrom('outbox').select('id').where('sent_at', 'is not', null).execute()).length >= 2, 30_000);
    const before = await snapshot();

    // 1. Redis, SIGKILL mid-patrol; back empty (no persistence).
    redis!.kill('SIGKILL');
    await sleep(3000);
    redis = await ownRedis(redisPort);
    await sleep(8000);
    // 2. PostgreSQL, SIGKILL (a crash: recovery from the WAL on start).
    await pgs.kill();
    await sleep(3000);
    await pgs.start();
    await sleep(8000);
    // 3. The gridworker process, SIGKILL, then started again.
    await killGw();
    await startGw();
    // Patrol goes on: the crowd is seen again (suppressed), the parked bus updates its case.
    await until('the crowd seen again after the restarts', async () => {
      const rows = await db.selectFrom('case_audit').select('id').where('case_id', '=', crowd.id).where('action', '=', 'suppressed').where('id', '>', before.audit.at(-1)!.id).execute();
      return rows.length > 0;
    }, 90_000);

    const after = await snapshot();
    // No case, verdict or audit row lost.
    for (const c of before.cases) {
      const now = after.cases.find((x) => x.id === c.id);
      expect(now, c.id).toBeDefined();
      expect([now!.verdict, now!.by, now!.at]).toEqual([c.verdict, c.by, c.at]);
    }
    expect(after.audit.slice(0, before.audit.length)).toEqual(before.audit);
    // Resolved / rejected stay so: the crowd was never reopened, no new crowd case, no re-dispatch.
    expect(after.cases.find((c) => c.id === crowd.id)?.status).toBe('rejected');
    expect(after.cases.filter((c) => c.event_type === 'crowd_gathering').map((c) => c.id)).toEqual([crowd.id]);
    expect(after.cases.filter((c) => c.event_type === 'illegal_parking').map((c) => c.id)).toEqual([parking.id]);
    const dispatches = after.outbox.filter((o) => o.topic === 'dispatch');
    expect(dispatches.map((o) => o.job_id).sort()).toEqual([`${crowd.id}.v1`, `${parking.id}.v1`].sort());
    expect(dispatches.every((o) => o.sent_at !== null)).toBe(true);
    // Nothing already sent went to the queue again after Redis came back empty.
    const q = new Queue('dispatch', { connection: { url: `redis://127.0.0.1:${redisPort}`, maxRetriesPerRequest: null }, prefix: 'gwkill' });
    try {
      expect(await q.getJobs(['waiting', 'prioritized', 'active', 'completed', 'delayed'])).toEqual([]);
    } finally {
      await q.close();
    }
  }, 400_000);
});
