import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type DatabaseHandle, openDatabase } from '../db/open-database.ts';
import { createScratchDatabase, type ScratchDatabase } from '../db/scratch-database.ts';
import { closeRedis, createRedis } from '../distributed/redis-connection.ts';
import { Accounts } from './accounts.ts';
import { Authenticator } from './authenticator.ts';
import { bootstrapAdmin, createDemoUsers } from './bootstrap.ts';
import { AccountLockedError, AuthenticationError, IdentityConflictError, IdentityInputError } from './identity-errors.ts';
import { RecordIdentityStore } from './record-identity-store.ts';

const redis = createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', 'producer');
const by = { actor: 'tester', ip: '127.0.0.9' };
const PW = 'correct horse battery';

describe('identity on real PostgreSQL (users, tokens, audit) and Redis (sessions)', () => {
  let scratch: ScratchDatabase;
  let record: DatabaseHandle;
  let prefix: string;
  let clock: number;
  let store: RecordIdentityStore;
  let accounts: Accounts;
  let auth: Authenticator;
  const now = (): number => clock;

  beforeAll(async () => {
    scratch = await createScratchDatabase(undefined, 'identity');
    record = await openDatabase({ url: scratch.url, poolSize: 4 });
  });
  beforeEach(async () => {
    prefix = `gwt-id-${randomBytes(4).toString('hex')}`;
    clock = Date.UTC(2026, 0, 1);
    await record.db.withTables<{ users: { username: string }; service_tokens: { id: string }; system_audit: { id: number } }>().deleteFrom('users').execute();
    store = new RecordIdentityStore(record.db, redis, prefix);
    accounts = new Accounts(store, now);
    auth = new Authenticator(store, { now, sessionIdleMs: 30 * 60_000, sessionMaxMs: 8 * 3_600_000, lockAfterFailures: 3, lockMs: 10 * 60_000 });
  });
  afterAll(async () => {
    await record.close();
    await scratch.drop();
    const keys = await redis.keys('gwt-id-*');
    if (keys.length) await redis.del(...keys);
    await closeRedis(redis);
  });

  it('adds users with argon2id hashes, refuses duplicates and bad input, never returns the hash', async () => {
    const u = await accounts.addUser({ username: 'li.wei', password: PW, role: 'grid_worker', grids: ['g1'] }, by);
    expect(u).toEqual({ username: 'li.wei', displayName: 'li.wei', role: 'grid_worker', grids: ['g1'], disabled: false });
    expect((await store.getUser('li.wei'))!.passwordHash).toMatch(/^\$argon2id\$/);
    await expect(accounts.addUser({ username: 'li.wei', password: PW, role: 'viewer' }, by)).rejects.toBeInstanceOf(IdentityConflictError);
    await expect(accounts.addUser({ username: 'system', password: PW, role: 'viewer' }, by)).rejects.toMatchObject({ field: 'username' });
    await expect(accounts.addUser({ username: 'x', password: 'short', role: 'viewer' }, by)).rejects.toMatchObject({ field: 'password' });
    await expect(accounts.addUser({ username: 'y', password: PW, role: 'grid_worker' }, by)).rejects.toMatchObject({ field: 'grids' });
    await expect(accounts.addUser({ username: 'z', password: PW, role: 'root' as never }, by)).rejects.toBeInstanceOf(IdentityInputError);
    expect(JSON.stringify(await accounts.listUsers())).not.toContain('argon2');
    const audit = await store.listAudit(10);
    expect(audit[0]).toMatchObject({ actor: 'tester', ip: '127.0.0.9', action: 'user.add', target: 'li.wei' });
  });

  it('sessions end when idle, at their absolute expiry, and when the user changes', async () => {
    await accounts.addUser({ username: 'op', password: PW, role: 'operator' }, by);
    const a = await auth.login('op', PW, { ip: '10.0.0.1' });
    expect(a.user).toEqual({ username: 'op', displayName: 'op', role: 'operator', grids: [] });
    expect(await auth.fromSession(a.sessionId)).toMatchObject({ kind: 'session', actor: 'op', role: 'operator' });
    expect(await auth.fromSession('x'.repeat(43))).toBeNull();
    // Idle: used every 20 min it stays; 30 min without use ends it.
    for (let i = 0; i < 3; i++) {
      clock += 20 * 60_000;
      expect(await auth.fromSession(a.sessionId)).not.toBeNull();
    }
    clock += 30 * 60_000;
    expect(await auth.fromSession(a.sessionId)).toBeNull();
    // Absolute: kept busy, it still ends 8 h after login.
    const b = await auth.login('op', PW);
    for (let t = 0; t < 8 * 60; t += 20) {
      clock += 20 * 60_000;
      const p = await auth.fromSession(b.sessionId);
      if (t + 20 < 8 * 60) expect(p).not.toBeNull();
      else expect(p).toBeNull();
    }
    const c = await auth.login('op', PW);
    await accounts.grant('op', { role: 'viewer' }, by);
    expect(await auth.fromSession(c.sessionId)).toBeNull();
    const d = await auth.login('op', PW);
    await accounts.setDisabled('op', true, by);
    expect(await auth.fromSession(d.sessionId)).toBeNull();
    await expect(auth.login('op', PW)).rejects.toBeInstanceOf(AuthenticationError);
  });

  it('locks an account after repeated failures, audits each failure and the lock, and unlocks after the window', async () => {
    await accounts.addUser({ username: 'eng', password: PW, role: 'engineer' }, by);
    await expect(auth.login('eng', 'wrong password 1', { ip: '10.0.0.7' })).rejects.toBeInstanceOf(AuthenticationError);
    await expect(auth.login('eng', 'wrong password 2', { ip: '10.0.0.7' })).rejects.toBeInstanceOf(AuthenticationError);
    await expect(auth.login('eng', 'wrong password 3', { ip: '10.0.0.7' })).rejects.toBeInstanceOf(AccountLockedError);
    await expect(auth.login('eng', PW, { ip: '10.0.0.7' })).rejects.toBeInstanceOf(AccountLockedError);
    const audit = (await store.listAudit(10)).map((e: { action: string }) => e.action);
    expect(audit.slice(0, 5)).toEqual(['login.refused_locked', 'login.locked', 'login.failed', 'login.failed', 'login.failed']);
    expect((await store.listAudit(10))[2]).toMatchObject({ ip: '10.0.0.7', target: 'eng', detail: { reason: 'wrong password', failures: 3 } });
    // The lock window is a Redis TTL (real time): clear it as its expiry would.
    await store.clearLoginFailures('eng');
    expect((await auth.login('eng', PW)).user.role).toBe('engineer');
  });

  it('service tokens: shown once, stored as a digest, refused when revoked or expired', async () => {
    const { token, record: rec } = await accounts.createToken({ name: 'dispatch-consumer', role: 'viewer', expiresAt: clock + 3_600_000 }, by);
    expect(token).toMatch(/^gwt_[0-9a-f]{16}_[0-9a-f]{64}$/);
    expect(JSON.stringify(rec)).not.toContain(token.slice(-64));
    const row = await record.db.withTables<{ service_tokens: { id: string; secret_digest: string } }>().selectFrom('service_tokens').selectAll().where('id', '=', rec.id).executeTakeFirst();
    expect(row!.secret_digest).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(token.slice(-64));
    expect(await auth.fromToken(token)).toMatchObject({ kind: 'token', actor: 'token:dispatch-consumer', role: 'viewer' });
    expect(await auth.fromToken(token.slice(0, -1) + (token.endsWith('0') ? '1' : '0'))).toBeNull();
    clock += 3_600_000;
    expect(await auth.fromToken(token)).toBeNull();
    const other = await accounts.createToken({ name: 'scraper', role: 'engineer' }, by);
    expect(await auth.fromToken(other.token)).not.toBeNull();
    await accounts.revokeToken(other.record.id, by);
    expect(await auth.fromToken(other.token)).toBeNull();
    expect((await accounts.listTokens()).find((t) => t.id === other.record.id)).toMatchObject({ revokedBy: 'tester' });
  });

  it('first start: no admin is reported, GRIDWORKER_ADMIN_PASSWORD creates one; demo users get fresh passwords', async () => {
    expect(await bootstrapAdmin(accounts, {})).toMatchObject({ state: 'missing' });
    expect(await bootstrapAdmin(accounts, { GRIDWORKER_ADMIN_PASSWORD: PW })).toEqual({ state: 'created', username: 'admin' });
    expect(await bootstrapAdmin(accounts, {})).toEqual({ state: 'ready' });
    const demo = await createDemoUsers(accounts, ['grid-01', 'grid-02', 'grid-03']);
    expect(demo.map((d) => d.role)).toEqual(['admin', 'operator', 'grid_worker', 'engineer', 'viewer']);
    expect(demo.find((d) => d.role === 'grid_worker')!.grids).toEqual(['grid-01', 'grid-02']);
    const again = await createDemoUsers(accounts, ['grid-01']);
    expect(again[0]!.password).not.toBe(demo[0]!.password);
    await expect(auth.login(demo[0]!.username, demo[0]!.password)).rejects.toBeInstanceOf(AuthenticationError);
    expect((await auth.login(again[0]!.username, again[0]!.password)).user.role).toBe('admin');
  });

  it('another API process (its own store) sees a revocation and a disable within the 1 s reuse window', async () => {
    const other = new Authenticator(new RecordIdentityStore(record.db, redis, prefix), { now, sessionIdleMs: 30 * 60_000 });
    await accounts.addUser({ username: 'remote', password: PW, role: 'viewer' }, by);
    const session = await auth.login('remote', PW);
    const { token, record: rec } = await accounts.createToken({ name: 'remote-token', role: 'viewer' }, by);
    expect(await other.fromToken(token)).not.toBeNull();
    expect(await other.fromSession(session.sessionId)).not.toBeNull();
    await accounts.revokeToken(rec.id, by);
    await accounts.setDisabled('remote', true, by);
    // This process: at once.
    expect(await auth.fromToken(token)).toBeNull();
    expect(await auth.fromSession(session.sessionId)).toBeNull();
    // The other one: as soon as its reused reads lapse (bounded wait, no timing asserted).
    const deadline = Date.now() + 5000;
    while ((await other.fromToken(token)) !== null || (await other.fromSession(session.sessionId)) !== null) {
      if (Date.now() > deadline) throw new Error('the other process still accepts a revoked token or a disabled user after 5 s');
      await new Promise((r) => setTimeout(r, 100));
    }
  });
});
