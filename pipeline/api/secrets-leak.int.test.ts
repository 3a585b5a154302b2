/**
 * No password, password hash, session id, token or token digest appears in what a run produces:
 * the server's logs (debug level), the CLI's output, every API answer (status, headers, body),
 * the metrics text, and the process arguments of every child it spawned. The one allowed place:
 * the answer that creates a token shows it once (checked to be there, then left out of the grep).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GRIDWORKER_BIN, PROJECT_ROOT } from '../../test-fixtures/lib/run-cli.ts';
import { createScratchDatabase, type ScratchDatabase } from '../db/scratch-database.ts';
import { freePort, type LocalRedis, startLocalRedis } from '../distributed/local-redis.ts';

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');
const pw = (label: string): string => `${label}-${randomBytes(9).toString('base64url')}`;

describe('secrets never leak into logs, metrics, API answers or process arguments', () => {
  let redis: LocalRedis;
  let scratch: ScratchDatabase;
  let server: ChildProcess;
  let serverOut = '';
  const dir = mkdtempSync(join(tmpdir(), 'gw-leak-'));
  const corpus: string[] = [];
  const secrets: string[] = [];
  const argvSeen: string[] = [];
  const env: Record<string, string> = {};
  let api = '';

  const secret = (s: string): string => {
    secrets.push(s);
    return s;
  };

  /** Runs a CLI child, records its args (as /proc shows them while it runs) and output. */
  const cli = (args: string[], opts: { stdin?: string; env?: Record<string, string> } = {}): string => {
    argvSeen.push([process.execPath, GRIDWORKER_BIN, ...args].join(' '));
    const out = execFileSync(process.execPath, [GRIDWORKER_BIN, ...args], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, ...env, ...opts.env },
      input: opts.stdin ?? '',
      encoding: 'utf8',
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    return out;
  };

  /** An HTTP call whose whole answer (status, headers, body) goes into the corpus unless told otherwise. */
  const http = async (method: string, path: string, headers: Record<string, string> = {}, body?: unknown, keep = true) => {
    const res = await fetch(`${api}${path}`, { method, headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const text = await res.text();
    const head = [...res.headers.entries()].filter(([k]) => k !== 'set-cookie').map(([k, v]) => `${k}: ${v}`);
    if (keep) corpus.push(`${method} ${path} -> ${res.status}\n${head.join('\n')}\n${text}`);
    return { status: res.status, text, cookie: res.headers.get('set-cookie')?.split(';')[0] };
  };

  beforeAll(async () => {
    [redis, scratch] = await Promise.all([startLocalRedis(), createScratchDatabase(undefined, 'leak')]);
    const port = await freePort();
    writeFileSync(
      join(dir, 'config.yaml'),
      [
        'cameras:',
        '  - { id: cam-1, name: Gate, url: "rtsp://127.0.0.1:9/x", areaType: street, grid: grid-01 }',
        `redis: { url: "${redis.url}", prefix: gwleak }`,
        `api: { host: 127.0.0.1, port: ${port} }`,
        `storage: { dir: "${join(dir, 'data')}" }`,
      ].join('\n'),
    );
    env.DATABASE_URL = scratch.url;
    env.GRIDWORKER_ADMIN_PASSWORD = secret(pw('admin'));
    api = `http://127.0.0.1:${port}`;
    const args = [GRIDWORKER_BIN, 'run', '--config', join(dir, 'config.yaml'), '--role', 'scheduler,api', '--no-progress', '--log-format', 'json'];
    server = spawn(process.execPath, args, { cwd: PROJECT_ROOT, env: { ...process.env, ...env, LOG_LEVEL: 'debug' }, stdio: ['ignore', 'pipe', 'pipe'] });
    server.stdout!.on('data', (d: Buffer) => (serverOut += d.toString()));
    server.stderr!.on('data', (d: Buffer) => (serverOut += d.toString()));
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (await fetch(`${api}/healthz`).then((r) => r.ok, () => false)) break;
      if (server.exitCode !== null || Date.now() > deadline) throw new Error(`server did not start:\n${serverOut}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    argvSeen.push(readFileSync(`/proc/${server.pid}/cmdline`, 'utf8').split('\0').join(' '));
  }, 90_000);

  afterAll(async () => {
    if (server && server.exitCode === null) {
      const done = new Promise((r) => server.once('exit', r));
      server.kill('SIGTERM');
      await done;
    }
    await Promise.all([redis?.close(), scratch?.drop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('greps everything the run produced for every secret it handled', async () => {
    const cfg = ['--config', join(dir, 'config.yaml')];
    // CLI: users and tokens; passwords on stdin and in the environment, never in arguments.
    const alice1 = secret(pw('alice'));
    corpus.push(cli(['users', 'add', 'alice', '--role', 'grid_worker', '--grids', 'grid-01', ...cfg], { stdin: `${alice1}\n` }));
    const alice2 = secret(pw('alice2'));
    corpus.push(cli(['users', 'passwd', 'alice', ...cfg], { env: { GRIDWORKER_PASSWORD: alice2 } }));
    const cliToken = secret(cli(['tokens', 'create', 'scraper', '--role', 'viewer', ...cfg]).trim());
    expect(cliToken).toMatch(/^gwt_/);
    corpus.push(cli(['users', 'list', ...cfg]), cli(['tokens', 'list', ...cfg]));

    // HTTP: logins (one wrong), sessions, a token made over the API, reads and writes.
    const guess = secret(pw('guess'));
    expect((await http('POST', '/api/login', {}, { username: 'alice', password: guess })).status).toBe(401);
    const admin = await http('POST', '/api/login', {}, { username: 'admin', password: env.GRIDWORKER_ADMIN_PASSWORD });
    expect(admin.status).toBe(200);
    const adminCookie = admin.cookie!;
    secret(adminCookie.split('=')[1]!);
    const alice = await http('POST', '/api/login', {}, { username: 'alice', password: alice2 });
    secret(alice.cookie!.split('=')[1]!);
    const as = { cookie: adminCookie, origin: api };
    const bob = secret(pw('bob'));
    expect((await http('POST', '/api/users', as, { username: 'bob', password: bob, role: 'viewer' })).status).toBe(201);
    const bob2 = secret(pw('bob2'));
    expect((await http('PATCH', '/api/users/bob', as, { password: bob2 })).status).toBe(200);
    const made = await http('POST', '/api/tokens', as, { name: 'consumer', role: 'operator' }, false);
    const apiToken = secret((JSON.parse(made.text) as { token: string }).token);
    // Shown once, in this answer: the rest of it goes into the corpus without the token.
    corpus.push(made.text.replace(apiToken, '<the token, shown once>'));
    const bearer = { authorization: `Bearer ${apiToken}` };
    for (const path of ['/api/me', '/api/users', '/api/tokens', '/api/audit?limit=1000', '/metrics', '/api/patrol/status', '/api/cameras', '/api/cases']) await http('GET', path, as);
    for (const path of ['/api/me', '/metrics', '/api/patrol/status']) await http('GET', path, bearer);
    await http('GET', '/metrics', { authorization: `Bearer ${cliToken}` });
    expect((await http('POST', '/api/patrol/pause', bearer)).status).toBe(200);
    expect((await http('POST', '/api/patrol/pause', { cookie: alice.cookie!, origin: 'http://evil.example' })).status).toBe(403);
    await http('GET', '/api/me', { authorization: `Bearer ${apiToken.slice(0, -4)}0000` });
    await http('GET', '/api/me', { cookie: `gw_session=${adminCookie.split('=')[1]!.slice(0, -3)}abc` });
    expect((await http('POST', '/api/logout', as)).status).toBe(204);
    await http('GET', '/api/me', as);

    // What is at rest: hashes and digests are secrets too (never to be shown).
    const client = new pg.Client({ connectionString: scratch.url });
    await client.connect();
    try {
      const users = await client.query<{ password_hash: string }>('select password_hash from users');
      for (const u of users.rows) secret(u.password_hash);
      const tokens = await client.query<{ secret_digest: string }>('select secret_digest from service_tokens');
      for (const tk of tokens.rows) secret(tk.secret_digest);
      expect(users.rows.length).toBe(3);
      expect(users.rows.every((u) => u.password_hash.startsWith('$argon2id$'))).toBe(true);
    } finally {
      await client.end();
    }
    for (const s of [...secrets]) if (s.startsWith('gwt_')) secret(s.split('_')[2]!);
    for (const cookieValue of secrets.filter((s) => /^[A-Za-z0-9_-]{43}$/.test(s))) secret(sha256(cookieValue));

    // Process arguments of everything spawned, as the system shows them now.
    const ps = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).split('\n').filter((l) => l.includes('gridworker'));
    argvSeen.push(...ps);

    const stop = new Promise((r) => server.once('exit', r));
    server.kill('SIGTERM');
    await stop;
    corpus.push(serverOut, ...argvSeen);

    const all = corpus.join('\n');
    expect(serverOut).toContain('"level"'); // the logs were really captured (JSON lines)
    expect(all).toContain('gridworker_');   // and the metrics text
    expect(secrets.length).toBeGreaterThanOrEqual(16);
    const leaks = secrets.filter((s) => all.includes(s) || all.includes(encodeURIComponent(s)));
    expect(leaks.map((s) => `${s.slice(0, 6)}… (${s.length} chars)`)).toEqual([]);
  }, 180_000);
});
