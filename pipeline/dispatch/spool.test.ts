import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Spool } from './spool.ts';

describe('dispatch spool', () => {
  const dirs: string[] = [];
  const fresh = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'gw-spool-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('keeps one file per key, lists keys in order, deletes after delivery', async () => {
    const dir = fresh();
    const s = new Spool(join(dir, 'spool'));
    await s.put('c_b', { n: 1 });
    await s.put('c_a', { n: 2 });
    await s.put('c_b', { n: 3 });
    expect(await s.keys()).toEqual(['c_a', 'c_b']);
    expect(await s.read('c_b')).toEqual({ n: 3 });
    expect(readdirSync(join(dir, 'spool')).sort()).toEqual(['c_a.json', 'c_b.json']);
    await s.remove('c_a');
    await s.remove('c_a');
    expect(await s.keys()).toEqual(['c_b']);
    expect(await s.read('c_a')).toBeUndefined();
  });

  it('survives a new instance (a restart), drops leftover temp files, and ignores other names', async () => {
    const dir = fresh();
    await new Spool(dir).put('c_1', { ok: true });
    writeFileSync(join(dir, '.tmp-c_2-deadbeef'), '{"half');
    writeFileSync(join(dir, 'notes.txt'), 'x');
    const again = new Spool(dir);
    expect(await again.keys()).toEqual(['c_1']);
    expect(readdirSync(dir).some((n) => n.startsWith('.tmp-'))).toBe(false);
    expect(await again.read('c_1')).toEqual({ ok: true });
  });

  it('refuses keys that are not plain names, and sets damaged files aside', async () => {
    const dir = fresh();
    const s = new Spool(dir);
    await expect(s.put('../x', {})).rejects.toThrow(RangeError);
    await expect(s.put('', {})).rejects.toThrow(RangeError);
    writeFileSync(join(dir, 'c_9.json'), '{"half');
    await expect(s.read('c_9')).rejects.toThrow(SyntaxError);
    await s.quarantine('c_9');
    expect(await s.keys()).toEqual([]);
    expect(readdirSync(dir)).toContain('c_9.json.bad');
  });
});
