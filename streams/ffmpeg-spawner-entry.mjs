// The ffmpeg spawner process (see ffmpeg-spawner.ts): starts ffmpeg for its parent so that the
// parent's event loop never waits for a fork(). Plain JavaScript with Node built-ins only, so it
// starts in a few tens of ms and stays small (a fork copies the page tables of the process that
// forks: the smaller this process, the cheaper every spawn).
//
// For each run it connects twice to the parent's unix socket, writes a header line naming the
// run, the stream and the parent's token ("<id> out <token>" / "<id> err <token>"), and hands
// the two connections to ffmpeg as its stdout and stderr; its own copies are closed right after the spawn, so the parent reads
// ffmpeg's bytes straight from the kernel and sees EOF when ffmpeg exits. The stdin script (it
// may hold camera credentials) comes over the IPC channel and goes to ffmpeg's stdin pipe.
import { spawn } from 'node:child_process';
import { getPriority, setPriority } from 'node:os';
import { connect } from 'node:net';

/** Runs started and not exited yet, by id. */
const children = new Map();

function send(message) {
  if (process.connected) process.send(message);
}

function connectStream(path, header) {
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.write(header, (err) => (err ? reject(err) : resolve(socket)));
    });
  });
}

async function start(request) {
  const { id, command, args, stdin, nice = 0, socketPath, token } = request;
  // Both connections at once: every step here is time before ffmpeg starts.
  const [o, e] = await Promise.allSettled([connectStream(socketPath, `${id} out ${token}\n`), connectStream(socketPath, `${id} err ${token}\n`)]);
  if (o.status === 'rejected' || e.status === 'rejected') {
    if (o.status === 'fulfilled') o.value.destroy();
    if (e.status === 'fulfilled') e.value.destroy();
    const why = o.status === 'rejected' ? o.reason : e.status === 'rejected' ? e.reason : undefined;
    send({ kind: 'spawn-error', id, message: `cannot reach the parent's socket: ${why?.message ?? why}` });
    return;
  }
  const out = o.value;
  const err = e.value;
  let child;
  try {
    child = spawn(command, args, { stdio: [stdin === null ? 'ignore' : 'pipe', out, err] });
  } catch (e) {
    send({ kind: 'spawn-error', id, message: e.message });
    return;
  } finally {
    // destroy, never end(): end() would shut the shared socket down for ffmpeg too.
    out.destroy();
    err.destroy();
  }
  child.once('error', (e) => {
    children.delete(id);
    if (child.pid === undefined) send({ kind: 'spawn-error', id, message: e.message });
  });
  if (child.pid === undefined) return;
  if (nice > 0) {
    // Below the parent's priority (and this spawner's, which is the parent's): see lower-priority.ts.
    try {
      setPriority(child.pid, Math.min(19, getPriority() + nice));
    } catch (e) {
      if (e.code !== 'ESRCH') {
        child.kill('SIGKILL');
        send({ kind: 'spawn-error', id, message: `cannot lower the priority of ffmpeg by ${nice}: ${e.message}` });
        return;
      }
    }
  }
  children.set(id, child);
  child.once('exit', (code, signal) => {
    children.delete(id);
    send({ kind: 'exit', id, code, signal });
  });
  if (child.stdin) {
    child.stdin.on('error', () => {}); // ffmpeg gone before reading its script: its exit says why
    child.stdin.end(stdin);
  }
  send({ kind: 'spawned', id, pid: child.pid });
}

process.on('message', (m) => {
  if (m.kind === 'spawn') void start(m);
  else if (m.kind === 'kill') children.get(m.id)?.kill(m.signal);
});

// The parent is gone (closed the channel, exited or was killed): stop every ffmpeg it started
// (SIGTERM so that each tears its RTSP session down, SIGKILL after a grace) and exit.
process.on('disconnect', () => {
  for (const child of children.values()) child.kill('SIGTERM');
  const deadline = setTimeout(() => {
    for (const child of children.values()) child.kill('SIGKILL');
    process.exit(0);
  }, 500);
  const check = setInterval(() => {
    if (children.size > 0) return;
    clearInterval(check);
    clearTimeout(deadline);
    process.exit(0);
  }, 20);
});

send({ kind: 'ready' });
