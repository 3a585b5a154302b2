import { describe, expect, it } from 'vitest';
import { AUTO_VISITS_PER_CORE, workerCapacity } from './worker-capacity.ts';

describe('workerCapacity', () => {
  it('sizes auto settings from the cores', () => {
    expect(workerCapacity({ visitsInFlightPerWorker: 'auto', detectorProcesses: 'auto' }, 2)).toEqual({ detectorProcesses: 2, visitsInFlight: 2 * AUTO_VISITS_PER_CORE });
    expect(workerCapacity({ visitsInFlightPerWorker: 'auto', detectorProcesses: 'auto' }, 1)).toEqual({ detectorProcesses: 1, visitsInFlight: AUTO_VISITS_PER_CORE });
  });
  it('keeps explicit settings, including 0 detector processes (main thread)', () => {
    expect(workerCapacity({ visitsInFlightPerWorker: 3, detectorProcesses: 0 }, 8)).toEqual({ detectorProcesses: 0, visitsInFlight: 3 });
  });
  it('never goes past 64 visits or below one core', () => {
    expect(workerCapacity({ visitsInFlightPerWorker: 'auto', detectorProcesses: 'auto' }, 128).visitsInFlight).toBe(64);
    expect(workerCapacity({ visitsInFlightPerWorker: 'auto', detectorProcesses: 'auto' }, 0)).toEqual({ detectorProcesses: 1, visitsInFlight: AUTO_VISITS_PER_CORE });
  });
});
