/**
 * One ffmpeg started by the spawner process (ffmpeg-spawner.ts), seen from this process: its pid,
 * its stdout and stderr (unix-socket connections ffmpeg writes to directly), its exit, and `kill`
 * (relayed to the spawner, which owns the child). Shaped like the parts of a `ChildProcess` that
 * the ffmpeg registry and a visit use, so both kinds of process are stopped the same way.
 */
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { PassThrough } from 'node:stream';

/** What the registry and a visit need of an ffmpeg process, local child or remote. */
export interface FfmpegProcess {
  /** Set once the process runs. */
  readonly pid?: number | undefined;
  readonly exitCode: number | null;
  readonly signalCode: NodeJS.Signals | null;
  kill(signal?: NodeJS.Signals): boolean;
  once(event: 'exit', listener: (code: number | null, signal: NodeJS.Signals | null) => void): unknown;
}

type Events = {
  spawn: [pid: number];
  error: [err: Error];
  exit: [code: number | null, signal: NodeJS.Signals | null];
};

/** An ffmpeg run by the spawner. Emits `spawn` (running), `error` (could not start) and `exit`. */
export class RemoteFfmpeg extends EventEmitter<Events> implements FfmpegProcess {
  pid: number | undefined;
  exitCode: number | null = null;
  signalCode: NodeJS.Signals | null = null;
  /** ffmpeg's stdout (the raw frames). Ends when ffmpeg has exited (or never started). */
  readonly stdout = new PassThrough({ highWaterMark: 1 << 20 });
  /** ffmpeg's stderr, UTF-8 text. */
  readonly stderr = new PassThrough({ encoding: 'utf8' });
  private ended = false;
  private readonly sockets: Socket[] = [];

  constructor(
    readonly id: number,
    private readonly sendKill: (id: number, signal: NodeJS.Signals) => void,
  ) {
    super();
  }

  /** Sends `signal` (default SIGTERM) to ffmpeg through the spawner; false once it has exited. */
  kill(signal: NodeJS.Signals = 'SIGTERM'): boolean {
    if (this.ended || this.pid === undefined) return false;
    this.sendKill(this.id, signal);
    return true;
  }

  /** @internal The spawner's connection carrying ffmpeg's stdout or stderr (header already read). */
  attach(kind: 'out' | 'err', socket: Socket, rest: Buffer): void {
    if (this.ended && this.pid === undefined) {
      socket.destroy();
      return;
    }
    this.sockets.push(socket);
    const into = kind === 'out' ? this.stdout : this.stderr;
    if (rest.length > 0) into.write(rest);
    socket.on('error', () => into.end());
    socket.pipe(into);
  }

  /** @internal ffmpeg runs. */
  spawned(pid: number): void {
    this.pid = pid;
    this.emit('spawn', pid);
  }

  /** @internal ffmpeg could not be started (or the spawner died before it did). */
  failed(err: Error): void {
    if (this.ended) return;
    this.ended = true;
    for (const socket of this.sockets) socket.destroy();
    this.emit('error', err);
  }

  /** @internal ffmpeg exited (or the spawner died and it was killed). */
  exited(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.ended) return;
    this.ended = true;
    this.exitCode = code;
    this.signalCode = signal;
    this.emit('exit', code, signal);
  }
}
