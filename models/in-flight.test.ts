import { describe, expect, it } from 'vitest';
import { InFlight } from './in-flight.ts';

describe('InFlight: calls in flight per key', () => {
  it('idle waits for every call of its key, counts a rejected call as done, and ignores other keys', async () => {
    const calls = new InFlight();
    let finish!: (v: string) => void;
    let fail!: (e: Error) => void;
    const a = calls.track('m', () => new Promise<string>((r) => (finish = r)));
    const b = calls.track('m', () => new Promise<string>((_, j) => (fail = j)));
    const other = calls.enter('n');
    expect(calls.count('m')).toBe(2);
    let idle = false;
    const waiting = calls.idle('m').then(() => (idle = true));
    finish('ok');
    expect(await a).toBe('ok');
    expect(idle).toBe(false);
    fail(new Error('boom'));
    await expect(b).rejects.toThrow('boom');
    await waiting;
    expect(idle).toBe(true);
    expect(calls.count('m')).toBe(0);
    expect(calls.count('n')).toBe(1);
    other();
    other();
    expect(calls.count('n')).toBe(0);
    await calls.idle('never-used');
  });

  it('counts a call that throws synchronously as done', async () => {
    const calls = new InFlight();
    await expect(
      calls.track('m', () => {
        throw new RangeError('bad frame');
      }),
    ).rejects.toThrow(RangeError);
    expect(calls.count('m')).toBe(0);
  });
});
