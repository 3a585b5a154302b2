import { describe, expect, it } from 'vitest';
import { AUTO_VISITS_PER_CORE, workerCapacity } from './worker-capacity.ts';

describe('workerCapacity', () => {
  it('sizes auto settings from the cores', () => {
    expect(workerCapacity({ visitsInFlightPerWorker: 'auto', inferenceThreads: 'auto' }, 2)).toEqual({ inferenceThreads: 2, visitsInFlight: 2 * AUTO_VISITS_PER_CORE });
    expect(workerCapacity({ visitsInFlightPerWorker: 'auto', inferenceThreads: 'auto' }, 1)).toEqual({ inferenceThreads: 1, visitsInFlight: AUTO_VISITS_PER_CORE });
  });
  it('keeps explicit settings, including 0 inference threads (main thread)', () => {
    expect(workerCapacity({ visitsInFlightPerWorker: 3, inferenceThreads: 0 }, 8)).toEqual({ inferenceThreads: 0, visitsInFlight: 3 });
  });
  it('never goes past 64 visits or below one core', () => {
    expect(workerCapacity({ visitsInFlightPerWorker: 'auto', inferenceThreads: 'auto' }, 128).visitsInFlight).toBe(64);
    expect(workerCapacity({ visitsInFlightPerWorker: 'auto', inferenceThreads: 'auto' }, 0)).toEqual({ inferenceThreads: 1, visitsInFlight: AUTO_VISITS_PER_CORE });
  });
});
