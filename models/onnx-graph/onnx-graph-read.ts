import { OnnxGraphError } from './onnx-graph-error.ts';
import { readFields, readInt64Varint, readVarint, WireType, type WireField } from './protobuf-wire.ts';

// Field numbers from onnx.proto (ONNX IR, stable since IR version 3).
const MODEL_GRAPH = 7;
const GRAPH_NODE = 1;
const GRAPH_INITIALIZER = 5;
const GRAPH_INPUT = 11;
const GRAPH_OUTPUT = 12;
const NODE_INPUT = 1;
const NODE_OUTPUT = 2;
const NODE_NAME = 3;
const NODE_OP_TYPE = 4;
const TENSOR_DIMS = 1;
const TENSOR_DATA_TYPE = 2;
const TENSOR_FLOAT_DATA = 4;
const TENSOR_INT64_DATA = 7;
const TENSOR_NAME = 8;
const TENSOR_RAW_DATA = 9;
const VALUE_INFO_NAME = 1;

/** ONNX TensorProto.DataType values this reader decodes. */
export const OnnxDataType = { float: 1, int64: 7 } as const;

/** One NodeProto: its op, name, tensor names in and out, and where it sits in the file. */
export interface OnnxNode {
  readonly opType: string;
  readonly name: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  /** The GraphProto.node field (tag to end) in the model bytes. */
  readonly field: WireField;
}

/** One initializer (TensorProto): name, dims, type and where it sits in the file. */
export interface OnnxInitializer {
  readonly name: string;
  readonly dims: readonly number[];
  readonly dataType: number;
  /** The GraphProto.initializer field (tag to end) in the model bytes. */
  readonly field: WireField;
}

/** The parts of a ModelProto's graph that the graph editors need, with byte offsets. */
export interface OnnxGraphView {
  readonly bytes: Uint8Array;
  /** The ModelProto.graph field. */
  readonly graphField: WireField;
  /** Every top-level GraphProto field, in file order. */
  readonly graphFields: readonly WireField[];
  readonly nodes: readonly OnnxNode[];
  readonly initializers: ReadonlyMap<string, OnnxInitializer>;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads a serialized ModelProto far enough to see its graph: nodes, initializers (without their
 * data), input and output names. Nothing is copied; offsets point into `bytes`.
 * @throws OnnxGraphError when the bytes are not walkable protobuf or hold not exactly one graph.
 */
export function readOnnxGraph(bytes: Uint8Array): OnnxGraphView {
  const graphs = readFields(bytes, 'ModelProto').filter((f) => f.fieldNumber === MODEL_GRAPH);
  const graphField = graphs[0];
  if (!graphField || graphs.length !== 1) {
    throw new OnnxGraphError(`ModelProto has ${graphs.length} graph fields (field 7), expected exactly 1`);
  }
  expectMessage(graphField, 'ModelProto.graph');
  const graphFields = readFields(bytes, 'GraphProto', graphField.valueStart, graphField.end);
  const nodes: OnnxNode[] = [];
  const initializers = new Map<string, OnnxInitializer>();
  const inputNames: string[] = [];
  const outputNames: string[] = [];
  for (const f of graphFields) {
    if (f.fieldNumber === GRAPH_NODE) nodes.push(readNode(bytes, f));
    else if (f.fieldNumber === GRAPH_INITIALIZER) {
      const init = readInitializerHeader(bytes, f);
      initializers.set(init.name, init);
    } else if (f.fieldNumber === GRAPH_INPUT) inputNames.push(readString(bytes, f, VALUE_INFO_NAME, 'ValueInfoProto'));
    else if (f.fieldNumber === GRAPH_OUTPUT) outputNames.push(readString(bytes, f, VALUE_INFO_NAME, 'ValueInfoProto'));
  }
  return { bytes, graphField, graphFields, nodes, initializers, inputNames, outputNames };
}

/** Decodes a float32 initializer's values (raw_data or float_data). */
export function readFloatInitializer(view: OnnxGraphView, name: string): Float32Array {
  const init = view.initializers.get(name);
  if (!init) throw new OnnxGraphError(`no initializer named "${name}"`);
  return readFloatTensor(view.bytes, init.field, `initializer "${name}"`);
}

/** Decodes the float32 values of the TensorProto held by `field` (raw_data or packed float_data). */
export function readFloatTensor(bytes: Uint8Array, field: WireField, what: string): Float32Array {
  const header = readInitializerHeader(bytes, field);
  if (header.dataType !== OnnxDataType.float) throw new OnnxGraphError(`${what} has data type ${header.dataType}, expected 1 (float)`);
  const count = header.dims.reduce((n, d) => n * d, 1);
  for (const f of readFields(bytes, 'TensorProto', field.valueStart, field.end)) {
    const packedFloats = f.fieldNumber === TENSOR_FLOAT_DATA && f.wireType === WireType.lengthDelimited;
    if (f.fieldNumber !== TENSOR_RAW_DATA && !packedFloats) continue;
    const raw = bytes.subarray(f.valueStart, f.end);
    if (raw.length !== count * 4) throw new OnnxGraphError(`${what}: ${raw.length} data bytes, dims [${header.dims.join(',')}] need ${count * 4}`);
    const out = new Float32Array(count);
    new Uint8Array(out.buffer).set(raw); // ONNX stores little-endian, as every platform Node runs on here.
    return out;
  }
  throw new OnnxGraphError(`${what} holds no packed float data`);
}

/** Dims of the TensorProto held by `field`. */
export function readTensorDims(bytes: Uint8Array, field: WireField): number[] {
  return [...readInitializerHeader(bytes, field).dims];
}

/** Decodes an int64 initializer's values (raw_data or packed int64_data) as numbers. */
export function readInt64Initializer(view: OnnxGraphView, name: string): number[] {
  const init = view.initializers.get(name);
  if (!init) throw new OnnxGraphError(`no initializer named "${name}"`);
  if (init.dataType !== OnnxDataType.int64) throw new OnnxGraphError(`initializer "${name}" is not int64`);
  for (const f of readFields(view.bytes, 'TensorProto', init.field.valueStart, init.field.end)) {
    if (f.fieldNumber === TENSOR_RAW_DATA) {
      const raw = view.bytes.subarray(f.valueStart, f.end);
      const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
      return Array.from({ length: raw.length / 8 }, (_, i) => Number(dv.getBigInt64(i * 8, true)));
    }
    if (f.fieldNumber === TENSOR_INT64_DATA) return readPackedVarints(view.bytes, f);
  }
  return [];
}

function readNode(bytes: Uint8Array, field: WireField): OnnxNode {
  expectMessage(field, 'GraphProto.node');
  const inputs: string[] = [];
  const outputs: string[] = [];
  let name = '';
  let opType = '';
  for (const f of readFields(bytes, 'NodeProto', field.valueStart, field.end)) {
    if (f.fieldNumber === NODE_INPUT) inputs.push(decode(bytes, f, 'NodeProto.input'));
    else if (f.fieldNumber === NODE_OUTPUT) outputs.push(decode(bytes, f, 'NodeProto.output'));
    else if (f.fieldNumber === NODE_NAME) name = decode(bytes, f, 'NodeProto.name');
    else if (f.fieldNumber === NODE_OP_TYPE) opType = decode(bytes, f, 'NodeProto.op_type');
  }
  return { opType, name, inputs, outputs, field };
}

function readInitializerHeader(bytes: Uint8Array, field: WireField): OnnxInitializer {
  expectMessage(field, 'GraphProto.initializer');
  const dims: number[] = [];
  let name = '';
  let dataType = 0;
  for (const f of readFields(bytes, 'TensorProto', field.valueStart, field.end)) {
    if (f.fieldNumber === TENSOR_DIMS) {
      if (f.wireType === WireType.lengthDelimited) dims.push(...readPackedVarints(bytes, f));
      else dims.push(readVarint(bytes, f.valueStart, 'TensorProto.dims').value);
    } else if (f.fieldNumber === TENSOR_DATA_TYPE) dataType = readVarint(bytes, f.valueStart, 'TensorProto.data_type').value;
    else if (f.fieldNumber === TENSOR_NAME) name = decode(bytes, f, 'TensorProto.name');
  }
  return { name, dims, dataType, field };
}

function readPackedVarints(bytes: Uint8Array, f: WireField): number[] {
  if (f.wireType !== WireType.lengthDelimited) return [readInt64Varint(bytes, f.valueStart, 'int64').value];
  const out: number[] = [];
  let pos = f.valueStart;
  while (pos < f.end) {
    const v = readInt64Varint(bytes, pos, 'packed int64');
    out.push(v.value);
    pos = v.next;
  }
  return out;
}

function readString(bytes: Uint8Array, field: WireField, nameField: number, what: string): string {
  expectMessage(field, what);
  let name = '';
  for (const f of readFields(bytes, what, field.valueStart, field.end)) {
    if (f.fieldNumber === nameField) name = decode(bytes, f, `${what}.name`);
  }
  return name;
}

function decode(bytes: Uint8Array, f: WireField, what: string): string {
  expectMessage(f, what);
  try {
    return utf8.decode(bytes.subarray(f.valueStart, f.end));
  } catch (err) {
    throw new OnnxGraphError(`${what} at byte ${f.start} is not valid UTF-8`, { cause: err });
  }
}

function expectMessage(field: WireField, what: string): void {
  if (field.wireType !== WireType.lengthDelimited) {
    throw new OnnxGraphError(`${what} at byte ${field.start} has wire type ${field.wireType}, expected 2 (length-delimited)`);
  }
}
