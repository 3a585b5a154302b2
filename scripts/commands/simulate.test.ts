import { describe, expect, it, vi } from 'vitest';
import { simulatePatrol } from '../../pipeline/patrol/simulation/simulate-patrol.ts';
import { runSimulate } from './simulate.ts';

describe('simulatePatrol', () => {
  it('meets targets closely with ample workers', () => {
    const r = simulatePatrol({ cameras: 200, workers: 10, keyFraction: 0.1, targets: { key: 120, normal: 900, low: 1800 }, durationS: 7200 });
    expect(r.utilization).toBeLessThan(0.2);
    for (const p of r.perPriority) {
      expect(p.medianS).toBeGreaterThanOrEqual(0.97 * p.targetS);
      expect(p.medianS).toBeLessThanOrEqual(p.targetS);
      expect(p.p95S).toBeLessThanOrEqual(p.targetS);
      expect(p.intervals).toBeGreaterThan(0);
    }
    expect(r.visits.failed).toBeGreaterThan(0); // 5 % offline cameras
  });

  it('keeps key cameras on target before normal ones when workers are too few', () => {
    // Demand: 120 key / 120 s + 1080 normal / 900 s at ~2.3 s per visit = ~5.3 slots; 2 workers have 4.
    const r = simulatePatrol({ cameras: 1200, workers: 2, keyFraction: 0.1, targets: { key: 120, normal: 900, low: 1800 }, durationS: 7200 });
    const [key, normal] = r.perPriority;
    expect(r.utilization).toBeGreaterThan(0.99);
    expect(key).toMatchObject({ priority: 'key' });
    expect(key!.p95S).toBeLessThanOrEqual(120);
    expect(normal!.medianS).toBeGreaterThan(1.2 * 900);
    // ...and normal cameras do not starve: each is served within the starvation bound (3 x target).
    expect(normal!.maxS).toBeLessThan(3 * 900);
  });

  it('is repeatable for a seed', () => {
    const a = simulatePatrol({ cameras: 100, workers: 2, durationS: 3600, seed: 7 });
    const b = simulatePatrol({ cameras: 100, workers: 2, durationS: 3600, seed: 7 });
    expect(a.perPriority).toEqual(b.perPriority);
    expect(a.visits).toEqual(b.visits);
  });
});

describe('gridworker simulate --json', () => {
  it('prints one document of the documented shape', () => {
    let out = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((out += String(chunk)), true));
    try {
      runSimulate({
        cameras: 300, workers: 3, slotsPerWorker: 2, keyFraction: 0.1, lowFraction: 0.1, keyTarget: 120, target: 900, lowTarget: 1800,
        hours: 1, connectMs: 650, connectMsLongGop: 3000, longGopFraction: 0.2, frames: 3, spacingMs: 500, inferMs: 30,
        offlineFraction: 0.05, failMs: 100, starvationFactor: 3, leadFraction: 0.02, seed: 1, json: true,
      });
    } finally {
      vi.restoreAllMocks();
    }
    const doc = JSON.parse(out) as Record<string, unknown>;
    expect(Object.keys(doc).sort()).toEqual(['cameras', 'decisionCostUs', 'perPriority', 'simulatedS', 'slots', 'utilization', 'visits', 'warmupS', 'workers']);
    expect(doc).toMatchObject({ cameras: 300, workers: 3, slots: 6, simulatedS: 3600 });
    const rows = doc.perPriority as Record<string, unknown>[];
    expect(rows.map((p) => p.priority)).toEqual(['key', 'normal', 'low']);
    for (const p of rows) {
      expect(Object.keys(p).sort()).toEqual(['cameras', 'intervals', 'maxS', 'medianS', 'p95S', 'priority', 'targetS']);
      for (const k of ['cameras', 'targetS', 'medianS', 'p95S', 'maxS']) expect(typeof p[k]).toBe('number');
    }
    const cost = doc.decisionCostUs as Record<string, number>;
    expect(Object.keys(cost).sort()).toEqual(['median', 'p99']);
    expect(cost.median).toBeGreaterThan(0);
    expect(cost.p99).toBeGreaterThanOrEqual(cost.median!);
  });
});
