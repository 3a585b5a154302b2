import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../pipeline/patrol/simulation/random.ts';
import { buildAnchorGrid } from './anchor-grid.ts';
import { initClassHead, levelLayout } from './class-head.ts';
import { depthwiseTaps } from './depthwise-taps.ts';
import { frontBackward, frontForward, frontPass } from './tower-front.ts';
import { FrontRuntime } from './tower-front-runtime.ts';

// Three levels of a 48x40 input (6x5, 3x3 and 2x2 cells), 8 channels, 5x5 kernels.
const grid = buildAnchorGrid(48, 40, [8, 16, 32]);
const features = 8;
const kernel = 5;
const random = seededRandom(31);
const rand = (n: number, scale = 1): Float32Array => Float32Array.from({ length: n }, () => scale * (random() - 0.5));
const conv = (w: number, b: number, scale = 1): { weight: Float32Array; bias: Float32Array } => ({ weight: rand(w, scale), bias: rand(b) });
const levels = [0, 1, 2];
const head = initClassHead(
  3, 2, features, random,
  levels.map(() => conv(features * features, features)),
  levels.map(() => conv(features * kernel * kernel, features)),
  kernel,
  levels.map(() => ({ depthwise: conv(features * kernel * kernel, features, 2), pointwise: conv(features * features, features, 2) })),
);
const x = rand(grid.count * features, 6);
const taps = depthwiseTaps(grid, kernel);
let runtime: FrontRuntime;

beforeAll(async () => {
  runtime = await FrontRuntime.open(head, grid);
});
afterAll(async () => {
  await runtime.close();
  await runtime.close();
});

const relClose = (got: ArrayLike<number>, want: ArrayLike<number>, what: string): void => {
  let scale = 0;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]!));
  expect(scale, what).toBeGreaterThan(0);
  for (let i = 0; i < want.length; i++) expect(Math.abs(got[i]! - want[i]!), `${what}[${i}]: ${got[i]} vs ${want[i]}`).toBeLessThan(1e-4 * scale);
};

describe('the front block run by onnxruntime', () => {
  it('computes what the JavaScript reference computes at every cell of every level', async () => {
    const js = frontPass(head, grid);
    js.mark.fill(1);
    frontForward(head, grid, x, taps, js);
    const ort = frontPass(head, grid);
    await runtime.forward(x, ort);
    expect(ort.mark.every((m) => m === 1)).toBe(true);
    relClose(ort.z0, js.z0, 'z0');
    relClose(ort.h0, js.h0, 'h0');
    relClose(ort.z1, js.z1, 'z1');
    relClose(ort.h1, js.h1, 'h1');
  });

  it('gives the JavaScript reference\'s gradients of every front parameter, and clears dh1', async () => {
    const dh1 = Float64Array.from({ length: grid.count * features }, () => (random() < 0.6 ? random() - 0.5 : 0));
    const js = frontPass(head, grid);
    js.mark.fill(1);
    frontForward(head, grid, x, taps, js);
    js.dh1.set(dh1);
    const want = new Float64Array(head.params.length);
    frontBackward(head, grid, x, taps, js, want);
    const ort = frontPass(head, grid);
    await runtime.forward(x, ort);
    ort.dh1.set(dh1);
    const got = new Float64Array(head.params.length);
    await runtime.backward(x, ort, got);
    expect(ort.dh1.every((v) => v === 0)).toBe(true);
    for (const l of levels) {
      const at = levelLayout(head, l);
      for (const [name, from, to] of [['depthwise weights', at.fdw, at.fdwb], ['depthwise biases', at.fdwb, at.fpw], ['pointwise weights', at.fpw, at.fpwb], ['pointwise biases', at.fpwb, at.dw]] as const) {
        relClose(got.subarray(from, to), want.subarray(from, to), `level ${l} ${name}`);
      }
      // Nothing outside the front block.
      expect(got.subarray(at.dw, at.end).every((v) => v === 0)).toBe(true);
    }
  });

  it('refuses a head without a front block', async () => {
    const plain = initClassHead(3, 2, features, random);
    await expect(FrontRuntime.open(plain, grid)).rejects.toThrow(/no front block/);
  });
});
