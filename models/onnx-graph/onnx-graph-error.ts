import { ModelError } from '../errors.ts';

/** The ONNX file's protobuf bytes cannot be walked: truncated, bad varint, unknown wire type. */
export class OnnxGraphError extends ModelError {
  override readonly code = 'ONNX_GRAPH_MALFORMED';
}
