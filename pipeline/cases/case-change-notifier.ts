import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/db-schema.ts';
import { createLogger, type Logger } from '../log.ts';

/** The channel every case change is announced on (the `cases_changed` trigger uses the same). */
export const CASE_CHANGES_CHANNEL = 'gw_case_changes';

/**
 * Announces on `gw_case_changes` the case writes that told the trigger not to (the store's hot
 * paths, see migration 0005-case-groups): one notification after the commits, not one inside each.
 * A NOTIFY in a writing transaction holds a cluster-wide lock through that commit's WAL flush, so
 * notifying writers commit one at a time; a notification of its own commits in a moment, without
 * waiting for the flush (it carries no data worth keeping), and covers every write signalled
 * before it started. Signals while one is in flight are coalesced into one more after it.
 */
export class CaseChangeNotifier {
  private sending: Promise<void> | undefined;
  private again = false;
  private readonly log: Logger;

  constructor(
    private readonly db: Kysely<Database>,
    log?: Logger,
  ) {
    this.log = log ?? createLogger('cases');
  }

  /** A write that skipped the trigger's notification has committed. */
  signal(): void {
    if (this.sending) {
      this.again = true;
      return;
    }
    this.sending = this.send().finally(() => {
      this.sending = undefined;
    });
  }

  /** Resolves once every signalled change has been announced (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.sending) await this.sending;
  }

  private async send(): Promise<void> {
    do {
      this.again = false;
      try {
        await sql`select set_config('synchronous_commit', 'off', true), pg_notify(${CASE_CHANGES_CHANNEL}, '')`.execute(this.db);
      } catch (err) {
        // Listeners' caches keep pages until the next announced change; the error is the operator's clue.
        this.log.warn({ err: err instanceof Error ? err.message : String(err), channel: CASE_CHANGES_CHANNEL }, 'announcing a case change failed');
      }
    } while (this.again);
  }
}
