import { bytesField, concatBytes, int64Field, stringField } from './protobuf-encode.ts';

// Field numbers from onnx.proto.
const TENSOR = { dims: 1, dataType: 2, name: 8, rawData: 9 } as const;
const VALUE_INFO = { name: 1, type: 2 } as const;
const TYPE_TENSOR = 1;
const TENSOR_TYPE = { elemType: 1, shape: 2 } as const;
const SHAPE_DIM = 1;
const DIM_VALUE = 1;
const ATTRIBUTE = { name: 1, i: 3, ints: 8, type: 20 } as const;
const ATTRIBUTE_TYPE_INT = 2;
const ATTRIBUTE_TYPE_INTS = 7;
const FLOAT = 1;
const INT64 = 7;

/** A TensorProto of float32 values (little-endian raw_data). */
export function floatTensor(name: string, dims: readonly number[], values: Float32Array): Uint8Array {
  const count = dims.reduce((n, d) => n * d, 1);
  if (values.length !== count) throw new RangeError(`tensor ${name}: ${values.length} values for dims [${dims.join(',')}]`);
  const raw = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  return concatBytes([...dims.map((d) => int64Field(TENSOR.dims, d)), int64Field(TENSOR.dataType, FLOAT), stringField(TENSOR.name, name), bytesField(TENSOR.rawData, raw)]);
}

/** A TensorProto of int64 values (little-endian raw_data). */
export function int64Tensor(name: string, values: readonly number[]): Uint8Array {
  const raw = new Uint8Array(values.length * 8);
  const view = new DataView(raw.buffer);
  values.forEach((v, i) => view.setBigInt64(i * 8, BigInt(v), true));
  return concatBytes([int64Field(TENSOR.dims, values.length), int64Field(TENSOR.dataType, INT64), stringField(TENSOR.name, name), bytesField(TENSOR.rawData, raw)]);
}

/** A ValueInfoProto for a float tensor; `dims` omitted leaves the shape unknown. */
export function floatValueInfo(name: string, dims?: readonly number[]): Uint8Array {
  const shape = dims === undefined ? [] : [bytesField(TENSOR_TYPE.shape, ...dims.map((d) => bytesField(SHAPE_DIM, int64Field(DIM_VALUE, d))))];
  const tensorType = bytesField(TYPE_TENSOR, int64Field(TENSOR_TYPE.elemType, FLOAT), ...shape);
  return concatBytes([stringField(VALUE_INFO.name, name), bytesField(VALUE_INFO.type, tensorType)]);
}

/** An AttributeProto of type INTS. */
export function intsAttribute(name: string, values: readonly number[]): Uint8Array {
  return concatBytes([stringField(ATTRIBUTE.name, name), ...values.map((v) => int64Field(ATTRIBUTE.ints, v)), int64Field(ATTRIBUTE.type, ATTRIBUTE_TYPE_INTS)]);
}

/** An AttributeProto of type INT. */
export function intAttribute(name: string, value: number): Uint8Array {
  return concatBytes([stringField(ATTRIBUTE.name, name), int64Field(ATTRIBUTE.i, value), int64Field(ATTRIBUTE.type, ATTRIBUTE_TYPE_INT)]);
}

/** A NodeProto body (default domain, attributes already encoded as AttributeProto bodies). */
export function nodeProto(opType: string, name: string, inputs: readonly string[], outputs: readonly string[], attributes: readonly Uint8Array[] = []): Uint8Array {
  return concatBytes([
    ...inputs.map((i) => stringField(1, i)),
    ...outputs.map((o) => stringField(2, o)),
    stringField(3, name),
    stringField(4, opType),
    ...attributes.map((a) => bytesField(5, a)),
  ]);
}

/**
 * A whole ModelProto (IR version 8, default-domain opset `opset`) of one graph named `name`, from
 * its GraphProto fields as [field number, encoded body] pairs (`GraphField` numbers): for small
 * graphs the project builds itself rather than edits.
 */
export function modelProto(name: string, fields: readonly (readonly [number, Uint8Array])[], opset: number): Uint8Array {
  const graph = concatBytes([stringField(2, name), ...fields.map(([f, body]) => bytesField(f, body))]);
  return concatBytes([int64Field(1, 8), bytesField(8, stringField(1, ''), int64Field(2, opset)), bytesField(7, graph)]);
}
