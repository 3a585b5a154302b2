import type { Redis } from 'ioredis';
import type { IntakeResult } from '../cases/case-intake.ts';
import type { CaseRecord } from '../cases/case-model.ts';
import type { VisitAnalysis } from '../visit/camera-visitor.ts';
import { type LiveCase, type LiveEvent, liveHealthKey, liveStreamKey } from './live-event.ts';

/** The feed's view of a case: what a card shows, small enough to push to every console. */
export function liveCase(c: CaseRecord): LiveCase {
  return {
    id: c.id,
    eventType: c.eventType,
    cameraId: c.cameraId,
    status: c.status,
    severity: c.severity,
    grid: c.grid,
    openedAt: c.openedAt,
    lastSeenAt: c.lastSeenAt,
    deadline: c.deadline,
    confidence: c.confidence,
    evidence: { latest: c.evidence.latest, first: c.evidence.first },
    ...(c.overdueAt !== undefined ? { overdueAt: c.overdueAt } : {}),
    responsibleUnit: c.responsibleUnit,
    ...(c.shadow ? { shadow: true } : {}),
  };
}

/** Options of {@link LivePublisher}. */
export interface LivePublisherOptions {
  readonly redis: Redis;
  readonly prefix: string;
  /** Entries kept in the stream for clients resuming with Last-Event-ID (approximate). Default 2000. */
  readonly keep?: number;
  /** Clock, epoch ms. Default Date.now. */
  readonly now?: () => number;
}

/**
 * The worker side of the live feed: appends what happened to a Redis stream that every API
 * process reads (so any API process can serve any client, and a reconnecting client resumes from
 * its Last-Event-ID). It observes stage outputs and never drives a stage; a failed publish is the
 * caller's to log and ignore (the feed is a view, not the record).
 */
export class LivePublisher {
  private readonly keep: number;
  private readonly now: () => number;

  constructor(private readonly options: LivePublisherOptions) {
    this.keep = options.keep ?? 2000;
    this.now = options.now ?? Date.now;
  }

  /** A sighting filed by the events stage: a case opened or updated (suppressed ones are not news). */
  async caseFiled(result: IntakeResult): Promise<void> {
    if (result.outcome === 'suppressed') return;
    await this.append({ kind: 'case', outcome: result.outcome, at: this.now(), case: liveCase(result.case) });
  }

  /**
   * A case the record has just flagged past its deadline (CaseStore.flagOverdue returns each case
   * once, whichever worker flagged it), so every console hears it once and can resume past it.
   */
  async overdue(c: CaseRecord): Promise<void> {
    await this.append({ kind: 'overdue', at: c.overdueAt ?? this.now(), case: liveCase(c) });
  }

  /**
   * A finished visit; also announces a health change when the camera's state differs from the
   * last one announced. Call it inside the visit's camera lock (as afterVisit is), so two visits of
   * one camera never race the compare.
   */
  async visited(a: VisitAnalysis): Promise<void> {
    const at = this.now();
    const to = a.health.state;
    const from = await this.options.redis.hget(liveHealthKey(this.options.prefix), a.cameraId);
    await this.append({ kind: 'visit', at, cameraId: a.cameraId, ok: a.ok, frames: a.frames, health: to });
    if (from === to) return;
    await this.options.redis.hset(liveHealthKey(this.options.prefix), a.cameraId, to);
    await this.append({ kind: 'health', at, cameraId: a.cameraId, from: from ?? 'unknown', to, ...(a.error ? { error: a.error } : {}) });
  }

  private async append(event: LiveEvent): Promise<void> {
    await this.options.redis.xadd(liveStreamKey(this.options.prefix), 'MAXLEN', '~', String(this.keep), '*', 'e', JSON.stringify(event));
  }
}
