/**
 * Starts ffmpeg from a small long-lived child process (the spawner, ffmpeg-spawner-entry.mjs)
 * instead of from this one, so that this process's event loop never waits for a fork.
 *
 * Why: Linux `fork()` copies the page tables of the process that forks, and libuv forks on the
 * event-loop thread. Measured (scripts/bench/worker-throughput.ts --cpu-prof, 24 fixture cameras,
 * 8 visits in flight, 2 cores at load 12-19): in the all-in-one process (API, patrol, the embedded
 * database, the events stage) `ChildProcess.spawn` of ffmpeg took 82 ms median, 165 ms p90 on
 * the main thread (2-3 ms from a bare Node process) and was 36 % of its busy time; its busy time
 * per visit fell from 413 to 161 ms with the spawner, and the event-loop delay p99 from 234-369 ms
 * to 83-144 ms (an idle Node process beside it: 35-82 ms, the load's share). First frame through
 * the spawner, paired with forking here: +4 ms median (IQR -14..+15, within noise;
 * credentials-first-frame.ts --compare spawner). The spawner is a bare Node process (~40 MB)
 * started once; its forks are cheap and block only it.
 *
 * How the bytes travel: this process listens on a unix socket (Linux: in the abstract namespace,
 * so nothing is left on disk by a process that is killed; elsewhere in a private 0700 folder). For
 * each run the spawner connects twice, names the run, the stream and this spawner's secret token
 * (sent to it over the IPC channel; a connection without it is dropped, so no other local user can
 * inject frames) in a header line, and gives the two connections to ffmpeg as stdout and stderr,
 * closing its own copies. So frames go from
 * ffmpeg to this process through the kernel as they did through a pipe (no relay, no copy in the
 * spawner), and EOF comes when ffmpeg exits. The stdin script (which may hold a camera's
 * credentials) goes over the private IPC channel to ffmpeg's stdin pipe: never on argv, never in
 * an environment, never on disk.
 *
 * Lifecycle: the spawner starts on the first launch and again after it dies (its runs then end as
 * killed, and their ffmpeg, if any survived, is killed by pid). It exits by itself when this
 * process goes away (the channel closes), stopping any ffmpeg it still runs. It never keeps this
 * process alive (its handle and channel are unref'd; a run keeps the loop alive through its own
 * timers and sockets).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { RemoteFfmpeg } from './remote-ffmpeg.ts';

const ENTRY = fileURLToPath(new URL('./ffmpeg-spawner-entry.mjs', import.meta.url));
/** Longest header line the spawner writes ("<id> out <token>\n"). */
const MAX_HEADER = 128;

/** Messages from the spawner process. */
type SpawnerReply =
  | { readonly kind: 'ready' }
  | { readonly kind: 'spawned'; readonly id: number; readonly pid: number }
  | { readonly kind: 'spawn-error'; readonly id: number; readonly message: string }
  | { readonly kind: 'exit'; readonly id: number; readonly code: number | null; readonly signal: NodeJS.Signals | null };

function isReply(m: unknown): m is SpawnerReply {
  return typeof m === 'object' && m !== null && typeof (m as { kind?: unknown }).kind === 'string';
}

/** The error a run gets when the spawner could not start it. */
export class FfmpegSpawnError extends Error {
  override readonly name = 'FfmpegSpawnError';
}

/** One spawner process and the socket its ffmpeg runs write to. */
export class FfmpegSpawner {
  private child: ChildProcess | undefined;
  private listening: Promise<Server> | undefined;
  private dir: string | undefined;
  private readonly runs = new Map<number, RemoteFfmpeg>();
  private nextId = 1;
  private closing: Promise<void> | undefined;
  /** Proves a connection comes from this process's spawner (it learns the token over IPC). */
  private readonly token = randomBytes(16).toString('hex');
  private readonly removeDir = (): void => {
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  };

  /** Pid of the spawner process now running (undefined before the first launch or after it died). */
  get pid(): number | undefined {
    return this.child?.exitCode === null && this.child.signalCode === null ? this.child.pid : undefined;
  }

  /** The socket ffmpeg's output comes in on (once the first launch has started listening). */
  async socketPath(): Promise<string> {
    const address = (await this.listen()).address();
    if (typeof address !== 'string') throw new FfmpegSpawnError('the spawner socket has no path');
    return address;
  }

  /**
   * Starts `command args` in the spawner. `stdin` is written to ffmpeg's stdin and closed (null:
   * no stdin); `nice` is added to the process's niceness right after the fork (capped at 19).
   * Never throws: a failure to start is the run's `error` event.
   */
  launch(command: string, args: readonly string[], stdin: string | null, nice = 0): RemoteFfmpeg {
    const id = this.nextId++;
    const run = new RemoteFfmpeg(id, (runId, signal) => this.child?.send({ kind: 'kill', id: runId, signal }));
    if (this.closing) {
      queueMicrotask(() => run.failed(new FfmpegSpawnError('the ffmpeg spawner is closed')));
      return run;
    }
    this.runs.set(id, run);
    const forget = (): void => void this.runs.delete(id);
    run.once('exit', forget);
    run.once('error', forget);
    this.listen().then(
      (server) => {
        const address = server.address();
        if (typeof address !== 'string') throw new FfmpegSpawnError('the spawner socket has no path');
        this.process().send({ kind: 'spawn', id, command, args, stdin, nice, socketPath: address, token: this.token });
      },
    ).catch((err: unknown) => run.failed(new FfmpegSpawnError(`cannot start ffmpeg through the spawner: ${(err as Error).message}`, { cause: err })));
    return run;
  }

  private listen(): Promise<Server> {
    this.listening ??= new Promise<Server>((resolve, reject) => {
      let path: string;
      if (process.platform === 'linux') {
        path = `\0gridworker-ffmpeg-${process.pid}-${randomBytes(8).toString('hex')}`;
      } else {
        // A private (0700) folder, on tmpfs when there is one.
        this.dir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'gw-ffmpeg-'));
        process.once('exit', this.removeDir);
        path = join(this.dir, 's');
      }
      const server = createServer((socket) => this.accept(socket));
      server.once('error', reject);
      server.listen(path, () => {
        server.unref();
        resolve(server);
      });
    });
    return this.listening;
  }

  /** Reads the header line of a spawner connection and hands the rest to its run. */
  private accept(socket: Socket): void {
    let head: Buffer = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      head = head.length === 0 ? chunk : Buffer.concat([head, chunk]);
      const nl = head.indexOf(10);
      if (nl < 0) {
        if (head.length > MAX_HEADER) socket.destroy();
        return;
      }
      socket.off('data', onData);
      const [idText, kind, token = ''] = head.subarray(0, nl).toString('latin1').split(' ');
      const run = this.runs.get(Number(idText));
      if (!run || (kind !== 'out' && kind !== 'err') || !this.tokenMatches(token)) {
        socket.destroy();
        return;
      }
      run.attach(kind, socket, head.subarray(nl + 1));
    };
    socket.on('data', onData);
    socket.on('error', () => socket.destroy());
  }

  private tokenMatches(token: string): boolean {
    const given = Buffer.from(token, 'latin1');
    const want = Buffer.from(this.token, 'latin1');
    return given.length === want.length && timingSafeEqual(given, want);
  }

  /** The spawner process, started (again) when there is none. */
  private process(): ChildProcess {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null && this.child.connected) return this.child;
    // No inherited execArgv (a profiler, a test runner's loader): the spawner is plain JavaScript.
    const child = fork(ENTRY, [], { execArgv: [], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    this.child = child;
    child.unref();
    child.channel?.unref();
    child.on('message', (m: unknown) => {
      if (isReply(m)) this.onReply(m);
    });
    child.on('error', () => {}); // a failed send or fork: the exit below ends the runs
    child.once('exit', () => {
      if (this.child === child) this.child = undefined;
      this.orphanRuns();
    });
    return child;
  }

  private onReply(m: SpawnerReply): void {
    if (m.kind === 'ready') return;
    const run = this.runs.get(m.id);
    if (!run) return;
    if (m.kind === 'spawned') run.spawned(m.pid);
    else if (m.kind === 'spawn-error') run.failed(new FfmpegSpawnError(m.message));
    else run.exited(m.code, m.signal);
  }

  /** The spawner died: its runs end; an ffmpeg that outlived it is killed by pid. */
  private orphanRuns(): void {
    for (const run of [...this.runs.values()]) {
      if (run.pid === undefined) {
        run.failed(new FfmpegSpawnError('the ffmpeg spawner exited before starting ffmpeg'));
        continue;
      }
      try {
        process.kill(run.pid, 'SIGKILL');
      } catch {
        // already gone
      }
      run.exited(null, 'SIGKILL');
    }
  }

  /**
   * Stops the spawner (it stops any ffmpeg still running) and removes the socket. Runs still in
   * flight end as killed. Safe to call twice.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const child = this.child;
      if (child && child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((r) => child.once('exit', () => r()));
        if (child.connected) child.disconnect();
        const timer = setTimeout(() => child.kill('SIGKILL'), 2_000);
        await exited;
        clearTimeout(timer);
      }
      this.orphanRuns();
      const server = await this.listening?.catch(() => undefined);
      if (server) await new Promise<void>((r) => server.close(() => r()));
      this.removeDir();
      process.off('exit', this.removeDir);
    })();
    return this.closing;
  }
}

let shared: FfmpegSpawner | undefined;

/** The process-wide spawner every visit uses (started on first use). */
export function sharedSpawner(): FfmpegSpawner {
  shared ??= new FfmpegSpawner();
  return shared;
}

/** Closes the process-wide spawner (shutdown); a later visit starts a new one. Safe to call twice. */
export async function closeSharedSpawner(): Promise<void> {
  const s = shared;
  shared = undefined;
  await s?.close();
}
