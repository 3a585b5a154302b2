/** One problem in a config file. */
export interface ConfigIssue {
  /** Dotted key path, e.g. "cameras.3.id" ("(root)" for the document itself). */
  readonly path: string;
  /** Why the value is wrong. */
  readonly message: string;
  /** The offending value, secrets masked; absent when the key is missing. */
  readonly value?: unknown;
  /** 1-based position in the file, when known. */
  readonly line?: number;
  readonly column?: number;
}

function formatValue(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) return String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** "file:line:col: path: reason (got value)" — one line per issue. */
export function formatConfigIssue(file: string, issue: ConfigIssue): string {
  const where = issue.line === undefined ? file : `${file}:${issue.line}:${issue.column ?? 1}`;
  const got = 'value' in issue ? ` (got ${formatValue(issue.value)})` : '';
  return `${where}: ${issue.path}: ${issue.message}${got}`;
}

/**
 * A config file is invalid. `issues` lists every problem found (not just the first); the
 * message has a headline and then one line per issue.
 */
export class ConfigError extends Error {
  readonly code: string = 'CONFIG_INVALID';
  readonly statusCode = 400;

  constructor(
    /** The file as the user named it. */
    readonly file: string,
    readonly issues: readonly ConfigIssue[],
    options?: { cause?: unknown; headline?: string },
  ) {
    const headline = options?.headline ?? `config ${file} is invalid (${issues.length} problem${issues.length === 1 ? '' : 's'})`;
    super([`${headline}:`, ...issues.map((i) => `  ${formatConfigIssue(file, i)}`)].join('\n'), options);
    this.name = new.target.name;
  }
}

/** The config file cannot be read (missing, unreadable). */
export class ConfigReadError extends ConfigError {
  override readonly code = 'CONFIG_UNREADABLE';
}

/** The file is not valid YAML/JSON; issues carry line and column. */
export class ConfigSyntaxError extends ConfigError {
  override readonly code = 'CONFIG_SYNTAX';
}
