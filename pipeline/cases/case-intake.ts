import type { ConfirmedEvent, EventBox, EventTypeDef } from '../events/event-model.ts';
import { createLogger, type Logger } from '../log.ts';
import type { CaseStore, SightingResult } from './case-store.ts';
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
  /** Reads the first sighting's frame when no `first` is given, only when a case opens. */
  readonly readFirst?: () => Promise<Buffer | undefined>;
}

/** What became of a sighting: the case it went to, and whether evidence was rendered for it. */
export type IntakeResult = SightingResult & { readonly rendered: boolean };

/**
 * Files confirmed events as cases: the store decides (deduplication, cooldown) and asks for
 * evidence only when a case opens or a sighting improves it, so a repeat sighting costs no
 * rendering. A new case's dispatch job is the store's outbox row (sent by the relay).
 * The one interface from the events stage into cases.
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
    let rendered = false;
    const render = async (why: 'open' | 'improve'): Promise<{ latest: string; first?: string; raw?: string }> => {
      rendered = true;
      const latest = await writeEvidence(dir, await renderEvidence(s.frameJpeg, event.boxes, zone), event.at);
      const firstJpeg = why === 'open' ? (s.first?.jpeg ?? (await s.readFirst?.())) : undefined;
      const first = firstJpeg ? await writeEvidence(dir, await renderEvidence(firstJpeg, s.first?.boxes ?? event.boxes, zone), event.firstSeenAt) : undefined;
      const raw = this.options.keepRaw ? await writeEvidence(dir, s.frameJpeg, event.at) : undefined;
      return { latest, ...(first ? { first } : {}), ...(raw ? { raw } : {}) };
    };
    const result = await this.options.store.openOrUpdate(event, { camera, type, render });
    this.log.debug({ caseId: result.case.id, outcome: result.outcome, type: event.eventType, camera: event.cameraId, rendered }, 'sighting filed');
    return { ...result, rendered };
  }
}
