import { encodeVarint } from './protobuf-wire.ts';

/** Protobuf wire encoders for writing ONNX messages: each returns one encoded field. */

const textEncoder = new TextEncoder();

/** Concatenates byte chunks into one buffer. */
export function concatBytes(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let pos = 0;
  for (const c of chunks) {
    out.set(c, pos);
    pos += c.length;
  }
  return out;
}

function tag(field: number, wireType: number): Uint8Array {
  return encodeVarint(field * 8 + wireType);
}

/** A length-delimited field (a nested message, bytes or a string already encoded). */
export function bytesField(field: number, ...body: Uint8Array[]): Uint8Array {
  const inner = concatBytes(body);
  return concatBytes([tag(field, 2), encodeVarint(inner.length), inner]);
}

/** A UTF-8 string field. */
export function stringField(field: number, value: string): Uint8Array {
  return bytesField(field, textEncoder.encode(value));
}

/** An int64 varint field; negative values take ten bytes (two's complement), as protobuf encodes them. */
export function int64Field(field: number, value: number): Uint8Array {
  if (!Number.isSafeInteger(value)) throw new RangeError(`cannot encode ${value} as an int64`);
  return concatBytes([tag(field, 0), encodeVarint(value)]);
}
