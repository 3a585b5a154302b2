/**
 * Runs the RTSP test server by hand (for ffplay/VLC, or a demo patrol) until Ctrl-C, and takes
 * the same commands as the tests on stdin: `stop|start|stall|resume <path>`.
 *
 *   npx tsx test-fixtures/rtsp-server/serve.ts [--port 8554]
 */
import { createInterface } from 'node:readline';
import { Command } from 'commander';
import { numberIn } from '../../scripts/commands/model-options.ts';
import { startRtspServer } from '../lib/rtsp-server.ts';

const opts = new Command()
  .option('--port <n>', 'TCP port on 127.0.0.1 (0: a free one)', numberIn(0, 65535, '--port'), 0)
  .parse()
  .opts<{ port: number }>();
const server = await startRtspServer({ port: opts.port });
const print = (text: string): boolean => process.stdout.write(`${text}\n`);
for (const s of server.streams) {
  const creds = server.auth && server.auth.path === s.path ? server.auth : undefined;
  print(`${server.url(s.path, creds)}  ${s.width}x${s.height} ${s.fps} fps, GOP ${s.gopSeconds} s`);
}
print('commands: stop|start|stall|resume <path>; Ctrl-C quits');
const actions = { stop: server.stopStream, start: server.restartStream, stall: server.stallStream, resume: server.resumeStream };
createInterface({ input: process.stdin }).on('line', (line) => {
  const [verb, path = ''] = line.trim().split(/\s+/);
  const action = actions[verb as keyof typeof actions];
  if (!action) return void print(`unknown command: ${line}`);
  action(path).then(() => print(`ok: ${line}`), (err: Error) => print(err.message));
});
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void server.close().then(() => process.exit(0)));
