import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/db-schema.ts';
import { RepeatWriteError } from './case-errors.ts';
import { writeGuardedChange } from './case-write.ts';
import { type GuardedWrite, writeGuardedBatch } from './repeat-batch-write.ts';

/** Options of a RepeatGroupCommit. */
export interface RepeatGroupCommitOptions {
  /** Most changes in one statement. Default 128. */
  readonly maxBatch?: number;
  /** The batch write (tests inject faults). Default writeGuardedBatch. */
  readonly writeBatch?: (db: Kysely<Database>, writes: readonly GuardedWrite[]) => Promise<Set<string>>;
  /** The one-change write a failed batch falls back to (tests inject faults). Default writeGuardedChange, durable. */
  readonly writeOne?: (db: Kysely<Database>, w: GuardedWrite) => Promise<boolean>;
}

interface Pending {
  readonly write: GuardedWrite;
  resolve(written: boolean): void;
  reject(err: Error): void;
}

/**
 * Group commit for repeat sightings: changes of existing cases handed in while a batch is being
 * written wait, and go together in the next batch as one statement (one commit, one WAL flush for
 * all of them; writeGuardedBatch). No timer: the first change after a quiet spell is written at
 * once, and a batch starts as soon as the previous one returns. Each caller's promise settles
 * after the commit that holds its change: true (written, durable), false (its case moved on since
 * it was read: nothing written; the caller re-reads), or a RepeatWriteError.
 *
 * At most one change per case goes in a batch (a second one waits for the next batch, where its
 * version guard decides). When a batch fails, nothing of it was acknowledged: each of its changes
 * is written again on its own, so one bad change fails only its own caller, and a change whose
 * batch did commit before the error reached us (the connection lost at COMMIT) is recognised by
 * its audit row and reported written, never filed twice. Holds no connection or timer of its own.
 */
export class RepeatGroupCommit {
  private readonly queue: Pending[] = [];
  private flushing: Promise<void> | undefined;
  private closed = false;
  private readonly maxBatch: number;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly options: RepeatGroupCommitOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 128;
  }

  /** Writes one guarded change in the next batch; see the class. */
  write(w: GuardedWrite): Promise<boolean> {
    if (this.closed) return Promise.reject(new RepeatWriteError(w.change.next.id, 'the repeat writer is closed'));
    return new Promise<boolean>((resolve, reject) => {
      this.queue.push({ write: w, resolve, reject });
      this.flushing ??= this.drain();
    });
  }

  /** Waits for every change handed in so far; later writes are refused. Safe to call twice. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flushing;
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) await this.flushOnce(this.take());
    this.flushing = undefined;
  }

  /** The next batch: queued changes in arrival order, one per case, at most maxBatch. */
  private take(): Pending[] {
    const batch: Pending[] = [];
    const cases = new Set<string>();
    for (let i = 0; i < this.queue.length && batch.length < this.maxBatch; ) {
      const p = this.queue[i]!;
      const id = p.write.change.next.id;
      if (cases.has(id)) {
        i++;
        continue;
      }
      cases.add(id);
      batch.push(p);
      this.queue.splice(i, 1);
    }
    return batch;
  }

  private async flushOnce(batch: readonly Pending[]): Promise<void> {
    let written: Set<string>;
    try {
      written = await (this.options.writeBatch ?? writeGuardedBatch)(this.db, batch.map((p) => p.write));
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
      const one = this.options.writeOne ?? ((db: Kysely<Database>, x: GuardedWrite) => writeGuardedChange(db, x.prev, x.change, x.outbox, x.now, 'durable'));
      p.resolve((await one(this.db, w)) || (await this.committedBefore(w)));
    } catch (err) {
      p.reject(new RepeatWriteError(id, `written neither in a batch (${messageOf(batchError)}) nor alone (${messageOf(err)})`, err));
    }
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
