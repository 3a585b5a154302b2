/**
 * Body of one detector process (see detector-pool.ts): loads a Detector for each card of its
 * first message (each model once), then answers detect requests one at a time, each naming its model. Errors travel as
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

let detectors: Map<string, Detector> | undefined;
// Requests are answered in order: onnxruntime runs one at a time here anyway.
let chain: Promise<void> = Promise.resolve();

async function init(msg: DetectorInit): Promise<void> {
  try {
    const loaded = new Map<string, Detector>();
    try {
      for (const card of msg.cards) loaded.set(card.id, await Detector.load(card, { threads: msg.sessionThreads, skipIntegrityCheck: msg.skipIntegrityCheck }));
    } catch (err) {
      await Promise.allSettled([...loaded.values()].map((d) => d.close()));
      throw err;
    }
    detectors = loaded;
    send({ kind: 'ready' });
  } catch (err) {
    send({ kind: 'load-error', error: wireError(err) });
  }
}

async function detect(all: Map<string, Detector>, msg: DetectRequest): Promise<void> {
  try {
    const d = all.get(msg.model);
    if (!d) throw Object.assign(new Error(`model ${msg.model} is not loaded in this detector process (loaded: ${[...all.keys()].join(', ')})`), { code: 'MODEL_LOAD_FAILED' });
    const r = await d.detect({ width: msg.width, height: msg.height, data: msg.data }, msg.options);
    send({ kind: 'result', id: msg.id, detections: r.detections, timingsMs: r.timingsMs });
  } catch (err) {
    send({ kind: 'error', id: msg.id, error: wireError(err) });
  }
}

process.on('message', (msg: DetectorInit | DetectRequest) => {
  if (msg.kind === 'init') {
    chain = chain.then(() => init(msg));
  } else if (detectors) {
    const all = detectors;
    chain = chain.then(() => detect(all, msg));
  }
});
process.on('disconnect', () => {
  void Promise.allSettled([...(detectors?.values() ?? [])].map((d) => d.close())).finally(() => process.exit(0));
});
