import { join } from 'node:path';
import { freePort, startRtspServer } from '../../test-fixtures/lib/rtsp-server.ts';

/** The bundled demo: the fixture RTSP server and the variables the demo config reads. */
export interface DemoEnvironment {
  readonly configPath: string;
  /** RTSP_PORT, CLOSED_PORT, RTSP_USER, RTSP_PASSWORD for the demo config's ${...} values. */
  readonly env: Readonly<Record<string, string>>;
  close(): Promise<void>;
}

const root = join(import.meta.dirname, '..', '..');

/**
 * Starts the fixture RTSP server (GStreamer, from Debian packages) on a free port, serving the
 * committed street photos and clips as H.264 cameras, and returns what the demo config needs.
 */
export async function startDemoEnvironment(say: (line: string) => void): Promise<DemoEnvironment> {
  say('starting the fixture RTSP server (the first run encodes the demo clips, ~10 s)...');
  const server = await startRtspServer();
  const closed = await freePort();
  say(`fixture RTSP server on rtsp://127.0.0.1:${server.port}/ serving ${server.paths.join(', ')}`);
  return {
    configPath: join(root, 'test-fixtures', 'configs', 'demo.yaml'),
    env: {
      RTSP_PORT: String(server.port),
      CLOSED_PORT: String(closed),
      ...(server.auth ? { RTSP_USER: server.auth.user, RTSP_PASSWORD: server.auth.password } : {}),
    },
    close: () => server.close(),
  };
}
