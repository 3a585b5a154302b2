import { describe, expect, it } from 'vitest';
import { emptyCameraMemory } from './camera-memory.ts';
import type { StoredCameraMemory } from './camera-memory-store.ts';
import { memoryChanged } from './event-stage.ts';

const AT = 1_700_000_000_000;
const track = { ruleId: 'parked', zone: 'kerb', label: 'car', box: [0.1, 0.1, 0.2, 0.2] as [number, number, number, number], firstSeenAt: AT - 60_000, lastSeenAt: AT - 60_000, hits: 1, expiresAt: AT + 60_000 };
const empty: StoredCameraMemory = { memory: emptyCameraMemory(), firstSightings: {} };

describe('memoryChanged (the stage writes a camera memory back only when a visit changed it)', () => {
  it('an unchanged memory (a frames rule remembers nothing) is not written again', () => {
    expect(memoryChanged(empty, { memory: emptyCameraMemory(), firstSightings: {} }, AT)).toBe(false);
    const held = { memory: { version: 1 as const, tracks: [track] }, firstSightings: { k: { path: 'a.jpg', until: AT + 1 } } };
    expect(memoryChanged(held, structuredClone(held), AT)).toBe(false);
  });
  it('a track seen again, a new track or a new first-sighting frame is written', () => {
    const before = { memory: { version: 1 as const, tracks: [track] }, firstSightings: {} };
    expect(memoryChanged(before, { ...before, memory: { version: 1, tracks: [{ ...track, lastSeenAt: AT, hits: 2 }] } }, AT)).toBe(true);
    expect(memoryChanged(empty, before, AT)).toBe(true);
    expect(memoryChanged(before, { ...before, firstSightings: { k: { path: 'a.jpg', until: AT + 1 } } }, AT)).toBe(true);
  });
  it('a first-sighting frame past its time is written (the save drops it)', () => {
    const stale = { memory: emptyCameraMemory(), firstSightings: { k: { path: 'a.jpg', until: AT } } };
    expect(memoryChanged(stale, structuredClone(stale), AT)).toBe(true);
  });
});
