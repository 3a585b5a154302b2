import { type Command, InvalidArgumentError } from 'commander';
import type { GridworkerConfig } from '../../pipeline/config/config-schema.ts';
import { ConfigError, type ConfigIssue } from '../../pipeline/config/errors.ts';
import { loadConfig } from '../../pipeline/config/load-config.ts';
import { redactConfig } from '../../pipeline/config/redact-config.ts';

interface ValidateFlags {
  env: Record<string, string>;
  json?: boolean;
  print?: boolean;
}

/** What `validate` found in a good file. */
export interface ConfigSummary {
  readonly cameras: number;
  readonly enabled: number;
  readonly key: number;
  readonly normal: number;
  readonly low: number;
  readonly grids: number;
  readonly zones: number;
  readonly timeWindows: number;
  readonly detectors: readonly string[];
  readonly timezone: string;
}

/** `validate --json` output. */
export type ValidateJson =
  | { readonly ok: true; readonly file: string; readonly summary: ConfigSummary }
  | { readonly ok: false; readonly file: string; readonly code: string; readonly issues: readonly ConfigIssue[] };

/** Counts of a validated config. */
export function summarizeConfig(config: GridworkerConfig): ConfigSummary {
  const cams = config.cameras;
  const count = (p: string): number => cams.filter((c) => c.priority === p).length;
  return {
    cameras: cams.length,
    enabled: cams.filter((c) => c.enabled).length,
    key: count('key'),
    normal: count('normal'),
    low: count('low'),
    grids: new Set(cams.map((c) => c.grid)).size,
    zones: cams.reduce((n, c) => n + c.zones.length, 0),
    timeWindows: config.patrol.timeWindows.length,
    detectors: [...new Set(cams.flatMap((c) => c.detectors))],
    timezone: config.patrol.timezone,
  };
}

/** The one-line verdict for a good file. */
export function formatSummary(s: ConfigSummary): string {
  return (
    `ok: ${s.cameras} cameras (${s.key} key, ${s.normal} normal, ${s.low} low; ${s.enabled} enabled) in ${s.grids} grids, ` +
    `${s.zones} zones, ${s.timeWindows} time windows (${s.timezone}), detectors: ${s.detectors.join(', ')}`
  );
}

/** Parses a repeatable `--env NAME=VALUE` into a map. */
function envPair(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(value);
  if (!m) throw new InvalidArgumentError(`--env must be NAME=VALUE, got "${value}"`);
  return { ...previous, [m[1]!]: m[2]! };
}

/** Runs `validate`; resolves to the exit code (0 valid, 1 not). */
export async function runValidate(file: string, flags: ValidateFlags): Promise<number> {
  const write = (text: string): boolean => process.stdout.write(`${text}\n`);
  try {
    const config = await loadConfig(file, { env: { ...process.env, ...flags.env } });
    const summary = summarizeConfig(config);
    if (flags.json) write(JSON.stringify({ ok: true, file, summary } satisfies ValidateJson, null, 2));
    else write(formatSummary(summary));
    if (flags.print && !flags.json) write(JSON.stringify(redactConfig(config), null, 2));
    return 0;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    if (flags.json) write(JSON.stringify({ ok: false, file, code: err.code, issues: err.issues } satisfies ValidateJson, null, 2));
    else process.stderr.write(`${err.message}\n`);
    return 1;
  }
}

/** `gridworker validate <file>`. */
export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('check a config file (YAML or JSON) and print a summary, or every problem with its key path')
    .argument('<file>', 'config file')
    .option('--env <NAME=VALUE>', 'set a variable for ${NAME} substitution (repeatable; overrides the environment)', envPair, {})
    .option('--print', 'also print the resolved config with defaults applied (secrets masked)')
    .option('--json', 'print one JSON document instead of text')
    .action(async (file: string, flags: ValidateFlags) => {
      process.exitCode = await runValidate(file, flags);
    });
}
