import type { ConfirmedEvent, EventBox, EventTypeDef } from '../events/event-model.ts';
import { buildDispatchPayload, type DispatchPayloadV1 } from '../dispatch/dispatch-payload.ts';
import type { DispatchOutcome } from '../dispatch/dispatcher.ts';
import { createLogger, type Logger } from '../log.ts';
import type { CaseStore, SightingResult } from './case-store.ts';
import { isActive } from './case-transitions.ts';
import { type EvidenceZone, renderEvidence, writeEvidence } from './evidence.ts';

/** What the intake needs to know of a camera. */
export interface IntakeCamera {
  readonly grid: string;
  readonly areaType: string;
  readonly zones: readonly EvidenceZone[];
}

/** Options of a CaseIntake. */
export interface CaseIntakeOptions {
  readonly store: CaseStore;
  /** Where opened cases go (a Dispatcher). */
  readonly dispatcher: { dispatch(payload: DispatchPayloadV1): Promise<DispatchOutcome> };
  /** Evidence folder (files `<day>/<sha256>.jpg`). */
  readonly evidenceDir: string;
  /** Event type catalogue lookup. */
  readonly eventType: (id: string) => EventTypeDef | undefined;
  /** Camera lookup (the config can be reloaded). */
  readonly camera: (id: string) => IntakeCamera | undefined;
  /** Also store the undrawn frame as `evidence.raw` (for training exports). Default false. */
  readonly keepRaw?: boolean;
  readonly log?: Logger;
}

/** A confirmed event with the pictures of its visit. */
export interface Sighting {
  readonly event: ConfirmedEvent;
  /** The confirming frame, full resolution JPEG. */
  readonly frameJpeg: Buffer;
  /** The first sighting of a persistence event (default: the confirming frame); boxes default to the event's. */
  readonly first?: { readonly jpeg: Buffer; readonly boxes?: readonly EventBox[] };
}

/** What became of a sighting: the case, and for a new case where its dispatch job went. */
export type IntakeResult = SightingResult & { readonly dispatch?: DispatchOutcome };

/**
 * Files confirmed events as cases: renders and stores the evidence, opens or updates the case
 * (deduplication and cooldown are the store's), and dispatches new cases. The stage after the rules.
 */
export class CaseIntake {
  private readonly log: Logger;

  constructor(private readonly options: CaseIntakeOptions) {
    this.log = options.log ?? createLogger('cases');
  }

  /** Files one sighting. Throws for an unknown camera or event type (a configuration error). */
  async file(s: Sighting): Promise<IntakeResult> {
    const { event } = s;
    const type = this.options.eventType(event.eventType);
    if (!type) throw new Error(`unknown event type "${event.eventType}" (rule ${event.ruleId})`);
    const camera = this.options.camera(event.cameraId);
    if (!camera) throw new Error(`unknown camera "${event.cameraId}"`);
    const zone = event.zone === null ? undefined : camera.zones.find((z) => z.name === event.zone);
    const dir = this.options.evidenceDir;
    const latest = await writeEvidence(dir, await renderEvidence(s.frameJpeg, event.boxes, zone), event.at);
    const first = s.first ? await writeEvidence(dir, await renderEvidence(s.first.jpeg, s.first.boxes ?? event.boxes, zone), event.firstSeenAt) : undefined;
    const raw = this.options.keepRaw ? await writeEvidence(dir, s.frameJpeg, event.at) : undefined;
    const evidence = { latest, ...(first ? { first } : {}), ...(raw ? { raw } : {}) };
    const result = await this.options.store.openOrUpdate(event, { camera, type, evidence });
    this.log.debug({ caseId: result.case.id, outcome: result.outcome, type: event.eventType, camera: event.cameraId }, 'sighting filed');
    if (result.outcome !== 'opened') return result;
    return { ...result, dispatch: await this.options.dispatcher.dispatch(buildDispatchPayload(result.case, type)) };
  }

  /**
   * Dispatches active cases with no record of a dispatch job (a crash between opening and adding,
   * or a mark lost while Redis was away). Run at start; a case already queued is not added twice.
   * Returns how many were handed to the dispatcher.
   */
  async redispatchUndelivered(limit = 500): Promise<number> {
    const { cases } = await this.options.store.list({ undispatched: true, limit });
    let n = 0;
    for (const c of cases) {
      const type = this.options.eventType(c.eventType);
      if (!type || !isActive(c.status)) continue;
      await this.options.dispatcher.dispatch(buildDispatchPayload(c, type));
      n++;
    }
    return n;
  }
}
