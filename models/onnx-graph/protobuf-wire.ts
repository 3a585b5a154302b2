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
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** Reads a base-128 varint at `pos`; returns its value and the offset after it. */
export function readVarint(bytes: Uint8Array, pos: number, what: string): { value: number; next: number } {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    const at = pos + i;
    const byte = bytes[at];
    if (byte === undefined) {
      throw new OnnxGraphError(`${what}: varint at byte ${pos} runs past the end of the data (${bytes.length} bytes)`);
    }
    // Multiply rather than shift: bitwise ops in JS truncate to 32 bits.
    value += (byte & 0x7f) * scale;
    if ((byte & 0x80) === 0) {
      if (value > MAX_SAFE) throw new OnnxGraphError(`${what}: varint at byte ${pos} exceeds 2^53`);
      return { value, next: at + 1 };
    }
    scale *= 128;
  }
  throw new OnnxGraphError(`${what}: varint at byte ${pos} is longer than 10 bytes`);
}

/** Encodes a non-negative integer as a minimal base-128 varint. */
export function encodeVarint(value: number): Uint8Array {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`cannot encode ${value} as a varint`);
  const out: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    out.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  out.push(rest);
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
