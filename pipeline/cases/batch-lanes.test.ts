import { describe, expect, it } from 'vitest';
import { BatchLanes } from './batch-lanes.ts';

/** A run whose batches stay open until released, recording what each batch held. */
function gatedRun() {
  const batches: number[][] = [];
  const gates: (() => void)[] = [];
  const run = (batch: number[]): Promise<void> => {
    batches.push(batch);
    return new Promise<void>((resolve) => gates.push(resolve));
  };
  const releaseAll = async (): Promise<void> => {
    for (let i = 0; i < 100 && gates.length; i++) {
      gates.splice(0).forEach((g) => g());
      await new Promise((r) => setImmediate(r));
    }
  };
  return { batches, gates, run, releaseAll };
}

const takeUpTo = (n: number) => (queue: number[]): number[] => queue.splice(0, n);

describe('BatchLanes', () => {
  it('runs the first item at once and coalesces the items handed in while it runs', async () => {
    const g = gatedRun();
    const lanes = new BatchLanes<number>(1, takeUpTo(10), g.run);
    lanes.push(1);
    expect(g.batches).toEqual([[1]]);
    for (const i of [2, 3, 4]) lanes.push(i);
    expect(g.batches).toHaveLength(1);
    await g.releaseAll();
    await lanes.idle();
    expect(g.batches).toEqual([[1], [2, 3, 4]]);
  });

  it('runs at most maxInFlight batches at once and respects the batch size', async () => {
    const g = gatedRun();
    const lanes = new BatchLanes<number>(2, takeUpTo(2), g.run);
    for (let i = 1; i <= 7; i++) lanes.push(i);
    // Two lanes started by the first two pushes, each with one item; the rest wait.
    expect(g.batches).toEqual([[1], [2]]);
    expect(g.gates).toHaveLength(2);
    await g.releaseAll();
    await lanes.idle();
    expect(g.batches.flat().sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(Math.max(...g.batches.map((b) => b.length))).toBe(2);
  });

  it('starts a new lane for an item that arrives after the lanes ended, and idle waits for it', async () => {
    const g = gatedRun();
    const lanes = new BatchLanes<number>(1, takeUpTo(10), g.run);
    lanes.push(1);
    await g.releaseAll();
    await lanes.idle();
    lanes.push(2);
    expect(g.batches).toEqual([[1], [2]]);
    let idle = false;
    const waiting = lanes.idle().then(() => void (idle = true));
    await new Promise((r) => setImmediate(r));
    expect(idle).toBe(false);
    await g.releaseAll();
    await waiting;
    expect(idle).toBe(true);
  });

  it('leaves items take() skips in the queue for a later batch', async () => {
    const g = gatedRun();
    // take() skips item 3 until the batch holding 1 has run (as the group commit skips a case being written).
    let oneDone = false;
    const take = (queue: number[]): number[] => {
      const out: number[] = [];
      for (let i = 0; i < queue.length; ) {
        if (queue[i] === 3 && !oneDone) i++;
        else out.push(...queue.splice(i, 1));
      }
      return out;
    };
    const lanes = new BatchLanes<number>(2, take, async (b) => {
      await g.run(b);
      if (b.includes(1)) oneDone = true;
    });
    lanes.push(1);
    lanes.push(3);
    lanes.push(4);
    await g.releaseAll();
    await lanes.idle();
    const where3 = g.batches.findIndex((b) => b.includes(3));
    const where1 = g.batches.findIndex((b) => b.includes(1));
    expect(where3).toBeGreaterThan(where1);
    expect(g.batches.flat().sort()).toEqual([1, 3, 4]);
  });
});
