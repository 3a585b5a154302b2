import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadClassMap, mapClasses, normaliseName } from './class-mapping.ts';
import { ClassMappingError } from './dataset-errors.ts';

const cats = (...names: string[]) => names.map((name, i) => ({ id: i + 1, name }));
const MODEL = ['person', 'bicycle', 'car', 'motorcycle', 'traffic light', 'truck'];

describe('mapClasses', () => {
  it('matches by name, ignoring case, spaces, underscores and hyphens', () => {
    expect(normaliseName('  Traffic_Light ')).toBe('traffic light');
    const m = mapClasses(cats('Person', 'traffic-light'), MODEL);
    expect(m.status).toBe('full');
    expect(m.mapped).toEqual([
      { categoryId: 1, datasetName: 'Person', modelLabels: ['person'] },
      { categoryId: 2, datasetName: 'traffic-light', modelLabels: ['traffic light'] },
    ]);
    expect([...m.modelToCategory]).toEqual([[0, 1], [4, 2]]);
  });

  it('is partial when some dataset classes have no model class, none when no class does', () => {
    const partial = mapClasses(cats('person', 'fire'), MODEL);
    expect(partial.status).toBe('partial');
    expect(partial.unmapped).toEqual(['fire']);
    const none = mapClasses(cats('fire', 'smoke'), MODEL);
    expect(none.status).toBe('none');
    expect(none.unmapped).toEqual(['fire', 'smoke']);
    expect(none.modelToCategory.size).toBe(0);
  });

  it('follows a class map: one label, several labels, or null to leave a class out', () => {
    const m = mapClasses(cats('pedestrian', 'vehicle', 'fire'), MODEL, { pedestrian: 'person', vehicle: ['car', 'truck'], fire: null });
    expect(m.status).toBe('partial');
    expect(m.unmapped).toEqual(['fire']);
    expect([...m.modelToCategory]).toEqual([[0, 1], [2, 2], [5, 2]]);
  });

  it('refuses a class map naming unknown classes, and a label standing for two dataset classes', () => {
    expect(() => mapClasses(cats('a'), MODEL, { b: 'person' })).toThrow('not dataset classes: b');
    expect(() => mapClasses(cats('a'), MODEL, { a: 'dog' })).toThrow('not model labels: dog');
    expect(() => mapClasses(cats('person', 'human'), MODEL, { human: 'person' })).toThrow(ClassMappingError);
  });
});

describe('loadClassMap', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-classmap-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a valid file and names the problem in a bad one', async () => {
    writeFileSync(join(dir, 'ok.json'), '{"pedestrian": "person", "vehicle": ["car"], "fire": null}');
    expect(await loadClassMap(join(dir, 'ok.json'))).toEqual({ pedestrian: 'person', vehicle: ['car'], fire: null });
    writeFileSync(join(dir, 'bad.json'), '{"pedestrian": 3}');
    await expect(loadClassMap(join(dir, 'bad.json'))).rejects.toThrow('class map');
    await expect(loadClassMap(join(dir, 'bad.json'))).rejects.toThrow('pedestrian');
    await expect(loadClassMap(join(dir, 'none.json'))).rejects.toThrow('ENOENT');
  });
});
