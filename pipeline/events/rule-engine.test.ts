import { describe, expect, it } from 'vitest';
import type { FrameDetections } from '../visit/camera-visitor.ts';
import { type CameraMemory, emptyCameraMemory, parseCameraMemory } from './camera-memory.ts';
import { DEFAULT_RULES } from './default-catalogue.ts';
import type { ConfirmedEvent, RuleDef } from './event-model.ts';
import { type EngineCamera, evaluateVisit } from './rule-engine.ts';

// Supervision-style tables: tiny hand-made detections, boxes 0-1, placed by their bottom centre.
const T0 = Date.parse('2026-03-02T09:00:00Z');
const MODEL = 'test-model@1';

type Det = FrameDetections[number];
const det = (label: string, score: number, box: [number, number, number, number]): Det => ({ label, classId: 0, score, box });

/** A camera with a road (no_parking, y 0.55-1), a kerb (sidewalk, y 0.2-0.45) and a plaza (crowd_watch = the road area). */
const camera: EngineCamera = {
  id: 'cam-1',
  areaType: 'street',
  zones: [
    { name: 'road', kind: 'no_parking', points: [[0, 0.55], [1, 0.55], [1, 1], [0, 1]] },
    { name: 'kerb', kind: 'sidewalk', points: [[0, 0.2], [1, 0.2], [1, 0.45], [0, 0.45]] },
    { name: 'plaza', kind: 'crowd_watch', points: [[0, 0.55], [1, 0.55], [1, 1], [0, 1]] },
  ],
};

const rule = (id: string, over: Partial<RuleDef> = {}): RuleDef => ({ ...DEFAULT_RULES.find((r) => r.id === id)!, ...over });

/** The same detections in each of `n` frames: a still scene. */
const still = (dets: Det[], n = 3): FrameDetections[] => Array.from({ length: n }, () => dets);

// Things in the road (bottom at y 0.8) and on the kerb (bottom at y 0.4).
const car = det('car', 0.9, [0.2, 0.6, 0.4, 0.8]);
const bike = (x: number, label = 'bicycle'): Det => det(label, 0.8, [x, 0.3, x + 0.06, 0.4]);
const umbrella = det('umbrella', 0.7, [0.5, 0.1, 0.7, 0.4]);
const vendor = det('person', 0.8, [0.55, 0.25, 0.6, 0.42]);
const people = (count: number, score = 0.9, size = 0.05): Det[] =>
  Array.from({ length: count }, (_, i) => det('person', score, [0.05 + 0.1 * i, 0.9 - 2 * size, 0.05 + 0.1 * i + size, 0.9]));

/** Runs visits in order (seconds after T0), carrying the memory; the events of each visit. */
function patrol(rules: RuleDef[], visits: [number, FrameDetections[]][], memory: CameraMemory = emptyCameraMemory()): { events: ConfirmedEvent[][]; memory: CameraMemory } {
  const events: ConfirmedEvent[][] = [];
  for (const [s, frames] of visits) {
    const r = evaluateVisit({ camera, rules, frames, model: MODEL, at: T0 + s * 1000, memory });
    events.push(r.events);
    memory = r.memory;
  }
  return { events, memory };
}

/** Which visits raised an event (one flag per visit). */
const raised = (rules: RuleDef[], visits: [number, FrameDetections[]][]): boolean[] => patrol(rules, visits).events.map((e) => e.length > 0);

describe('frames persistence: k of the last n frames of a visit (crowd_gathering, fire_smoke)', () => {
  const crowd = rule('crowd_gathering', { minCount: 3 });

  it.each<[string, number[], boolean]>([
    ['3 of 3 frames', [3, 3, 3], true],
    ['2 of 3 frames', [3, 0, 3], true],
    ['1 of 3 frames', [0, 0, 3], false],
    ['only the last n count', [3, 3, 0, 0], false],
    ['the last 2 of 4 frames', [0, 0, 3, 3], true],
    ['a visit shorter than n', [3, 3], true],
    ['a one-frame visit', [3], false],
    ['too few people in every frame', [2, 2, 2], false],
  ])('%s: people per frame %j -> %s', (_what, counts, expected) => {
    expect(raised([crowd], [[0, counts.map((c) => people(c))]])).toEqual([expected]);
  });

  it.each<[string, Det[]]>([
    ['below minScore', people(3, 0.3)],
    ['too small (area under minArea)', people(3, 0.9, 0.01)],
    ['outside the zone (standing on the kerb)', people(3).map((d) => ({ ...d, box: [d.box[0]!, 0.3, d.box[2]!, 0.4] }))],
  ])('no crowd when the people are %s', (_what, dets) => {
    expect(raised([crowd], [[0, still(dets)]])).toEqual([false]);
  });

  it('raises one event per visit with the boxes of the last holding frame', () => {
    const frames = [people(3), people(4), people(0)];
    const event = patrol([crowd], [[0, frames]]).events[0]![0];
    expect(event).toMatchObject({ eventType: 'crowd_gathering', ruleId: 'crowd_gathering', cameraId: 'cam-1', zone: 'plaza', frameIndex: 1, model: MODEL });
    expect(event!.boxes).toHaveLength(4);
    expect(event!.at).toBe(T0);
    expect(event!.firstSeenAt).toBe(T0);
    expect(event!.place).toEqual([0.05, 0.8, 0.4, 0.9]);
    expect(event!.confidence).toBe(0.9);
  });

  it('fire_smoke: fire or smoke anywhere in the frame, placed by the box centre', () => {
    const fire = det('fire', 0.8, [0.1, 0.05, 0.3, 0.2]);
    const smoke = det('Smoke', 0.6, [0.1, 0.0, 0.5, 0.1]);
    const fireRule = rule('fire_smoke');
    expect(raised([fireRule], [[0, [[fire], [fire, smoke], []]]])).toEqual([true]);
    expect(raised([fireRule], [[0, [[smoke], [], []]]])).toEqual([false]);
    expect(raised([fireRule], [[0, still([det('person', 0.9, [0.1, 0.05, 0.3, 0.2])])]])).toEqual([false]);
    const event = patrol([fireRule], [[0, [[fire], [fire, smoke], []]]]).events[0]![0];
    expect(event).toMatchObject({ eventType: 'fire_smoke', zone: null, frameIndex: 1, place: [0.1, 0, 0.5, 0.2], confidence: 0.7 });
  });
});

describe('visits persistence: still there after minDurationS (illegal_parking: 300 s, IoU 0.5, gap 1800 s)', () => {
  const parking = rule('illegal_parking');
  const moved = det('car', 0.9, [0.35, 0.6, 0.55, 0.8]); // IoU 0.14 with `car`
  const jittered = det('car', 0.85, [0.21, 0.61, 0.41, 0.81]);

  it.each<[string, [number, FrameDetections[]][], boolean[]]>([
    ['confirmed once 300 s have passed, then on every visit it stays', [[0, still([car])], [200, still([car])], [301, still([car])], [330, still([car])]], [false, false, true, true]],
    ['not there long enough', [[0, still([car])], [299, still([car])]], [false, false]],
    ['a sighting may wait up to maxGapS', [[0, still([car])], [1800, still([car])]], [false, true]],
    ['forgotten after a gap longer than maxGapS', [[0, still([car])], [1801, still([car])], [2200, still([car])]], [false, false, true]],
    ['moved away (IoU below minIou) starts over', [[0, still([car])], [400, still([moved])], [800, still([moved])]], [false, false, true]],
    ['small jitter is the same car', [[0, still([car])], [400, still([jittered])]], [false, true]],
    ['a bus seen as a truck next time is the same vehicle', [[0, still([{ ...car, label: 'bus' }])], [400, still([{ ...car, label: 'truck' }])]], [false, true]],
    ['gone on the confirming visit', [[0, still([car])], [400, still([])]], [false, false]],
    ['one missed frame of three is forgiven', [[0, still([car])], [400, [[car], [], [car]]]], [false, true]],
    ['a one-frame flicker is not a sighting', [[0, [[car], [], []]], [400, [[], [car], []]]], [false, false]],
    ['below minScore', [[0, still([{ ...car, score: 0.3 }])], [400, still([{ ...car, score: 0.3 }])]], [false, false]],
    ['too small', [[0, still([det('car', 0.9, [0.2, 0.75, 0.23, 0.8])])], [400, still([det('car', 0.9, [0.2, 0.75, 0.23, 0.8])])]], [false, false]],
    ['outside the zone (on the kerb)', [[0, still([det('car', 0.9, [0.2, 0.2, 0.4, 0.4])])], [400, still([det('car', 0.9, [0.2, 0.2, 0.4, 0.4])])]], [false, false]],
    ['not a parking class', [[0, still([{ ...car, label: 'bench' }])], [400, still([{ ...car, label: 'bench' }])]], [false, false]],
  ])('%s', (_what, visits, expected) => {
    expect(raised([parking], visits)).toEqual(expected);
  });

  it('reports when it was first seen, and one event per visit however many frames show it', () => {
    const { events } = patrol([parking], [[0, still([car])], [400, still([jittered], 5)]]);
    expect(events[1]).toHaveLength(1);
    expect(events[1]![0]).toMatchObject({ zone: 'road', at: T0 + 400_000, firstSeenAt: T0, frameIndex: 4, confidence: 0.85, place: jittered.box });
  });

  it('aggregates every persisting vehicle of a zone into one event', () => {
    const other = det('truck', 0.7, [0.6, 0.6, 0.9, 0.9]);
    const { events } = patrol([parking], [[0, still([car, other])], [400, still([car, other])]]);
    expect(events[1]).toHaveLength(1);
    expect(events[1]![0]).toMatchObject({ place: [0.2, 0.6, 0.9, 0.9], confidence: 0.8 });
    expect(events[1]![0]!.boxes.map((b) => b.label)).toEqual(['car', 'truck']);
  });

  it('raises one event per zone', () => {
    const twoRoads: EngineCamera = { ...camera, zones: [...camera.zones, { name: 'lane', kind: 'no_parking', points: [[0, 0], [1, 0], [1, 0.1], [0, 0.1]] }] };
    const inLane = det('car', 0.9, [0.1, 0.0, 0.3, 0.09]);
    let memory = emptyCameraMemory();
    let last: ConfirmedEvent[] = [];
    for (const s of [0, 400]) {
      ({ events: last, memory } = evaluateVisit({ camera: twoRoads, rules: [parking], frames: still([car, inLane]), model: MODEL, at: T0 + s * 1000, memory }));
    }
    expect(last.map((e) => e.zone)).toEqual(['road', 'lane']);
  });
});

describe('visits persistence with a count or a companion class', () => {
  const bikes = rule('disorderly_bikes'); // 3 bicycles / motorcycles on the kerb for 600 s
  const vending = rule('street_vending'); // a stall item with a person on the kerb for 300 s
  const three = [bike(0.1), bike(0.3, 'motorcycle'), bike(0.5)];

  it.each<[string, RuleDef, [number, FrameDetections[]][], boolean[]]>([
    ['3 bikes for 600 s', bikes, [[0, still(three)], [601, still(three)]], [false, true]],
    ['only 2 bikes', bikes, [[0, still(three.slice(0, 2))], [601, still(three.slice(0, 2))]], [false, false]],
    ['3 bikes, but one arrived late', bikes, [[0, still(three.slice(0, 2))], [300, still(three)], [601, still(three)]], [false, false, false]],
    ['... until it too has stayed 600 s', bikes, [[0, still(three.slice(0, 2))], [300, still(three)], [901, still(three)]], [false, false, true]],
    ['a stall with its vendor', vending, [[0, still([umbrella, vendor])], [301, still([umbrella, vendor])]], [false, true]],
    ['a stall with the vendor in one frame of the visit', vending, [[0, still([umbrella])], [301, [[umbrella], [umbrella, vendor], [umbrella]]]], [false, true]],
    ['a stall nobody is at (withClasses missing)', vending, [[0, still([umbrella, vendor])], [301, still([umbrella])]], [false, false]],
    ['a stall with a person out on the road', vending, [[0, still([umbrella])], [301, still([umbrella, det('person', 0.9, [0.5, 0.6, 0.55, 0.9])])]], [false, false]],
  ])('%s', (_what, r, visits, expected) => {
    expect(raised([r], visits)).toEqual(expected);
  });

  it('street vending: the event holds the stall, not the passers-by', () => {
    const { events } = patrol([vending], [[0, still([umbrella, vendor])], [301, still([umbrella, vendor])]]);
    expect(events[1]![0]).toMatchObject({ eventType: 'street_vending', zone: 'kerb', place: umbrella.box, boxes: [{ label: 'umbrella' }] });
  });

  it('exposed garbage: a detector with garbage labels, whole frame, across visits', () => {
    const bag = det('garbage', 0.6, [0.7, 0.05, 0.8, 0.15]);
    expect(raised([rule('exposed_garbage')], [[0, still([bag])], [601, still([{ ...bag, label: 'trash' }])]])).toEqual([false, true]);
    expect(raised([rule('exposed_garbage')], [[0, still([bag])], [599, still([bag])]])).toEqual([false, false]);
  });
});

describe('camera memory', () => {
  const parking = rule('illegal_parking');

  it('is plain JSON that parses back', () => {
    const { memory } = patrol([parking, rule('disorderly_bikes')], [[0, still([car, bike(0.1)])], [100, still([car])]]);
    expect(memory.tracks).toHaveLength(2);
    expect(memory.tracks[0]).toMatchObject({ ruleId: 'illegal_parking', zone: 'road', label: 'car', box: car.box, firstSeenAt: T0, lastSeenAt: T0 + 100_000, hits: 2, expiresAt: T0 + 1_900_000 });
    expect(parseCameraMemory(JSON.parse(JSON.stringify(memory)))).toEqual(memory);
  });

  it('rejects a corrupt memory with a typed error', () => {
    expect(() => parseCameraMemory({ version: 1, tracks: [{ ruleId: 'x' }] })).toThrow(expect.objectContaining({ code: 'CAMERA_MEMORY_INVALID' }));
    expect(() => parseCameraMemory({ version: 2, tracks: [] })).toThrow(/version/);
  });

  it('keeps tracks of rules not judged this visit until they expire', () => {
    const first = patrol([parking], [[0, still([car])]]).memory;
    const later = evaluateVisit({ camera, rules: [rule('fire_smoke')], frames: still([]), model: MODEL, at: T0 + 1000_000, memory: first });
    expect(later.memory.tracks).toHaveLength(1);
    const expired = evaluateVisit({ camera, rules: [], frames: [], model: MODEL, at: T0 + 1801_000, memory: later.memory });
    expect(expired.memory.tracks).toEqual([]);
  });

  it('a failed visit (no frames) confirms nothing and forgets nothing', () => {
    const { events, memory } = patrol([parking], [[0, still([car])], [400, []]]);
    expect(events[1]).toEqual([]);
    expect(memory.tracks).toHaveLength(1);
  });

  it('stays bounded: at most 100 tracks per rule and zone', () => {
    const litter = Array.from({ length: 120 }, (_, i) => det('garbage', 0.9, [(i % 12) * 0.08, Math.floor(i / 12) * 0.1, (i % 12) * 0.08 + 0.05, Math.floor(i / 12) * 0.1 + 0.05]));
    const { memory } = patrol([rule('exposed_garbage')], [[0, still(litter)]]);
    expect(memory.tracks).toHaveLength(100);
  });

  it('skips a rule restricted to other area types', () => {
    const schoolOnly = rule('illegal_parking', { areaTypes: ['school'], persistence: { kind: 'visits', minDurationS: 0, minIou: 0.5, maxGapS: 60 } });
    expect(raised([schoolOnly], [[0, still([car])]])).toEqual([false]);
    expect(raised([{ ...schoolOnly, areaTypes: ['street'] }], [[0, still([car])]])).toEqual([true]);
  });
});
