/**
 * A real RTSP server on 127.0.0.1 for integration tests and demos: GStreamer's RTSP server (run by
 * the system Python, see `test-fixtures/rtsp-server/rtsp_server.py`) serving looped H.264 clips as
 * live cameras, plus the ways a camera fails: a missing path (404), a closed port, a stream that
 * ends mid-visit, a frozen stream, credentials (401), and a port that accepts and never answers.
 *
 * ```ts
 * const rtsp = await startRtspServer();
 * const url = rtsp.url('street-bus'); // rtsp://127.0.0.1:<port>/street-bus
 * await rtsp.stopStream('street-bus'); // readers see end of stream, new ones 404
 * await rtsp.close();
 * ```
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { once } from 'node:events';
import { type Server, type Socket, createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { type BuiltStream, DEFAULT_STREAMS, type StreamSpec, buildStreams } from './rtsp-streams.ts';

export { DEFAULT_STREAMS, HD_STREAMS, buildStreams, cocoImage, type BuiltStream, type StreamSource, type StreamSpec } from './rtsp-streams.ts';

/** The interpreter with GStreamer's bindings (the first `python3` on PATH may lack them). */
export const SYSTEM_PYTHON = '/usr/bin/python3';
const SERVER_SCRIPT = join(import.meta.dirname, '..', 'rtsp-server', 'rtsp_server.py');
const HOST = '127.0.0.1';
/** How long the server may take to print READY (the first run on a machine scans GStreamer's plugins). */
const READY_TIMEOUT_MS = 20_000;
const COMMAND_TIMEOUT_MS = 5_000;
const KILL_GRACE_MS = 2_000;

/** A user name and password for an RTSP URL. */
export interface RtspCredentials {
  readonly user: string;
  readonly password: string;
}

/** One mount that requires credentials. */
export interface RtspAuth extends RtspCredentials {
  /** The protected mount path (one of the streams). */
  readonly path: string;
  /** How the server asks for credentials. Default `digest` (what most cameras use). */
  readonly method?: 'basic' | 'digest';
}

/** Credentials of the default `secure` mount. */
export const DEFAULT_AUTH: RtspAuth = { path: 'secure', user: 'gridworker', password: 'p@ss:w0rd/1', method: 'digest' };

/** Options of {@link startRtspServer}. */
export interface RtspServerOptions {
  /** The cameras. Default {@link DEFAULT_STREAMS}. */
  readonly streams?: readonly StreamSpec[];
  /** A mount that requires credentials; `null` for none. Default {@link DEFAULT_AUTH} with the default streams, none otherwise. */
  readonly auth?: RtspAuth | null;
  /** TCP port on 127.0.0.1. Default 0: a free one, chosen by the server itself (no race). */
  readonly port?: number;
}

/** A running RTSP test server. */
export interface RtspTestServer {
  /** The TCP port it listens on (127.0.0.1). */
  readonly port: number;
  /** Mount paths, without the leading slash. */
  readonly paths: readonly string[];
  /** What each mount serves (frame size, fps, GOP). */
  readonly streams: readonly BuiltStream[];
  /** The protected mount and its credentials, or null. */
  readonly auth: RtspAuth | null;
  /** The Python process id (it leads its own process group). */
  readonly pid: number;
  /** `rtsp://[user:pass@]127.0.0.1:<port>/<path>`; credentials are URL-encoded. Any path is allowed (unknown ones answer 404). */
  url(path: string, creds?: RtspCredentials): string;
  /** Ends one stream: connected clients get end-of-stream (ffmpeg exits 0, no error text) and new ones 404. */
  stopStream(path: string): Promise<void>;
  /** Serves a stopped stream again (it rejoins the live timeline, mid-GOP). */
  restartStream(path: string): Promise<void>;
  /** Freezes one stream: connections stay open but no more frames are sent (a hung camera). */
  stallStream(path: string): Promise<void>;
  /** Sends frames of a stalled stream again, from the live timeline's next keyframe. */
  resumeStream(path: string): Promise<void>;
  /** Stops the server and waits until its process has exited. Safe to call twice. */
  close(): Promise<void>;
}

const trimPath = (path: string): string => path.replace(/^\/+|\/+$/g, '');

/** `rtsp://[user:pass@]host:port/path` with URL-encoded credentials. */
export function rtspUrl(port: number, path: string, creds?: RtspCredentials): string {
  const userinfo = creds ? `${encodeURIComponent(creds.user)}:${encodeURIComponent(creds.password)}@` : '';
  return `rtsp://${userinfo}${HOST}:${port}/${trimPath(path)}`;
}

/** The server's command line; the password goes in its environment, not in `ps`. */
function serverCommand(streams: readonly BuiltStream[], auth: RtspAuth | null, port: number): { args: string[]; env: NodeJS.ProcessEnv } {
  const args = [SERVER_SCRIPT, '--host', HOST, '--port', String(port)];
  for (const s of streams) args.push('--mount', `${s.path}=${s.file}`);
  if (!auth) return { args, env: process.env };
  args.push('--auth-path', auth.path, '--auth-user', auth.user, '--auth-method', auth.method ?? 'digest');
  return { args, env: { ...process.env, RTSP_AUTH_PASSWORD: auth.password } };
}

function checkOptions(rawPaths: readonly string[], auth: RtspAuth | null): void {
  const paths = rawPaths.map(trimPath);
  const bad = paths.find((p) => !/^[\w.-]+(\/[\w.-]+)*$/.test(p));
  if (bad !== undefined) throw new Error(`RTSP test server: bad stream path ${JSON.stringify(bad)} (letters, digits, _ . - and /)`);
  const dup = paths.find((p, i) => paths.indexOf(p) !== i);
  if (dup !== undefined) throw new Error(`RTSP test server: stream path ${dup} given twice`);
  if (auth && !paths.includes(trimPath(auth.path))) throw new Error(`RTSP test server: auth path ${auth.path} is not one of the streams`);
}

/** Kills the process group and waits for the exit; SIGKILL when SIGTERM is not enough. */
async function killGroup(child: ChildProcessWithoutNullStreams): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return; // never started, or gone
  const exited = once(child, 'exit');
  const signal = (sig: NodeJS.Signals): void => {
    try {
      process.kill(-child.pid!, sig);
    } catch {
      // The group is already gone.
    }
  };
  child.stdin.end();
  signal('SIGTERM');
  const timer = setTimeout(() => signal('SIGKILL'), KILL_GRACE_MS);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}

/** Reads READY, then command replies, from the server's stdout; collects stderr for errors. */
class ServerProcess {
  readonly child: ChildProcessWithoutNullStreams;
  private stderr = '';
  private readonly replies: ((line: string) => void)[] = [];
  private readonly ready: Promise<number>;

  constructor(command: { args: readonly string[]; env: NodeJS.ProcessEnv }) {
    this.child = spawn(SYSTEM_PYTHON, command.args, { detached: true, stdio: 'pipe', env: command.env });
    this.child.stderr.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    this.child.stdin.on('error', () => {}); // EPIPE when the server died; reported through exit
    const lines = createInterface({ input: this.child.stdout });
    this.ready = new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(this.failure(`not ready after ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS);
      const fail = (why: string): void => {
        clearTimeout(timer);
        reject(this.failure(why));
      };
      this.child.on('error', (err) => fail(err.message));
      this.child.on('exit', (code, sig) => {
        fail(`exited (${sig ?? `code ${code}`})`);
        for (const reply of this.replies.splice(0)) reply('ERR exited');
      });
      lines.on('line', (line) => {
        const ready = /^READY (\d+)$/.exec(line);
        if (ready) {
          clearTimeout(timer);
          resolve(Number(ready[1]));
        } else this.replies.shift()?.(line);
      });
    });
  }

  private failure(why: string): Error {
    const detail = this.stderr.trim();
    return new Error(`RTSP test server ${why}${detail ? `: ${detail}` : ''}`);
  }

  waitReady(): Promise<number> {
    return this.ready;
  }

  /** Sends one stdin command and resolves on its OK line (rejects on ERR or a timeout). */
  command(verb: string, path: string): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) {
      return Promise.reject(this.failure(`has exited; cannot ${verb} ${path}`));
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(this.failure(`did not answer "${verb} ${path}"`)), COMMAND_TIMEOUT_MS);
      this.replies.push((line) => {
        clearTimeout(timer);
        if (line.startsWith('OK ')) resolve();
        else reject(new Error(`RTSP test server: ${verb} ${path}: ${line.replace(/^ERR \S+ \S* ?/, '')}`));
      });
      this.child.stdin.write(`${verb} ${path}\n`);
    });
  }
}

/**
 * Builds the clips (cached) and starts the server on a free port of 127.0.0.1. Resolves once it
 * accepts connections (~0.2 s with cached clips; the first run on a machine encodes them, ~10 s);
 * rejects with the server's stderr when it cannot start.
 */
export async function startRtspServer(options: RtspServerOptions = {}): Promise<RtspTestServer> {
  const specs = options.streams ?? DEFAULT_STREAMS;
  const auth = options.auth !== undefined ? options.auth : options.streams ? null : DEFAULT_AUTH;
  checkOptions(specs.map((s) => s.path), auth);
  return serveStreams(await buildStreams(specs), auth, options.port);
}

/**
 * Starts the server on clips that already exist (see `buildStreams`); {@link startRtspServer}
 * is this plus building. Any H.264 MP4 will do; a file it cannot read fails the start.
 */
export async function serveStreams(built: readonly BuiltStream[], auth: RtspAuth | null = null, port = 0): Promise<RtspTestServer> {
  const streams = built.map((s) => ({ ...s, path: trimPath(s.path) }));
  const paths = streams.map((s) => s.path);
  checkOptions(paths, auth);
  const proc = new ServerProcess(serverCommand(streams, auth, port));
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => (closing ??= killGroup(proc.child));
  let boundPort: number;
  try {
    boundPort = await proc.waitReady();
  } catch (err) {
    await close();
    throw err;
  }
  const known = (verb: string) => (path: string): Promise<void> => {
    const p = trimPath(path);
    if (!paths.includes(p)) return Promise.reject(new Error(`RTSP test server: no stream ${path}`));
    return proc.command(verb, p);
  };
  return {
    port: boundPort,
    paths,
    streams,
    auth,
    pid: proc.child.pid!,
    url: (path, creds) => rtspUrl(boundPort, path, creds),
    stopStream: known('stop'),
    restartStream: known('start'),
    stallStream: known('stall'),
    resumeStream: known('resume'),
    close,
  };
}

/** A TCP server that accepts connections and never answers: RTSP clients wait until their timeout. */
export interface SilentServer {
  readonly port: number;
  /** `rtsp://127.0.0.1:<port>/<path>`. */
  url(path: string): string;
  /** Drops every connection and stops listening. Safe to call twice. */
  close(): Promise<void>;
}

/** Starts a {@link SilentServer} on a free port of 127.0.0.1. */
export async function startSilentServer(): Promise<SilentServer> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(0, HOST);
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  let closing: Promise<void> | undefined;
  return {
    port,
    url: (path) => rtspUrl(port, path),
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      })),
  };
}

/** A port on 127.0.0.1 that was free a moment ago (nothing listens: connections are refused). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, HOST);
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
