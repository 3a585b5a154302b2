/**
 * Runs ffmpeg once for a visit and reports how it went; never rejects.
 *
 * ffmpeg is forked by the spawner process by default (ffmpeg-spawner.ts: a fork from this
 * process would stall its event loop), with the argument list fluent-ffmpeg would build; frames
 * and stderr come back over unix-socket connections ffmpeg writes to directly. `spawnFrom: 'self'`
 * runs it from this process through fluent-ffmpeg instead (kept for comparison in benchmarks).
 *
 * How fluent-ffmpeg is used, and where it is bypassed:
 * - The command is built with `.input().inputOptions().output(writable).outputOptions()` (a second
 *   `.output(file)` for the evidence JPEG). Options go in as separate arguments so fluent-ffmpeg
 *   never splits them on spaces. The spawner path lays the same parts out the same way.
 * - `-f` is given as an output option rather than `.format()`; fluent-ffmpeg probes `ffmpeg
 *   -formats` and `-encoders` before the first run of a process either way (cached afterwards;
 *   `prepareFfmpeg()` pays that up front). Its ffmpeg path (FFMPEG_PATH, `setFfmpegPath`) is
 *   used on both paths.
 * - The raw frames go to a Writable with `emitClose: false`: fluent-ffmpeg kills ffmpeg 20 ms
 *   after its output stream emits 'close', which could cut ffmpeg's RTSP TEARDOWN short.
 * - The child process (`ffmpegProc`, not in fluent-ffmpeg's types) is taken on 'start' to
 *   register it, to know when its stdout has drained, and to stop it: SIGTERM first (ffmpeg then
 *   sends TEARDOWN, freeing one of the camera's few session slots), SIGKILL after a grace.
 * - stderr is read line by line through the 'stderr' event (all of it, not the 100-line ring).
 */
import type { ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { Readable, Writable } from 'node:stream';
import ffmpeg from 'fluent-ffmpeg';
import type { TimeoutPhase } from './errors.ts';
import { baselineArgs, evidenceOutputArgs, globalArgs, rawVideoOutputArgs, rtspInputArgs } from './ffmpeg-args.ts';
import { lowerPriority } from '../models/lower-priority.ts';
import { FfmpegLogParser } from './ffmpeg-log.ts';
import { registerFfmpeg, stopFfmpeg } from './ffmpeg-registry.ts';
import { FrameSlicer } from './frame-slicer.ts';
import { sharedSpawner } from './ffmpeg-spawner.ts';
import { LineSplitter } from './line-splitter.ts';
import type { FfmpegProcess } from './remote-ffmpeg.ts';
import { stdinInput } from './stdin-input.ts';
import type { VisitOptions, VisitPlan } from './visit-plan.ts';

/** ffmpeg's own socket timeout is connectMs plus this, so that the visit's watchdog decides first. */
export const SOCKET_TIMEOUT_MARGIN_MS = 1_000;
/** After the last wanted frame ffmpeg exits by itself (`-frames:v`); past this it is stopped. */
const EXIT_GRACE_MS = 1_500;
/** SIGTERM to SIGKILL. */
const KILL_GRACE_MS = 500;
/** How long to wait for ffmpeg's stdout to drain after fluent-ffmpeg reported the end. */
const DRAIN_WAIT_MS = 250;
/** stderr lines kept (a visit prints ~30). */
const STDERR_MAX_LINES = 300;

export type StopReason = { readonly kind: 'timeout'; readonly phase: TimeoutPhase; readonly ms: number } | { readonly kind: 'abort'; readonly reason: unknown };

/** Everything a finished ffmpeg run leaves behind. */
export interface RunOutcome {
  readonly slicer: FrameSlicer;
  readonly log: FfmpegLogParser;
  readonly stderr: string;
  readonly stopped: StopReason | undefined;
  readonly spawnFailed: Error | undefined;
  readonly spawnAt: number;
  readonly exitAt: number;
  readonly frameAt: readonly number[];
}

/** fluent-ffmpeg's ffmpeg path (FFMPEG_PATH, `setFfmpegPath`, or PATH; cached by it): '' when none. */
function ffmpegPath(): Promise<string> {
  type WithPath = { _getFfmpegPath(cb: (err: Error | null, path?: string) => void): void };
  return new Promise((resolve, reject) => (ffmpeg() as unknown as WithPath)._getFfmpegPath((err, path) => (err ? reject(err) : resolve(path ?? ''))));
}

/** Runs ffmpeg once and reports how it went; never rejects. */
export class FfmpegRun {
  private readonly t0: number;
  private spawnAt = Number.NaN;
  private child: FfmpegProcess | undefined;
  private readonly log = new FfmpegLogParser();
  private readonly stderr: string[] = [];
  private readonly slicer: FrameSlicer;
  private readonly frameAt: number[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped: StopReason | undefined;
  private stopping = false;
  private ffmpegError: Error | undefined;
  private ffmpegDone = false;
  private stdoutDone = false;
  private done = false;
  private resolve: (o: RunOutcome) => void = () => {};

  constructor(
    private readonly url: string,
    private readonly plan: VisitPlan,
    private readonly jpegPath: string | undefined,
    private readonly signal: AbortSignal | undefined,
    private readonly options: VisitOptions,
    t0: number,
  ) {
    this.t0 = t0;
    this.slicer = new FrameSlicer(plan.frames, () => this.onFrame());
    if (plan.outWidth > 0 && plan.outHeight > 0) this.slicer.setSize(plan.outWidth, plan.outHeight);
  }

  run(): Promise<RunOutcome> {
    return new Promise((resolve) => {
      this.resolve = resolve;
      const { visitMs } = this.plan.timeouts;
      this.arm(visitMs - (performance.now() - this.t0), () => this.stop({ kind: 'timeout', phase: 'visit', ms: visitMs }));
      this.signal?.addEventListener('abort', this.onAbort, { once: true });
      if (this.options.spawnFrom === 'self') this.runHere();
      else this.runInSpawner();
    });
  }

  /** ffmpeg's arguments in parts; `script` is the stdin script (null: the URL is on argv). */
  private parts(): { inputOptions: string[]; script: string | null; output: string[] } {
    const { plan } = this;
    const socketTimeoutMs = plan.timeouts.connectMs + SOCKET_TIMEOUT_MARGIN_MS;
    let input: string[];
    let output: string[];
    if (this.options.flags === 'baseline') {
      const b = baselineArgs({ socketTimeoutMs, width: plan.outWidth, height: plan.outHeight, frames: plan.frames, spacingMs: plan.spacingMs });
      input = b.input;
      output = b.output;
    } else {
      input = rtspInputArgs({ socketTimeoutMs, keyframesOnly: plan.keyframesOnly ?? false, ...(this.options.decoderThreads !== undefined ? { decoderThreads: this.options.decoderThreads } : {}) });
      output = rawVideoOutputArgs({ width: plan.outWidth, height: plan.outHeight, frames: plan.frames, spacingMs: plan.spacingMs });
    }
    if (this.options.urlOnCommandLine === true) return { inputOptions: [...globalArgs(), ...input], script: null, output };
    // The URL (with its credentials) goes through stdin, never into argv (see stdin-input.ts).
    const via = stdinInput(this.url, input);
    return { inputOptions: [...globalArgs(), ...via.args], script: via.script, output };
  }

  /** ffmpeg forked by this process, through fluent-ffmpeg. */
  private runHere(): void {
    const { inputOptions, script, output } = this.parts();
    const sink = new Writable({
      emitClose: false,
      write: (chunk: Buffer, _enc, cb) => {
        this.slicer.push(chunk);
        cb();
      },
    });
    const command = ffmpeg();
    command.input(script === null ? this.url : Readable.from([script])).inputOptions(...inputOptions);
    command.output(sink).outputOptions(...output);
    if (this.jpegPath !== undefined) command.output(this.jpegPath).outputOptions(...evidenceOutputArgs());
    command.on('start', () => {
      // fluent-ffmpeg sets `ffmpegProc` right before emitting 'start'; its typings omit it.
      const child = (command as unknown as { ffmpegProc?: ChildProcess }).ffmpegProc;
      this.spawnAt = performance.now();
      if (!child) return;
      // The spawner path lowers the priority in the spawner, right after its fork.
      const refused = child.pid === undefined ? undefined : lowerPriority(child.pid, this.options.nice ?? 0);
      this.onStart(child, child.stdout);
      if (refused) this.stop({ kind: 'abort', reason: refused });
    });
    command.on('stderr', (line: string) => this.onStderr(line));
    command.on('end', () => this.onFfmpegDone(undefined));
    command.on('error', (err: Error) => this.onFfmpegDone(err));
    command.run();
  }

  /**
   * ffmpeg forked by the spawner process (ffmpeg-spawner.ts) with the same arguments fluent-ffmpeg
   * would give it (inputs, `-y` for a file output, outputs; streams become pipe:0 / pipe:1).
   */
  private runInSpawner(): void {
    const { inputOptions, script, output } = this.parts();
    const args = [...inputOptions, '-i', script === null ? this.url : 'pipe:0'];
    if (this.jpegPath !== undefined) args.push('-y');
    args.push(...output, 'pipe:1');
    if (this.jpegPath !== undefined) args.push(...evidenceOutputArgs(), this.jpegPath);
    ffmpegPath().then(
      (command) => {
        if (command === '') return this.onFfmpegDone(new Error('Cannot find ffmpeg'));
        const proc = sharedSpawner().launch(command, args, script, this.options.nice ?? 0);
        proc.stdout.on('data', (chunk: Buffer) => this.slicer.push(chunk));
        const lines = new LineSplitter((line) => this.onStderr(line));
        proc.stderr.on('data', (text: string) => lines.push(text));
        proc.stderr.on('end', () => lines.end());
        proc.once('spawn', () => {
          this.spawnAt = performance.now();
          this.onStart(proc, proc.stdout);
        });
        proc.once('error', (err) => this.onFfmpegDone(err));
        proc.once('exit', () => this.onFfmpegDone(undefined));
      },
      (err: unknown) => this.onFfmpegDone(err instanceof Error ? err : new Error(String(err))),
    );
  }

  private onStart(child: FfmpegProcess, stdout: Readable | null): void {
    if (child.pid === undefined) return;
    this.child = child;
    registerFfmpeg(child);
    this.options.onSpawn?.(child.pid);
    if (stdout) stdout.once('close', () => this.onStdoutDone());
    else this.stdoutDone = true;
    if (this.stopped) {
      void stopFfmpeg(child, KILL_GRACE_MS);
      return;
    }
    const { connectMs, firstFrameMs } = this.plan.timeouts;
    this.arm(connectMs, () => {
      if (!this.log.opened && this.slicer.frames.length === 0) this.stop({ kind: 'timeout', phase: 'connect', ms: connectMs });
    });
    this.arm(firstFrameMs, () => {
      if (this.slicer.frames.length === 0) this.stop({ kind: 'timeout', phase: 'first-frame', ms: firstFrameMs });
    });
  }

  private onStderr(line: string): void {
    this.stderr.push(line);
    if (this.stderr.length > STDERR_MAX_LINES) this.stderr.splice(0, this.stderr.length - STDERR_MAX_LINES);
    if (!this.log.feed(line) || this.slicer.sized) return;
    const out = this.log.outputSizes.get(0);
    if (out) this.slicer.setSize(out.width, out.height);
  }

  private onFrame(): void {
    this.frameAt.push(performance.now() - this.spawnAt);
    if (!this.slicer.full || this.stopping) return;
    // All wanted frames are in: ffmpeg stops by itself after -frames:v; make sure it does.
    this.stopping = true;
    this.arm(EXIT_GRACE_MS, () => {
      if (this.child) void stopFfmpeg(this.child, KILL_GRACE_MS);
    });
  }

  private readonly onAbort = (): void => {
    this.stop({ kind: 'abort', reason: this.signal?.reason });
  };

  private stop(reason: StopReason): void {
    if (this.stopped || this.done) return;
    if (this.slicer.full) {
      // Every frame is in: a late watchdog or abort only hurries ffmpeg's exit.
      if (this.child) void stopFfmpeg(this.child, KILL_GRACE_MS);
      return;
    }
    this.stopped = reason;
    this.stopping = true;
    this.clearTimers();
    if (this.child) void stopFfmpeg(this.child, KILL_GRACE_MS);
    // Should fluent-ffmpeg never report the end, do not hang the visit.
    this.arm(KILL_GRACE_MS + 2_000, () => this.finish());
  }

  private onFfmpegDone(err: Error | undefined): void {
    this.ffmpegDone = true;
    this.ffmpegError = err;
    if (this.stdoutDone || !this.child) this.finish();
    else this.arm(DRAIN_WAIT_MS, () => this.finish());
  }

  private onStdoutDone(): void {
    this.stdoutDone = true;
    if (this.ffmpegDone) this.finish();
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    this.clearTimers();
    this.signal?.removeEventListener('abort', this.onAbort);
    const spawned = this.child?.pid !== undefined;
    this.resolve({
      slicer: this.slicer,
      log: this.log,
      stderr: this.stderr.join('\n'),
      stopped: this.stopped,
      spawnFailed: spawned ? undefined : (this.ffmpegError ?? new Error('ffmpeg did not start')),
      spawnAt: this.spawnAt,
      exitAt: performance.now(),
      frameAt: this.frameAt,
    });
  }

  private arm(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, Math.max(0, ms));
    this.timers.add(timer);
  }

  private clearTimers(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}

