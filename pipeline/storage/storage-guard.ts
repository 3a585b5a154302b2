/**
 * Watches the storage folder (evidence, latest frames, the embedded record): proves it writable at
 * start, refuses new writes below a free-space floor, and remembers the last fault so that
 * readiness, metrics and the console can show it. It never drives a stage: the writer asks
 * `beforeWrite()` and reports what happened with `fail()` / `succeeded()`.
 */
import { EventEmitter } from 'node:events';
import { mkdir, open, rm, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import { StorageError, storageErrorOf } from './storage-errors.ts';

/** Default free-space floor: 256 MiB. */
export const DEFAULT_MIN_FREE_BYTES = 256 * 1024 * 1024;
/** How long a free-space reading is trusted (ms): statfs per write would be wasted work. */
const FREE_SPACE_TTL_MS = 5_000;

/** Options of {@link StorageGuard}. */
export interface StorageGuardOptions {
  /** Below this many free bytes new evidence is refused (`STORAGE_LOW_SPACE`). Default 256 MiB; 0 turns the floor off. */
  readonly minFreeBytes?: number;
  /** Clock (ms), for tests. Default Date.now. */
  readonly now?: () => number;
}

/** What readiness and metrics read. */
export interface StorageStatus {
  /** True when the last probe or write worked and free space is above the floor. */
  readonly ok: boolean;
  readonly dir: string;
  /** Free bytes for unprivileged writers at the last reading; null before the first. */
  readonly freeBytes: number | null;
  readonly minFreeBytes: number;
  /** The fault that makes it not ok. */
  readonly error?: { readonly code: string; readonly message: string; readonly at: number };
}

/** Storage faults, for the console and metrics. */
export interface StorageGuardEvents {
  /** A new fault, or a fault with another code than the last (not repeated per write). */
  fault: [StorageError];
  /** The storage folder works again after a fault. */
  recovered: [];
}

/** Guards one storage folder. */
export class StorageGuard extends EventEmitter<StorageGuardEvents> {
  private readonly minFreeBytes: number;
  private readonly now: () => number;
  private free: { bytes: number; at: number } | undefined;
  private fault: { error: StorageError; at: number } | undefined;
  private lastProbeAt: number | undefined;

  constructor(
    readonly dir: string,
    options: StorageGuardOptions = {},
  ) {
    super();
    this.minFreeBytes = options.minFreeBytes ?? DEFAULT_MIN_FREE_BYTES;
    this.now = options.now ?? Date.now;
  }

  /**
   * Proves the folder writable: creates it, writes, syncs and removes a probe file, and reads the
   * free space. Rejects with a StorageError (and records the fault) when it cannot write; space
   * below the floor is recorded as a fault, not thrown.
   */
  async probe(): Promise<void> {
    this.lastProbeAt = this.now();
    const file = join(this.dir, `.write-probe-${process.pid}`);
    try {
      await mkdir(this.dir, { recursive: true });
      const fh = await open(file, 'w', 0o600);
      try {
        await fh.writeFile('gridworker storage probe\n');
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rm(file, { force: true });
    } catch (err) {
      await rm(file, { force: true }).catch(() => undefined);
      throw this.fail(err);
    }
    this.succeeded();
    await this.readFree(true);
    try {
      this.checkFloor();
    } catch {
      // Low space is recorded (readiness fails, the console says it) but does not stop a start:
      // the patrol and camera health still work, only new evidence is refused.
    }
  }

  /**
   * Call before writing new evidence. Rejects with `STORAGE_LOW_SPACE` below the floor (and
   * records it), so a filling disk refuses new evidence loudly instead of failing half-written.
   */
  async beforeWrite(): Promise<void> {
    await this.readFree(false);
    this.checkFloor();
  }

  /** Records a failed write (any error) and returns it as a StorageError to throw or report. */
  fail(err: unknown, path = this.dir): StorageError {
    const error = storageErrorOf(err, path);
    const changed = this.fault?.error.code !== error.code;
    this.fault = { error, at: this.now() };
    if (changed) this.emit('fault', error);
    return error;
  }

  /** Records a write that worked: clears a write fault (the floor is checked again on the next write). */
  succeeded(): void {
    if (!this.fault) return;
    this.fault = undefined;
    this.emit('recovered');
  }

  /** The folder's state for readiness and metrics (no I/O). */
  status(): StorageStatus {
    const base = { dir: this.dir, freeBytes: this.free?.bytes ?? null, minFreeBytes: this.minFreeBytes };
    if (!this.fault) return { ok: true, ...base };
    return { ok: false, ...base, error: { code: this.fault.error.code, message: this.fault.error.message, at: this.fault.at } };
  }

  /**
   * For readiness: proves the folder writable again when the last probe is older than
   * `probeEveryMs` (a folder that turned read-only while idle shows here, not only at the next
   * write), otherwise reads the free space. Rejects with the fault's message when not ok.
   */
  async check(probeEveryMs = 30_000): Promise<void> {
    if (this.lastProbeAt === undefined || this.now() - this.lastProbeAt >= probeEveryMs) await this.probe();
    const s = await this.refresh();
    if (!s.ok) throw new Error(s.error?.message ?? 'storage folder not usable');
  }

  /** Reads the free space now (readiness calls it; writers use the cached reading). */
  async refresh(): Promise<StorageStatus> {
    await this.readFree(true).catch(() => undefined);
    try {
      this.checkFloor();
      if (this.fault?.error.code === 'STORAGE_LOW_SPACE') this.succeeded();
    } catch {
      // recorded by checkFloor
    }
    return this.status();
  }

  private async readFree(force: boolean): Promise<void> {
    const now = this.now();
    if (!force && this.free && now - this.free.at < FREE_SPACE_TTL_MS) return;
    try {
      const s = await statfs(this.dir);
      this.free = { bytes: s.bavail * s.bsize, at: now };
    } catch (err) {
      throw this.fail(err);
    }
  }

  private checkFloor(): void {
    if (this.minFreeBytes <= 0 || !this.free || this.free.bytes >= this.minFreeBytes) return;
    const mib = (n: number): string => (n / 1024 / 1024).toFixed(1);
    throw this.fail(
      new StorageError(
        'STORAGE_LOW_SPACE',
        this.dir,
        `storage folder ${this.dir} has ${mib(this.free.bytes)} MiB free, below the floor of ${mib(this.minFreeBytes)} MiB: new evidence is refused until space is freed (storage.minFreeMb)`,
      ),
    );
  }
}
