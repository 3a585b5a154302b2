import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/db-schema.ts';
import { BatchLanes } from './batch-lanes.ts';
import { RepeatWriteError } from './case-errors.ts';
import { writeGuardedChange } from './case-write.ts';
import { type GuardedWrite, writeGuardedBatch } from './repeat-batch-write.ts';

/** Options of a RepeatGroupCommit. */
export interface RepeatGroupCommitOptions {
  /** Most changes in one statement. Default 128. */
  readonly maxBatch?: number;
  /**
   * Batches written at once. Default 2: one batch's statement runs while the other waits for its
   * WAL flush (1: the next batch starts only when the previous one returns; the events bench at 8
   * visits in flight measured 2 at 1.68-1.89x one commit per sighting, 1 at 1.14-1.37x).
   */
  readonly maxInFlight?: number;
  /** The write of a batch of two or more (tests inject faults). Default writeGuardedBatch. */
  readonly writeBatch?: (db: Kysely<Database>, writes: readonly GuardedWrite[]) => Promise<Set<string>>;
  /** The one-change write: a batch of one, and each change of a failed batch. Default writeGuardedChange, durable (tests inject faults). */
  readonly writeOne?: (db: Kysely<Database>, w: GuardedWrite) => Promise<boolean>;
}

interface Pending {
  readonly write: GuardedWrite;
  resolve(written: boolean): void;
  reject(err: Error): void;
}

/**
 * Group commit for repeat sightings: changes of existing cases handed in while batches are being
 * written wait, and go together in the next batch as one statement (one commit, one WAL flush for
 * all of them; writeGuardedBatch). No timer: the first change after a quiet spell is written at
 * once, and the next batch starts as soon as one of the `maxInFlight` batches returns. Each
 * caller's promise settles after the commit that holds its change: true (written, durable), false
 * (its case moved on since it was read: nothing written; the caller re-reads), or a
 * RepeatWriteError.
 *
 * A case is in at most one batch being written (its next change waits for a later batch, where its
 * version guard decides). When a batch fails, nothing of it was acknowledged: each of its changes
 * is written again on its own, so one bad change fails only its own caller, and a change whose
 * batch did commit before the error reached us (the connection lost at COMMIT) is recognised by
 * its audit row and reported written, never filed twice. Holds no connection or timer of its own.
 */
export class RepeatGroupCommit {
  private readonly lanes: BatchLanes<Pending>;
  /** Cases with a change in a batch being written: their next change waits (per-case order). */
  private readonly busy = new Set<string>();
  private closed = false;
  private readonly maxBatch: number;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly options: RepeatGroupCommitOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 128;
    this.lanes = new BatchLanes<Pending>(options.maxInFlight ?? 2, (queue) => this.take(queue), (batch) => this.writeBatch(batch));
  }

  /** Writes one guarded change in the next batch; see the class. */
  write(w: GuardedWrite): Promise<boolean> {
    if (this.closed) return Promise.reject(new RepeatWriteError(w.change.next.id, 'the repeat writer is closed'));
    return new Promise<boolean>((resolve, reject) => this.lanes.push({ write: w, resolve, reject }));
  }

  /** Waits for every change handed in so far; later writes are refused. Safe to call twice. */
  async close(): Promise<void> {
    this.closed = true;
    await this.lanes.idle();
  }

  /** Writes one batch with its cases marked busy; a failure that escapes rejects each of its callers. */
  private async writeBatch(batch: readonly Pending[]): Promise<void> {
    const ids = batch.map((p) => p.write.change.next.id);
    for (const id of ids) this.busy.add(id);
    try {
      await this.flushOnce(batch);
    } catch (err) {
      for (const p of batch) p.reject(new RepeatWriteError(p.write.change.next.id, messageOf(err), err));
    } finally {
      for (const id of ids) this.busy.delete(id);
    }
  }

  /** The next batch: queued changes in arrival order, one per case and none of a case being written, at most maxBatch. */
  private take(queue: Pending[]): Pending[] {
    const batch: Pending[] = [];
    const cases = new Set<string>(this.busy);
    for (let i = 0; i < queue.length && batch.length < this.maxBatch; ) {
      const p = queue[i]!;
      const id = p.write.change.next.id;
      if (cases.has(id)) {
        i++;
        continue;
      }
      cases.add(id);
      batch.push(p);
      queue.splice(i, 1);
    }
    return batch;
  }

  private async flushOnce(batch: readonly Pending[]): Promise<void> {
    let written: Set<string>;
    try {
      // A batch of one is the single guarded statement (lighter to plan than the multi-row one).
      const [only] = batch;
      if (batch.length === 1 && only) written = (await this.writeOne(only.write)) ? new Set([only.write.change.next.id]) : new Set();
      else written = await (this.options.writeBatch ?? writeGuardedBatch)(this.db, batch.map((p) => p.write));
    } catch (err) {
      await Promise.all(batch.map((p) => this.retryAlone(p, err)));
      return;
    }
    for (const p of batch) p.resolve(written.has(p.write.change.next.id));
  }

  /** A failed batch's change, written on its own (durable); its own failure rejects only its caller. */
  private async retryAlone(p: Pending, batchError: unknown): Promise<void> {
    const w = p.write;
    const id = w.change.next.id;
    try {
      p.resolve((await this.writeOne(w)) || (await this.committedBefore(w)));
    } catch (err) {
      p.reject(new RepeatWriteError(id, `written neither in a batch (${messageOf(batchError)}) nor alone (${messageOf(err)})`, err));
    }
  }

  private writeOne(w: GuardedWrite): Promise<boolean> {
    return this.options.writeOne ? this.options.writeOne(this.db, w) : writeGuardedChange(this.db, w.prev, w.change, w.outbox, w.now, 'durable');
  }

  /** Whether the change's own audit row is there: its batch committed though the error said otherwise. */
  private async committedBefore(w: GuardedWrite): Promise<boolean> {
    const { next, audit } = w.change;
    const r = await sql<{ n: number }>`
      select count(*)::int as n from case_audit
      where case_id = ${next.id} and case_version = ${next.version} and at = ${audit.at} and action = ${audit.action}
        and detail is not distinct from ${audit.detail ? JSON.stringify(audit.detail) : null}::jsonb`.execute(this.db);
    return (r.rows[0]?.n ?? 0) > 0;
  }
}

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));
