import { OnnxGraphError } from './onnx-graph-error.ts';

/** Protobuf wire types this walker accepts; groups (3, 4) and 6, 7 are rejected. */
export const WireType = { varint: 0, fixed64: 1, lengthDelimited: 2, fixed32: 5 } as const;

/** One top-level field of a message, as byte offsets into the buffer it was read from. */
export interface WireField {
  /** Field number from the tag (>= 1). */
  readonly fieldNumber: number;
  /** Wire type from the tag: 0, 1, 2 or 5. */
  readonly wireType: number;
  /** Offset of the tag's first byte. */
  readonly start: number;
  /** Offset just past the field (tag, length prefix and value). */
  readonly end: number;
  /** Offset of the value; for wire type 2, just past the length prefix. */
  readonly valueStart: number;
}

// 2^53: lengths and tags above this cannot be held exactly in a number (and no file is that big).
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** Reads the raw 64 bits of a base-128 varint at `pos` (at most 10 bytes); returns them and the offset after it. */
function readVarintBits(bytes: Uint8Array, pos: number, what: string): { bits: bigint; next: number } {
  let bits = 0n;
  for (let i = 0; i < 10; i++) {
    const byte = bytes[pos + i];
    if (byte === undefined) {
      throw new OnnxGraphError(`${what}: varint at byte ${pos} runs past the end of the data (${bytes.length} bytes)`);
    }
    bits |= BigInt(byte & 0x7f) << BigInt(7 * i);
    if ((byte & 0x80) === 0) return { bits: BigInt.asUintN(64, bits), next: pos + i + 1 };
  }
  throw new OnnxGraphError(`${what}: varint at byte ${pos} is longer than 10 bytes`);
}

/** Reads an unsigned base-128 varint at `pos` (a tag, a length, an enum); returns its value and the offset after it. */
export function readVarint(bytes: Uint8Array, pos: number, what: string): { value: number; next: number } {
  const { bits, next } = readVarintBits(bytes, pos, what);
  if (bits > MAX_SAFE) throw new OnnxGraphError(`${what}: varint at byte ${pos} exceeds 2^53`);
  return { value: Number(bits), next };
}

/** Reads a varint as a two's-complement int64 (negative values take 10 bytes), as a number. */
export function readInt64Varint(bytes: Uint8Array, pos: number, what: string): { value: number; next: number } {
  const { bits, next } = readVarintBits(bytes, pos, what);
  return { value: Number(BigInt.asIntN(64, bits)), next };
}

/**
 * Encodes an integer as a minimal base-128 varint: the one varint writer of the ONNX tooling.
 * Non-negative safe integers as they are; negative ones as protobuf's int64 does (two's
 * complement over 64 bits, ten bytes).
 */
export function encodeVarint(value: number): Uint8Array {
  if (!Number.isSafeInteger(value)) throw new RangeError(`cannot encode ${value} as a varint`);
  const out: number[] = [];
  let rest = BigInt.asUintN(64, BigInt(value));
  while (rest >= 0x80n) {
    out.push(Number(rest & 0x7fn) | 0x80);
    rest >>= 7n;
  }
  out.push(Number(rest));
  return Uint8Array.from(out);
}

/**
 * Splits `bytes[from, to)` into its top-level fields without decoding any value.
 * `what` names the message in error messages (e.g. "GraphProto").
 * Throws OnnxGraphError on a truncated field, a bad varint, field number 0 or wire type 3, 4, 6, 7.
 */
export function readFields(bytes: Uint8Array, what: string, from = 0, to = bytes.length): WireField[] {
  if (to > bytes.length) throw new OnnxGraphError(`${what}: ends at byte ${to}, past the data (${bytes.length})`);
  const view = to === bytes.length ? bytes : bytes.subarray(0, to);
  const fields: WireField[] = [];
  let pos = from;
  while (pos < to) {
    const start = pos;
    const tag = readVarint(view, pos, `${what} field tag`);
    const fieldNumber = Math.floor(tag.value / 8);
    const wireType = tag.value % 8;
    if (fieldNumber === 0) throw new OnnxGraphError(`${what}: field number 0 at byte ${start} (not protobuf data?)`);
    let valueStart = tag.next;
    let end: number;
    switch (wireType) {
      case WireType.varint:
        end = readVarint(view, valueStart, `${what} field ${fieldNumber}`).next;
        break;
      case WireType.fixed64:
        end = valueStart + 8;
        break;
      case WireType.fixed32:
        end = valueStart + 4;
        break;
      case WireType.lengthDelimited: {
        const length = readVarint(view, valueStart, `${what} field ${fieldNumber} length`);
        valueStart = length.next;
        end = valueStart + length.value;
        break;
      }
      default:
        throw new OnnxGraphError(
          `${what}: field ${fieldNumber} at byte ${start} has wire type ${wireType}, ` +
            'which this reader does not accept (only 0, 1, 2, 5; groups are not used by ONNX)',
        );
    }
    if (end > to) {
      throw new OnnxGraphError(
        `${what}: field ${fieldNumber} at byte ${start} ends at byte ${end}, past the end of its message (${to})`,
      );
    }
    fields.push({ fieldNumber, wireType, start, end, valueStart });
    pos = end;
  }
  return fields;
}
