import type { VisitJudgement } from '../events/event-stage.ts';
import { createLogger, type Logger } from '../log.ts';
import type { CaseRecord } from './case-model.ts';
import type { CaseStore } from './case-store.ts';
import { renderEvidence, writeEvidence } from './evidence.ts';
import { iou } from './place-match.ts';

/** Options of a Recheck. */
export interface RecheckOptions {
  readonly store: CaseStore;
  readonly evidenceDir: string;
  /** Minimum IoU between the case's place and what the visit saw for "still there", 0-1. Default 0.3. */
  readonly minIou?: number;
  readonly log?: Logger;
}

/**
 * The AI re-check (核查比对): after a visit to a camera with handled / rechecking cases, the same
 * rule decides. The rule still sees the thing at the case's place (a confirmed event of the
 * type there, or an object its persistence memory saw on this visit) -> reopened with the new
 * frame (boxes drawn); otherwise -> closed, the visit's frame kept as the "after" of the
 * before/after pair. Only visits that started after the case was handled count.
 */
export class Recheck {
  private readonly log: Logger;
  private readonly minIou: number;

  constructor(private readonly options: RecheckOptions) {
    this.log = options.log ?? createLogger('recheck');
    this.minIou = options.minIou ?? 0.3;
  }

  /** True when the visit still shows the case's thing; the matching boxes' confidence when it came from an event. */
  stillThere(c: CaseRecord, j: VisitJudgement): { still: boolean; confidence?: number; boxes?: CaseRecord['boxes'] } {
    const sameSpot = (zone: string | null, place: CaseRecord['place']): boolean => zone === c.zone && iou(place, c.place) >= this.minIou;
    const event = j.events.find((e) => e.eventType === c.eventType && (e.ruleId === c.ruleId || c.ruleId === '') && sameSpot(e.zone, e.place));
    if (event) return { still: true, confidence: event.confidence, boxes: event.boxes };
    const seen = j.seen.some((t) => (t.ruleId === c.ruleId || c.ruleId === '') && sameSpot(t.zone, t.box));
    return { still: seen };
  }

  /** Decides every case waiting for a re-check on the visited camera. */
  async onJudged(j: VisitJudgement): Promise<CaseRecord[]> {
    const waiting = (await this.options.store.awaitingRecheckOnCamera(j.cameraId)).filter(
      (c) => (c.status === 'rechecking' || c.status === 'handled') && c.handledAt !== undefined && c.handledAt <= j.at,
    );
    const decided: CaseRecord[] = [];
    for (const c of waiting) {
      const r = this.stillThere(c, j);
      const picture = r.still ? await renderEvidence(j.frameJpeg, r.boxes ?? c.boxes) : j.frameJpeg;
      const path = await writeEvidence(this.options.evidenceDir, picture, j.at);
      const out = await this.options.store.recheckOutcome(c.id, !r.still, { path, ...(r.confidence !== undefined ? { confidence: r.confidence } : {}) });
      if (out.changed) {
        decided.push(out.case);
        this.log.info({ caseId: c.id, outcome: out.case.status }, r.still ? 're-check: still there, case reopened' : 're-check: gone, case closed');
      }
    }
    return decided;
  }
}
