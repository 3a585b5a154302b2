import { OnnxGraphError } from './onnx-graph-error.ts';
import { encodeVarint, readFields, WireType, type WireField } from './protobuf-wire.ts';

// Field numbers from onnx.proto (ONNX IR, stable since IR version 3).
const MODEL_GRAPH = 7; // ModelProto.graph: GraphProto
const GRAPH_INITIALIZER = 5; // GraphProto.initializer: repeated TensorProto
const GRAPH_INPUT = 11; // GraphProto.input: repeated ValueInfoProto
const TENSOR_NAME = 8; // TensorProto.name: string
const VALUE_INFO_NAME = 1; // ValueInfoProto.name: string

/** What {@link stripInitializerInputs} produced. */
export interface StripInitializerInputsResult {
  /** The rewritten model; byte-identical to the input except for the removed inputs and the graph's length prefix. */
  readonly bytes: Uint8Array;
  /** How many GraphProto.input entries were removed. */
  readonly removedCount: number;
  /** Names of the removed inputs, in file order. */
  readonly removedNames: readonly string[];
  /** Names of the inputs kept (the model's real inputs), in file order. */
  readonly inputNames: readonly string[];
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Removes every GraphProto.input whose name is also the name of a GraphProto.initializer, so that
 * onnxruntime treats those weights as constants rather than overridable inputs. Walks only the
 * protobuf wire format of ModelProto, GraphProto, ValueInfoProto and TensorProto; nothing else is
 * decoded and every other byte is copied as it is. Sparse initializers (GraphProto field 15) and
 * subgraphs inside node attributes are left untouched.
 *
 * @param model The .onnx file's bytes (a serialized ModelProto).
 * @throws OnnxGraphError when the bytes are not walkable protobuf or hold no graph.
 */
export function stripInitializerInputs(model: Uint8Array): StripInitializerInputsResult {
  const modelFields = readFields(model, 'ModelProto');
  const graphFields = modelFields.filter((f) => f.fieldNumber === MODEL_GRAPH);
  if (graphFields.length === 0) throw new OnnxGraphError('ModelProto has no graph (field 7): not an ONNX model?');

  // Protobuf merges repeated occurrences of a message field, so the initializers of every
  // occurrence count (exporters write one; this keeps the semantics exact anyway).
  const graphs = graphFields.map((f) => {
    expectLengthDelimited(f, 'ModelProto.graph');
    return readFields(model, 'GraphProto', f.valueStart, f.end);
  });
  const initializerNames = new Set<string>();
  for (const graph of graphs) {
    for (const f of graph) {
      if (f.fieldNumber !== GRAPH_INITIALIZER) continue;
      expectLengthDelimited(f, 'GraphProto.initializer');
      initializerNames.add(readName(model, f, TENSOR_NAME, 'TensorProto'));
    }
  }

  const removedNames: string[] = [];
  const inputNames: string[] = [];
  const chunks: Uint8Array[] = [];
  let graphIndex = 0;
  for (const field of modelFields) {
    if (field.fieldNumber !== MODEL_GRAPH) {
      chunks.push(model.subarray(field.start, field.end));
      continue;
    }
    const graph = graphs[graphIndex++] ?? [];
    const kept: Uint8Array[] = [];
    let removedHere = 0;
    for (const f of graph) {
      if (f.fieldNumber === GRAPH_INPUT) {
        expectLengthDelimited(f, 'GraphProto.input');
        const name = readName(model, f, VALUE_INFO_NAME, 'ValueInfoProto');
        if (initializerNames.has(name)) {
          removedNames.push(name);
          removedHere++;
          continue;
        }
        inputNames.push(name);
      }
      kept.push(model.subarray(f.start, f.end));
    }
    if (removedHere === 0) {
      // Unchanged graph: copy it whole, length prefix included, even if that prefix is not minimal.
      chunks.push(model.subarray(field.start, field.end));
      continue;
    }
    const graphLength = kept.reduce((n, c) => n + c.length, 0);
    chunks.push(model.subarray(field.start, tagEnd(model, field)), encodeVarint(graphLength), ...kept);
  }
  return { bytes: concat(chunks), removedCount: removedNames.length, removedNames, inputNames };
}

function expectLengthDelimited(field: WireField, what: string): void {
  if (field.wireType !== WireType.lengthDelimited) {
    throw new OnnxGraphError(`${what} at byte ${field.start} has wire type ${field.wireType}, expected 2 (a message)`);
  }
}

/** The string in field `nameField` of the message held by `field`; the last occurrence wins, "" when absent. */
function readName(bytes: Uint8Array, field: WireField, nameField: number, what: string): string {
  let name = '';
  for (const f of readFields(bytes, what, field.valueStart, field.end)) {
    if (f.fieldNumber !== nameField) continue;
    expectLengthDelimited(f, `${what}.name`);
    try {
      name = utf8.decode(bytes.subarray(f.valueStart, f.end));
    } catch (err) {
      throw new OnnxGraphError(`${what}.name at byte ${f.start} is not valid UTF-8`, { cause: err });
    }
  }
  return name;
}

/** Offset just past the tag of a field (where its length prefix starts). */
function tagEnd(bytes: Uint8Array, field: WireField): number {
  let pos = field.start;
  while ((bytes[pos] ?? 0) & 0x80) pos++;
  return pos + 1;
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let pos = 0;
  for (const c of chunks) {
    out.set(c, pos);
    pos += c.length;
  }
  return out;
}
