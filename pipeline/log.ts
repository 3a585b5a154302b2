import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

let root: Logger = pino({ level: process.env.LOG_LEVEL ?? 'info', base: { pid: process.pid } }, pino.destination(2));

/**
 * Points every component logger at a destination: a file path (`run` keeps the terminal for
 * human lines), stdout (`run --log-format json`, for log shippers) or stderr (default).
 */
export function configureLogging(options: { file?: string; fd?: 1 | 2; level?: string }): void {
  const dest = options.file ? pino.destination({ dest: options.file, mkdir: true, sync: false }) : pino.destination(options.fd ?? 2);
  root = pino({ level: options.level ?? process.env.LOG_LEVEL ?? 'info', base: { pid: process.pid } }, dest);
}

/** A logger for one component; its lines carry `component`. Never pass secrets to it unmasked. */
export function createLogger(component: string): Logger {
  return root.child({ component });
}
