import { OnnxGraphError } from './onnx-graph-error.ts';
import type { OnnxGraphView, OnnxNode } from './onnx-graph-read.ts';
import { bytesField, concatBytes, stringField } from './protobuf-encode.ts';
import { readFields, readVarint, type WireField } from './protobuf-wire.ts';

/** GraphProto field numbers a graph edit writes. */
export const GraphField = { node: 1, initializer: 5, input: 11, output: 12, valueInfo: 13 } as const;

const NODE = { input: 1, output: 2, attribute: 5 } as const;
const ATTRIBUTE_NAME = 1;
const utf8 = new TextDecoder();

/**
 * Edits to one graph, by the byte offset (`WireField.start`) of the GraphProto fields they touch.
 * Everything not named is copied byte for byte.
 */
export interface GraphEdit {
  /** Fields to drop. */
  readonly remove?: ReadonlySet<number>;
  /** Fields to replace: new message body (without the field's tag and length), same field number. */
  readonly replace?: ReadonlyMap<number, Uint8Array>;
  /** New fields appended at the end of the graph, as [field number, message body]. */
  readonly append?: readonly (readonly [number, Uint8Array])[];
  /** New fields inserted just before the field at that offset (nodes stay in topological order). */
  readonly insertBefore?: ReadonlyMap<number, readonly (readonly [number, Uint8Array])[]>;
}

/**
 * Applies `edit` to the graph of `view` and returns the new ModelProto bytes. Only the graph
 * field and its length prefix change in the ModelProto.
 */
export function editGraph(view: OnnxGraphView, edit: GraphEdit): Uint8Array {
  const { bytes, graphField } = view;
  const parts: Uint8Array[] = [];
  for (const f of view.graphFields) {
    for (const [field, body] of edit.insertBefore?.get(f.start) ?? []) parts.push(bytesField(field, body));
    if (edit.remove?.has(f.start)) continue;
    const body = edit.replace?.get(f.start);
    parts.push(body === undefined ? bytes.subarray(f.start, f.end) : bytesField(f.fieldNumber, body));
  }
  for (const [field, body] of edit.append ?? []) parts.push(bytesField(field, body));
  const graph = bytesField(graphField.fieldNumber, ...parts);
  return concatBytes([bytes.subarray(0, graphField.start), graph, bytes.subarray(graphField.end)]);
}

/** What to change in one node: inputs renamed by position, attributes replaced by name. */
export interface NodeChange {
  readonly inputs?: ReadonlyMap<number, string>;
  /** Attribute name -> new AttributeProto body (see onnx-messages). */
  readonly attributes?: ReadonlyMap<string, Uint8Array>;
}

/** The body of `node` with `change` applied; other fields are copied in order. */
export function rewriteNode(view: OnnxGraphView, node: OnnxNode, change: NodeChange): Uint8Array {
  const { bytes } = view;
  const parts: Uint8Array[] = [];
  let inputIndex = 0;
  const seen = new Set<string>();
  for (const f of readFields(bytes, 'NodeProto', node.field.valueStart, node.field.end)) {
    if (f.fieldNumber === NODE.input) {
      const renamed = change.inputs?.get(inputIndex++);
      parts.push(renamed === undefined ? bytes.subarray(f.start, f.end) : stringField(NODE.input, renamed));
      continue;
    }
    if (f.fieldNumber === NODE.attribute) {
      const name = attributeName(bytes, f);
      const replacement = change.attributes?.get(name);
      if (replacement !== undefined) {
        seen.add(name);
        parts.push(bytesField(NODE.attribute, replacement));
        continue;
      }
    }
    parts.push(bytes.subarray(f.start, f.end));
  }
  for (const [name, body] of change.attributes ?? []) if (!seen.has(name)) parts.push(bytesField(NODE.attribute, body));
  return concatBytes(parts);
}

/** Reads an INTS attribute of a node; undefined when the node has no attribute of that name. */
export function readIntsAttribute(view: OnnxGraphView, node: OnnxNode, name: string): number[] | undefined {
  const { bytes } = view;
  for (const f of readFields(bytes, 'NodeProto', node.field.valueStart, node.field.end)) {
    if (f.fieldNumber !== NODE.attribute || attributeName(bytes, f) !== name) continue;
    const ints: number[] = [];
    for (const a of readFields(bytes, 'AttributeProto', f.valueStart, f.end)) {
      if (a.fieldNumber !== 8) continue;
      if (a.wireType === 2) {
        let pos = a.valueStart;
        while (pos < a.end) {
          const v = readVarint(bytes, pos, 'AttributeProto.ints');
          ints.push(v.value);
          pos = v.next;
        }
      } else ints.push(readVarint(bytes, a.valueStart, 'AttributeProto.ints').value);
    }
    return ints;
  }
  return undefined;
}

/** Whether a node has an attribute of that name, of any type. */
export function hasAttribute(view: OnnxGraphView, node: OnnxNode, name: string): boolean {
  for (const f of readFields(view.bytes, 'NodeProto', node.field.valueStart, node.field.end)) {
    if (f.fieldNumber === NODE.attribute && attributeName(view.bytes, f) === name) return true;
  }
  return false;
}

/** Reads an INT attribute of a node (AttributeProto.i); undefined when the node has no attribute of that name. */
export function readIntAttribute(view: OnnxGraphView, node: OnnxNode, name: string): number | undefined {
  const { bytes } = view;
  for (const f of readFields(bytes, 'NodeProto', node.field.valueStart, node.field.end)) {
    if (f.fieldNumber !== NODE.attribute || attributeName(bytes, f) !== name) continue;
    const i = readFields(bytes, 'AttributeProto', f.valueStart, f.end).find((a) => a.fieldNumber === 3);
    return i ? readVarint(bytes, i.valueStart, 'AttributeProto.i').value : undefined;
  }
  return undefined;
}

/** The TensorProto body held by a node's tensor attribute (Constant's `value`). */
export function readTensorAttribute(view: OnnxGraphView, node: OnnxNode, name: string): WireField | undefined {
  const { bytes } = view;
  for (const f of readFields(bytes, 'NodeProto', node.field.valueStart, node.field.end)) {
    if (f.fieldNumber !== NODE.attribute || attributeName(bytes, f) !== name) continue;
    return readFields(bytes, 'AttributeProto', f.valueStart, f.end).find((a) => a.fieldNumber === 5);
  }
  return undefined;
}

/** Dims of a ValueInfoProto's tensor type (0 for a symbolic dim); [] when it has no shape. */
export function readValueInfoDims(bytes: Uint8Array, field: WireField): number[] {
  const dims: number[] = [];
  const type = readFields(bytes, 'ValueInfoProto', field.valueStart, field.end).find((f) => f.fieldNumber === 2);
  const tensor = type && readFields(bytes, 'TypeProto', type.valueStart, type.end).find((f) => f.fieldNumber === 1);
  const shape = tensor && readFields(bytes, 'TypeProto.Tensor', tensor.valueStart, tensor.end).find((f) => f.fieldNumber === 2);
  if (!shape) return dims;
  for (const d of readFields(bytes, 'TensorShapeProto', shape.valueStart, shape.end)) {
    if (d.fieldNumber !== 1) continue;
    const value = readFields(bytes, 'Dimension', d.valueStart, d.end).find((v) => v.fieldNumber === 1);
    dims.push(value ? readVarint(bytes, value.valueStart, 'dim_value').value : 0);
  }
  return dims;
}

function attributeName(bytes: Uint8Array, field: WireField): string {
  const name = readFields(bytes, 'AttributeProto', field.valueStart, field.end).find((a) => a.fieldNumber === ATTRIBUTE_NAME);
  if (!name) throw new OnnxGraphError(`AttributeProto at byte ${field.start} has no name`);
  return utf8.decode(bytes.subarray(name.valueStart, name.end));
}
