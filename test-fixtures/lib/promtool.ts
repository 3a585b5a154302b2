/**
 * promtool (Debian's `prometheus` package, installed by `scripts/setup.sh --test`) for the tests
 * that hold the metrics exposition and the alert rules to Prometheus's own checks.
 */
import { spawnSync } from 'node:child_process';

/** promtool's verdict: exit code and everything it printed. */
export function promtool(args: readonly string[], input?: string, cwd?: string): { code: number; out: string } {
  const r = spawnSync('promtool', args, { input, encoding: 'utf8', ...(cwd ? { cwd } : {}) });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

/** The value of one sample line `name{labels} value` of an exposition, or undefined. */
export function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}
