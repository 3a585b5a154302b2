import { describe, expect, it } from 'vitest';
import { OnnxGraphError } from './onnx-graph-error.ts';
import { bytesField, concatBytes, int64Field, stringField } from './protobuf-encode.ts';
import { encodeVarint, readInt64Varint, readVarint } from './protobuf-wire.ts';
import { stripInitializerInputs } from './strip-initializer-inputs.ts';

// Hand-built ModelProto bytes, written with the project's own protobuf encoder.
const bytes = (...parts: (Uint8Array | number[])[]): Uint8Array => concatBytes(parts.map((p) => Uint8Array.from(p)));
const tag = (field: number, wireType: number): Uint8Array => encodeVarint(field * 8 + wireType);
const msg = bytesField;
const str = stringField;
const int = int64Field;

// TypeProto { tensor_type { elem_type FLOAT, shape { dim 1 } } }
const floatTensorType = msg(2, msg(1, int(1, 1), msg(2, msg(1, int(1, 1)))));
const inputX = msg(11, str(1, 'x'), floatTensorType);
const inputW = msg(11, str(1, 'w'), floatTensorType);
const output = msg(12, str(1, 'y'), floatTensorType);
const node = msg(1, str(1, 'x'), str(1, 'w'), str(2, 'y'), str(4, 'Add'));
const initializerW = msg(5, int(1, 1), int(2, 1), str(8, 'w'), msg(9, Uint8Array.from([0, 0, 0x80, 0x3f])));
// An unknown fixed32 and fixed64 field inside the graph: must be skipped and kept as is.
const unknownFixed = bytes(tag(900, 5), [1, 2, 3, 4], tag(901, 1), [1, 2, 3, 4, 5, 6, 7, 8]);

const model = (...graphBody: Uint8Array[]): Uint8Array =>
  bytes(int(1, 8), str(2, 'test'), msg(7, ...graphBody), msg(8, str(1, ''), int(2, 13)));

describe('stripInitializerInputs', () => {
  it('removes the input that names an initializer and keeps every other byte', () => {
    const original = model(node, str(2, 'g'), initializerW, inputX, inputW, unknownFixed, output);
    const expected = model(node, str(2, 'g'), initializerW, inputX, unknownFixed, output);
    const result = stripInitializerInputs(original);
    expect(result.removedCount).toBe(1);
    expect(result.removedNames).toEqual(['w']);
    expect(result.inputNames).toEqual(['x']);
    expect(Buffer.from(result.bytes).equals(Buffer.from(expected))).toBe(true);
  });

  it('rewrites a graph length that needs a different varint size', () => {
    // 130-byte graph (2-byte length) shrinks below 128 (1-byte length) when the input goes.
    const pad = str(2, 'g'.repeat(130 - initializerW.length - inputW.length - 2));
    expect(bytes(pad, initializerW, inputW).length).toBe(130);
    expect(bytes(pad, initializerW).length).toBeLessThan(128);
    const result = stripInitializerInputs(model(pad, initializerW, inputW));
    expect(Buffer.from(result.bytes).equals(Buffer.from(model(pad, initializerW)))).toBe(true);
  });

  it('returns identical bytes when no input is an initializer', () => {
    const original = model(node, initializerW, inputX, output);
    const result = stripInitializerInputs(original);
    expect(result.removedCount).toBe(0);
    expect(result.inputNames).toEqual(['x']);
    expect(Buffer.from(result.bytes).equals(Buffer.from(original))).toBe(true);
  });

  it.each([
    ['truncated graph', model(node, initializerW, inputX, inputW).subarray(0, 40), /past the end/],
    ['wire type 3 (group)', bytes(tag(7, 3)), /wire type 3/],
    ['wire type 7', bytes(int(1, 8), tag(2, 7)), /wire type 7/],
    ['field number 0', bytes([0x02, 0x00]), /field number 0/],
    ['unterminated varint', bytes([0x08, 0xff, 0xff]), /runs past the end/],
    ['11-byte varint', bytes([0x08], new Array(10).fill(0xff), [0x01]), /longer than 10 bytes/],
    ['graph sent as a varint', int(7, 3), /ModelProto.graph .*wire type 0/],
    ['no graph', bytes(int(1, 8)), /no graph/],
    ['text, not protobuf', new TextEncoder().encode('hello onnx'), OnnxGraphError],
  ])('throws OnnxGraphError on %s', (_label, data, message) => {
    expect(() => stripInitializerInputs(data)).toThrow(OnnxGraphError);
    expect(() => stripInitializerInputs(data)).toThrow(message);
  });
});

describe('varints', () => {
  it.each([0, 1, 127, 128, 300, 2 ** 32 + 5, Number.MAX_SAFE_INTEGER])('round-trips %d', (v) => {
    const enc = encodeVarint(v);
    expect(readVarint(enc, 0, 'test')).toEqual({ value: v, next: enc.length });
  });

  it.each([-1, -300, Number.MIN_SAFE_INTEGER])('writes %d as a ten-byte int64 and reads it back', (v) => {
    const enc = encodeVarint(v);
    expect(enc.length).toBe(10);
    expect(readInt64Varint(enc, 0, 'test')).toEqual({ value: v, next: 10 });
    expect(() => readVarint(enc, 0, 'test')).toThrow(/exceeds 2\^53/);
  });
});
