import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findClassNames, parseDataYamlNames, parseNamesText } from './class-names.ts';
import { DatasetError } from './dataset-errors.ts';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'gw-names-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

describe('parseNamesText', () => {
  it('reads one name per line, trimmed, ignoring trailing blank lines', () => {
    expect(parseNamesText('person\r\n traffic light \ncar\n\n\n', 'x.names')).toEqual(['person', 'traffic light', 'car']);
  });

  it('refuses a blank line between names (it would shift class ids) and an empty file', () => {
    expect(() => parseNamesText('a\n\nb\n', 'x.names')).toThrow('x.names:2: blank line between class names');
    expect(() => parseNamesText('\n\n', 'x.names')).toThrow(DatasetError);
  });
});

describe('parseDataYamlNames', () => {
  it('reads the list form', () => {
    expect(parseDataYamlNames("nc: 2\nnames: ['fire', 'smoke']\n", 'data.yaml')).toEqual(['fire', 'smoke']);
  });

  it('reads the map form in id order, whatever the key order', () => {
    expect(parseDataYamlNames('names:\n  1: smoke\n  0: fire\n', 'data.yaml')).toEqual(['fire', 'smoke']);
  });

  it.each([
    ['a map with a gap', 'names:\n  0: a\n  2: b\n', 'keys must be the class ids 0..1'],
    ['no names', 'nc: 2\n', 'no "names:" list or map'],
    ['nc disagreeing', "nc: 3\nnames: ['a', 'b']\n", 'nc is 3 but names lists 2'],
    ['an empty name', "names: ['a', '']\n", 'non-empty'],
    ['broken YAML', 'names: [a, b\n', 'not valid YAML'],
  ])('refuses %s', (_, text, message) => {
    expect(() => parseDataYamlNames(text, 'data.yaml')).toThrow(message);
  });
});

describe('findClassNames', () => {
  it('prefers --names, then data.yaml, then a .names file, then classes.txt', async () => {
    const dir = folder({ 'data.yaml': 'names: [y]\n', 'a.names': 'n\n', 'classes.txt': 'c\n', 'mine.txt': 'm\n' });
    expect((await findClassNames(dir, join(dir, 'mine.txt'))).names).toEqual(['m']);
    expect(await findClassNames(dir)).toEqual({ names: ['y'], source: join(dir, 'data.yaml') });
    expect((await findClassNames(folder({ 'a.names': 'n\n', 'classes.txt': 'c\n' }))).names).toEqual(['n']);
    expect((await findClassNames(folder({ 'classes.txt': 'c\n' }))).names).toEqual(['c']);
  });

  it('reads a data.yaml given with --names', async () => {
    const dir = folder({ 'd.yml': 'names: {0: fire}\n' });
    expect((await findClassNames(dir, join(dir, 'd.yml'))).names).toEqual(['fire']);
  });

  it('says how to give names when the folder has none, and when it has two .names files', async () => {
    await expect(findClassNames(folder({}))).rejects.toThrow('give a names file (one name per line) or a data.yaml with --names');
    await expect(findClassNames(folder({ 'a.names': 'a\n', 'b.names': 'b\n' }))).rejects.toThrow('several .names files');
    await expect(findClassNames(folder({}), '/nonexistent/x.names')).rejects.toThrow('cannot read class names file /nonexistent/x.names: ENOENT');
  });
});
