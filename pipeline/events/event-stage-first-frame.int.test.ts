import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evidenceFrameKeeper } from '../cases/evidence-frames.ts';
import { type DatabaseHandle, openDatabase } from '../db/open-database.ts';
import type { FrameDetections, VisitAnalysis } from '../visit/camera-visitor.ts';
import { RecordCameraMemoryStore } from './camera-memory-store.ts';
import { DEFAULT_RULES } from './default-catalogue.ts';
import type { ConfirmedSighting, FrameKeeper } from './event-sink.ts';
import { EventStage } from './event-stage.ts';

const AT = 1_700_000_000_000;
const parking = DEFAULT_RULES.find((r) => r.id === 'illegal_parking')!;
const zones = [{ name: 'kerb', kind: 'no_parking', points: [[0, 0], [1, 0], [1, 0.5], [0, 0.5]] as [number, number][] }];
const car: FrameDetections[number] = { label: 'car', classId: 2, score: 0.8, box: [0.2, 0.1, 0.4, 0.3] };
const visit = (jpeg: string): VisitAnalysis => ({
  cameraId: 'cam-1', ok: true, frames: 3, model: 'm@1', detections: [[car], [car], [car]], latestJpeg: Buffer.from(jpeg), health: { state: 'online' }, eligibleAt: 0,
});

// A persistence event's first-sighting frame is a file: read for a case that opens, never for a repeat.
describe('EventStage first-sighting frame (embedded record)', () => {
  let handle: DatabaseHandle;
  let dir: string;

  beforeAll(async () => {
    handle = await openDatabase({});
    dir = await mkdtemp(join(tmpdir(), 'gw-stage-first-'));
  });
  afterAll(async () => {
    await handle.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('hands the sink a reader of the first frame and reads the file only when the sink calls it', async () => {
    const keeper = evidenceFrameKeeper(dir);
    let reads = 0;
    const frames: FrameKeeper = { keep: (j, at) => keeper.keep(j, at), read: (p) => (reads++, keeper.read(p)) };
    const filed: ConfirmedSighting[] = [];
    const firstOf: (Buffer | undefined)[] = [];
    // The sink asks for the first frame on the first event only (as the intake does when a case opens).
    const sink = { file: async (s: ConfirmedSighting) => (filed.push(s), filed.length === 1 && firstOf.push(await s.readFirst?.()), s) };
    const stage = new EventStage({ memory: new RecordCameraMemoryStore(handle.db), sink, frames, camera: (id) => ({ camera: { id, areaType: 'school', zones }, rules: [parking] }) });
    // Seen at AT, confirmed once it has stayed minDurationS, then seen again (repeats).
    const minS = parking.persistence.kind === 'visits' ? parking.persistence.minDurationS : 0;
    await stage.onVisit(visit('first'), AT);
    for (const [i, dt] of [minS, minS + 60, minS + 120].entries()) await stage.onVisit(visit(`later-${i}`), AT + dt * 1000);
    expect(filed).toHaveLength(3);
    expect(filed.every((s) => s.first === undefined && typeof s.readFirst === 'function')).toBe(true);
    expect(firstOf.map((b) => b?.toString())).toEqual(['first']);
    expect(reads).toBe(1);
  });
});
