/**
 * Body of one detector worker thread (see detector-pool.ts): loads its own Detector from the card
 * it is sent, then answers one detect request at a time. Messages are plain data; errors travel
 * as { name, code, message } and are rebuilt as typed errors by the pool.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Detector } from './detector.ts';
import type { DetectRequest, DetectorThreadData, ThreadReply } from './detector-thread-protocol.ts';

const port = parentPort;
if (!port) throw new Error('detector-thread.ts must run in a worker thread');
const data = workerData as DetectorThreadData;

const errorOf = (err: unknown): { name: string; code: string; message: string } => {
  const e = err as { name?: unknown; code?: unknown; message?: unknown };
  return { name: String(e.name ?? 'Error'), code: String(e.code ?? 'MODEL_ERROR'), message: String(e.message ?? err) };
};

const post = (reply: ThreadReply): void => port.postMessage(reply);

try {
  const detector = await Detector.load(data.card, { threads: data.sessionThreads, skipIntegrityCheck: data.skipIntegrityCheck });
  port.on('message', (msg: DetectRequest | 'close') => {
    if (msg === 'close') {
      void detector.close().finally(() => port.close());
      return;
    }
    const frame = { width: msg.width, height: msg.height, data: new Uint8Array(msg.data) };
    detector.detect(frame, msg.options).then(
      (r) => post({ kind: 'result', id: msg.id, detections: r.detections, timingsMs: r.timingsMs }),
      (err: unknown) => post({ kind: 'error', id: msg.id, error: errorOf(err) }),
    );
  });
  post({ kind: 'ready' });
} catch (err) {
  post({ kind: 'load-error', error: errorOf(err) });
}
