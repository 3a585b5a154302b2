import type { ConfirmedEvent, EventBox, RuleDef } from './event-model.ts';
import { unionBox } from './norm-box.ts';

const round4 = (v: number): number => Math.round(v * 1e4) / 1e4;

/**
 * One ConfirmedEvent from the boxes that confirmed a rule in one zone: place = the union of the
 * boxes, confidence = their mean score (4 decimals). Boxes of withClasses are not part of it, so
 * the place of a stall does not grow and shrink with the people passing by.
 */
export function buildConfirmedEvent(args: {
  readonly rule: RuleDef;
  readonly cameraId: string;
  readonly zone: string | null;
  readonly at: number;
  readonly firstSeenAt: number;
  readonly boxes: readonly EventBox[];
  readonly model: string;
  readonly frameIndex: number;
}): ConfirmedEvent {
  const { rule, boxes } = args;
  const boxesOut = boxes.map((b) => ({ label: b.label, score: round4(b.score), box: b.box }));
  const confidence = boxes.length ? round4(boxes.reduce((s, b) => s + b.score, 0) / boxes.length) : 0;
  return {
    eventType: rule.eventType,
    ruleId: rule.id,
    cameraId: args.cameraId,
    zone: args.zone,
    at: args.at,
    firstSeenAt: args.firstSeenAt,
    confidence,
    boxes: boxesOut,
    place: unionBox(boxes.map((b) => b.box)),
    model: args.model,
    frameIndex: args.frameIndex,
  };
}
