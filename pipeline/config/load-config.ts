import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { type GridworkerConfig, createConfigSchema } from './config-schema.ts';
import { substituteEnv } from './env-substitution.ts';
import { ConfigError, ConfigReadError, ConfigSyntaxError } from './errors.ts';
import { dottedPath, fromZodIssues, toConfigIssue } from './issues.ts';
import { protectSecrets } from './redact-config.ts';
import type { Env } from './services-schema.ts';
import { positionOf } from './source-positions.ts';

/** How a config is read. */
export interface LoadConfigOptions {
  /** Variables for `${NAME}` substitution, the Redis URL default and passwordEnv checks. Default process.env. */
  readonly env?: Env;
}

/** Model specs that are files are relative to the config file's folder; ids are left as they are. */
function resolveModelSpec(spec: string, dir: string): string {
  return /\.(json|onnx)$/i.test(spec) && !isAbsolute(spec) ? resolve(dir, spec) : spec;
}

function resolvePaths(config: GridworkerConfig, dir: string): GridworkerConfig {
  return {
    ...config,
    cameras: config.cameras.map((c) => ({ ...c, detectors: c.detectors.map((d) => resolveModelSpec(d, dir)) })),
    models: {
      ...config.models,
      default: resolveModelSpec(config.models.default, dir),
      shadow: config.models.shadow.map((s) => ({ ...s, model: resolveModelSpec(s.model, dir), ...(s.replaces ? { replaces: resolveModelSpec(s.replaces, dir) } : {}) })),
    },
    storage: { ...config.storage, dir: resolve(dir, config.storage.dir) },
  };
}

/**
 * Parses and validates config text (YAML, or JSON which is YAML too). `file` names it in errors
 * and anchors relative paths. Every problem is reported together, each with its key path, bad
 * value (secrets masked), reason and line:column.
 * @throws ConfigSyntaxError when the text is not YAML/JSON; ConfigError when it does not validate.
 */
export function parseConfig(text: string, file: string, options: LoadConfigOptions = {}): GridworkerConfig {
  const env = options.env ?? process.env;
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, merge: true });
  if (doc.errors.length) {
    const issues = doc.errors.map((e) => {
      const { line, col } = lines.linePos(e.pos[0]);
      return { path: '(syntax)', message: e.message, line, column: col };
    });
    throw new ConfigSyntaxError(file, issues, { headline: `config ${file} is not valid YAML/JSON` });
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 1000 });
  } catch (err) {
    throw new ConfigSyntaxError(file, [{ path: '(syntax)', message: (err as Error).message }], { cause: err });
  }
  if (raw === null || raw === undefined) throw new ConfigError(file, [{ path: '(root)', message: 'the file is empty' }]);
  const substituted = substituteEnv(raw, env);
  const parsed = createConfigSchema(env).safeParse(substituted.value, { reportInput: true });
  const substitutedPaths = new Set(substituted.issues.map((i) => dottedPath(i.path)));
  const zodIssues = parsed.success ? [] : fromZodIssues(parsed.error.issues).filter((i) => !substitutedPaths.has(dottedPath(i.path)));
  const issues = [...substituted.issues, ...zodIssues];
  if (issues.length || !parsed.success) {
    const located = issues.map((i) => toConfigIssue(i, positionOf(doc, lines, i.path)));
    throw new ConfigError(file, located.sort((a, b) => (a.line ?? Number.POSITIVE_INFINITY) - (b.line ?? Number.POSITIVE_INFINITY)));
  }
  return protectSecrets(resolvePaths(parsed.data, dirname(resolve(file))));
}

/**
 * Reads and validates a config file.
 * @throws ConfigReadError when the file cannot be read; ConfigSyntaxError / ConfigError as parseConfig.
 */
export async function loadConfig(path: string, options: LoadConfigOptions = {}): Promise<GridworkerConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `cannot read: ${(err as Error).message}`;
    throw new ConfigReadError(path, [{ path: '(file)', message: reason }], { cause: err, headline: `config ${path} cannot be read` });
  }
  return parseConfig(text, path, options);
}
