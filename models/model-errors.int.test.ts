import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { identityModel } from '../test-fixtures/lib/tiny-onnx.ts';
import { Detector } from './detector.ts';
import { DecoderError, ModelCardError, ModelIntegrityError, ModelLoadError, ModelShapeError } from './errors.ts';
import { loadModelCard } from './model-card.ts';
import { resolveModel } from './model-catalog.ts';
import { sha256Hex } from './onnx-session.ts';

const zoo = join(import.meta.dirname, 'zoo');
const dir = mkdtempSync(join(tmpdir(), 'gw-model-errors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const fastCard = JSON.parse(readFileSync(join(zoo, 'fastestdet_352_coco.json'), 'utf8')) as Record<string, unknown>;
function writeCard(name: string, patch: Record<string, unknown>): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify({ ...fastCard, ...patch }));
  return path;
}

describe('model loading fails clearly', () => {
  it('rejects a corrupt model file by sha256, naming the file and both hashes', async () => {
    const bytes = readFileSync(join(zoo, 'fastestdet_352_coco.onnx'));
    bytes[bytes.length - 100] = (bytes[bytes.length - 100] ?? 0) ^ 0xff;
    writeFileSync(join(dir, 'corrupt.onnx'), bytes);
    const card = await loadModelCard(writeCard('corrupt.json', { file: 'corrupt.onnx' }));
    const err = await Detector.load(card).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelIntegrityError);
    const msg = (err as Error).message;
    expect(msg).toContain(join(dir, 'corrupt.onnx'));
    expect(msg).toContain(sha256Hex(bytes));
    expect(msg).toContain(fastCard.sha256 as string);
  });

  it('reports a file onnxruntime cannot parse as a load error naming the file', async () => {
    const junk = Buffer.from('this is not an onnx model at all');
    writeFileSync(join(dir, 'junk.onnx'), junk);
    const card = await loadModelCard(writeCard('junk.json', { file: 'junk.onnx', sha256: sha256Hex(junk) }));
    const err = await Detector.load(card).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelLoadError);
    expect((err as Error).message).toContain(join(dir, 'junk.onnx'));
  });

  it('says what input shape the card expects and what the model declares', async () => {
    copyFileSync(join(zoo, 'fastestdet_352_coco.onnx'), join(dir, 'fd.onnx'));
    const card = await loadModelCard(writeCard('wrong-size.json', { file: 'fd.onnx', input: { ...(fastCard.input as object), width: 416, height: 416 } }));
    const err = await Detector.load(card).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelShapeError);
    expect((err as Error).message).toMatch(/expects input "input\.1" of shape \[1,3,416,416\].*declares \[1,3,352,352\]/);
  });

  it('says which output differs', async () => {
    const card = await loadModelCard(writeCard('wrong-out.json', { file: 'fd.onnx', outputs: [{ name: '758', shape: [1, 85, 11, 11] }] }));
    const err = await Detector.load(card).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelShapeError);
    expect((err as Error).message).toContain('output "758" expected shape [1,85,11,11], model declares [1,85,22,22]');
  });

  it('rejects a decoder that cannot read the outputs, and an unknown decoder key', async () => {
    const gfl = await loadModelCard(writeCard('gfl-on-fd.json', { file: 'fd.onnx', decoder: 'gfl', decoderParams: { strides: [8, 16, 32], regMax: 7 } }));
    await expect(Detector.load(gfl)).rejects.toThrow(/decoder "gfl" cannot read its outputs/);
    const unknown = await loadModelCard(writeCard('unknown-dec.json', { file: 'fd.onnx', decoder: 'detr' }));
    await expect(Detector.load(unknown)).rejects.toBeInstanceOf(DecoderError);
  });

  it('validates the card with key paths', async () => {
    const bad = writeCard('bad.json', { sha256: 'xyz', input: { ...(fastCard.input as object), resize: 'squash' }, extra: 1 });
    const err = await loadModelCard(bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelCardError);
    const msg = (err as Error).message;
    expect(msg).toContain(bad);
    expect(msg).toContain('sha256');
    expect(msg).toContain('input.resize');
    expect(msg).toContain('extra');
    writeFileSync(join(dir, 'notjson.json'), '{ nope');
    await expect(loadModelCard(join(dir, 'notjson.json'))).rejects.toThrow(/not valid JSON/);
  });

  it('names the model ids it knows when given an unknown one', async () => {
    await expect(resolveModel('no-such-model')).rejects.toThrow(/unknown model "no-such-model".*picodet-s-416-coco/);
  });
});

describe('an .onnx file without a card', () => {
  it('is matched to its bundled card by sha256', async () => {
    const card = await resolveModel(join(dir, 'fd.onnx'));
    expect(card.id).toBe('fastestdet-352-coco');
    expect(card.modelPath).toBe(join(dir, 'fd.onnx'));
  });

  it('is described from its output shapes when no card matches', async () => {
    const bytes = Buffer.concat([readFileSync(join(zoo, 'picodet_s_416_coco.onnx'))]);
    // A different file with the same graph: append an unknown protobuf field (field 99, varint 1) so the sha256 changes.
    const changed = Buffer.concat([bytes, Buffer.from([0x98, 0x06, 0x01])]);
    writeFileSync(join(dir, 'my-picodet.onnx'), changed);
    const card = await resolveModel(join(dir, 'my-picodet.onnx'));
    expect(card.decoder).toBe('gfl');
    expect(card.decoderParams.strides).toEqual([8, 16, 32, 64]);
    expect(card.labels).toHaveLength(80);
    const detector = await Detector.load(card);
    await detector.close();
  });

  it('is a clear error when no decoder understands its outputs', async () => {
    writeFileSync(join(dir, 'identity.onnx'), identityModel([{ input: 'x', output: 'y', dims: [1, 3, 32, 32] }]));
    const err = await resolveModel(join(dir, 'identity.onnx')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DecoderError);
    expect((err as Error).message).toMatch(/no decoder understands the outputs of .*identity\.onnx \(y\[1,3,32,32\]\)/);
  });
});
