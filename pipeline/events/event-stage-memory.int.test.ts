import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evidenceFrameKeeper } from '../cases/evidence-frames.ts';
import { type DatabaseHandle, openDatabase } from '../db/open-database.ts';
import type { FrameDetections, VisitAnalysis } from '../visit/camera-visitor.ts';
import { type CameraMemoryStore, RecordCameraMemoryStore } from './camera-memory-store.ts';
import { DEFAULT_RULES } from './default-catalogue.ts';
import type { ConfirmedSighting } from './event-sink.ts';
import { EventStage } from './event-stage.ts';

const AT = 1_700_000_000_000;
const crowd = { ...DEFAULT_RULES.find((r) => r.id === 'crowd_gathering')!, minCount: 4 };
const parking = DEFAULT_RULES.find((r) => r.id === 'illegal_parking')!;
const zones = [
  { name: 'gate', kind: 'crowd_watch', points: [[0, 0.5], [1, 0.5], [1, 1], [0, 1]] as [number, number][] },
  { name: 'kerb', kind: 'no_parking', points: [[0, 0], [1, 0], [1, 0.5], [0, 0.5]] as [number, number][] },
];
const person = (x: number): FrameDetections[number] => ({ label: 'person', classId: 0, score: 0.8, box: [x, 0.6, x + 0.05, 0.9] });
const car: FrameDetections[number] = { label: 'car', classId: 2, score: 0.8, box: [0.2, 0.1, 0.4, 0.3] };
const visit = (frame: FrameDetections): VisitAnalysis => ({
  cameraId: 'cam-1', ok: true, frames: 3, model: 'm@1', detections: [frame, frame, frame], latestJpeg: Buffer.from('jpeg'), health: { state: 'online' }, eligibleAt: 0,
});

// The stage reads a camera's memory only for 'visits' rules and writes it back only when a visit changed it.
describe('EventStage camera memory round trips (embedded record)', () => {
  let handle: DatabaseHandle;
  let dir: string;
  const calls = { load: 0, save: 0 };
  const stageWith = (rules: typeof DEFAULT_RULES) => {
    const record = new RecordCameraMemoryStore(handle.db);
    const memory: CameraMemoryStore = {
      load: (id) => (calls.load++, record.load(id)),
      save: (id, stored, now) => (calls.save++, record.save(id, stored, now)),
    };
    const filed: ConfirmedSighting[] = [];
    const stage = new EventStage({ memory, sink: { file: async (s) => (filed.push(s), s) }, frames: evidenceFrameKeeper(dir), camera: (id) => ({ camera: { id, areaType: 'school', zones }, rules }) });
    return { stage, filed };
  };

  beforeAll(async () => {
    handle = await openDatabase({});
    dir = await mkdtemp(join(tmpdir(), 'gw-stage-memory-'));
  });
  afterAll(async () => {
    await handle.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("files a 'frames' rule's sightings without touching the memory", async () => {
    const { stage, filed } = stageWith([crowd]);
    Object.assign(calls, { load: 0, save: 0 });
    for (let i = 0; i < 3; i++) await stage.onVisit(visit([0.1, 0.25, 0.4, 0.55, 0.7].map(person)), AT + i * 60_000);
    expect(filed.map((s) => s.event.eventType)).toEqual(['crowd_gathering', 'crowd_gathering', 'crowd_gathering']);
    expect(calls).toEqual({ load: 0, save: 0 });
  });

  it("reads a 'visits' rule's memory every visit and writes it only when the visit changed it", async () => {
    const { stage } = stageWith([parking, crowd]);
    Object.assign(calls, { load: 0, save: 0 });
    await stage.onVisit(visit([car]), AT);
    expect(calls).toEqual({ load: 1, save: 1 });
    await stage.onVisit(visit([]), AT + 60_000); // the car not seen: its track waits unchanged
    expect(calls).toEqual({ load: 2, save: 1 });
    await stage.onVisit(visit([car]), AT + 120_000); // seen again: the track moves on
    expect(calls).toEqual({ load: 3, save: 2 });
    const stored = await new RecordCameraMemoryStore(handle.db).load('cam-1');
    expect(stored.memory.tracks).toMatchObject([{ ruleId: 'illegal_parking', zone: 'kerb', hits: 2, lastSeenAt: AT + 120_000 }]);
  });
});
