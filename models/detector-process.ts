/**
 * Body of one detector process (see detector-pool.ts): loads a Detector from the card of its
 * first message, then answers detect requests one at a time. Errors travel as
 * { name, code, message } and are rebuilt as typed errors by the pool. Exits when its parent
 * goes (the IPC channel closes).
 */
import { Detector } from './detector.ts';
import type { DetectorInit, DetectorReply, DetectRequest, WireError } from './detector-process-protocol.ts';

const send = (reply: DetectorReply): void => {
  process.send?.(reply);
};

const wireError = (err: unknown): WireError => {
  const e = err as { name?: unknown; code?: unknown; message?: unknown };
  return { name: String(e.name ?? 'Error'), code: String(e.code ?? 'MODEL_ERROR'), message: String(e.message ?? err) };
};

let detector: Detector | undefined;
// Requests are answered in order: onnxruntime runs one at a time here anyway.
let chain: Promise<void> = Promise.resolve();

async function init(msg: DetectorInit): Promise<void> {
  try {
    detector = await Detector.load(msg.card, { threads: msg.sessionThreads, skipIntegrityCheck: msg.skipIntegrityCheck });
    send({ kind: 'ready' });
  } catch (err) {
    send({ kind: 'load-error', error: wireError(err) });
  }
}

async function detect(d: Detector, msg: DetectRequest): Promise<void> {
  try {
    const r = await d.detect({ width: msg.width, height: msg.height, data: msg.data }, msg.options);
    send({ kind: 'result', id: msg.id, detections: r.detections, timingsMs: r.timingsMs });
  } catch (err) {
    send({ kind: 'error', id: msg.id, error: wireError(err) });
  }
}

process.on('message', (msg: DetectorInit | DetectRequest) => {
  if (msg.kind === 'init') {
    chain = chain.then(() => init(msg));
  } else if (detector) {
    const d = detector;
    chain = chain.then(() => detect(d, msg));
  }
});
process.on('disconnect', () => {
  void (detector?.close() ?? Promise.resolve()).finally(() => process.exit(0));
});
