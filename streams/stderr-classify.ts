/**
 * Reads what went wrong out of ffmpeg 5.1's stderr (`-loglevel level+info`: each line carries
 * `[error]`, `[warning]`, `[info]`...). Pure; the patterns come from real ffmpeg 5.1 runs
 * against a GStreamer RTSP server (see stderr-classify.test.ts for the lines).
 */

/** What ffmpeg's stderr says happened. `line` is the line that decided it (not masked). */
export type StderrVerdict =
  | { readonly kind: 'not-found'; readonly line: string }
  | { readonly kind: 'auth'; readonly status: 401 | 403; readonly line: string }
  | { readonly kind: 'refused'; readonly line: string }
  | { readonly kind: 'unreachable'; readonly line: string }
  | { readonly kind: 'timeout'; readonly line: string }
  | { readonly kind: 'ended'; readonly line: string }
  | { readonly kind: 'undecodable'; readonly line: string }
  | { readonly kind: 'rtsp-status'; readonly status: number; readonly line: string }
  | { readonly kind: 'unknown'; readonly line: string | undefined };

/** The `[level]` tag `-loglevel level+...` puts on each line. */
const LEVEL_TAG = /\[(panic|fatal|error|warning|info|verbose|debug|trace)\]/;
const ERROR_LEVELS = new Set(['panic', 'fatal', 'error']);

/**
 * Lines that report errors: those tagged `[error]`, `[fatal]` or `[panic]`; when no line carries
 * a level tag (ffmpeg run without `level+`), every non-empty line.
 */
export function errorLines(stderr: string): string[] {
  const lines = stderr.split(/\r?\n|\r/).filter((l) => l.trim().length > 0);
  const tagged = lines.map((l) => ({ l, level: LEVEL_TAG.exec(l)?.[1] }));
  if (!tagged.some((t) => t.level !== undefined)) return lines;
  return tagged.filter((t) => t.level !== undefined && ERROR_LEVELS.has(t.level)).map((t) => t.l);
}

interface Rule {
  readonly test: RegExp;
  readonly verdict: (line: string, m: RegExpExecArray) => StderrVerdict;
}

// Checked in this order over all error lines: a DNS failure prints "Name or service not known"
// on the tcp line and only "Input/output error" on the last one, so the most specific rule wins
// whichever line it is on.
const RULES: readonly Rule[] = [
  { test: /\b404 Not Found\b/i, verdict: (line) => ({ kind: 'not-found', line }) },
  { test: /\b401 Unauthorized\b/i, verdict: (line) => ({ kind: 'auth', status: 401, line }) },
  { test: /\b403 Forbidden\b/i, verdict: (line) => ({ kind: 'auth', status: 403, line }) },
  { test: /Connection refused/i, verdict: (line) => ({ kind: 'refused', line }) },
  {
    test: /No route to host|Network is unreachable|Host is unreachable|Name or service not known|Temporary failure in name resolution|Failed to resolve hostname|No address associated with hostname/i,
    verdict: (line) => ({ kind: 'unreachable', line }),
  },
  { test: /Connection timed out|Operation timed out/i, verdict: (line) => ({ kind: 'timeout', line }) },
  {
    // Any other RTSP answer ffmpeg gave up on: "method DESCRIBE failed: 503 Service Unavailable",
    // "Server returned 5XX Server Error reply".
    test: /(?:method \w+ failed|Server returned):? ([1-5]\d\d|[45]XX)\b/i,
    verdict: (line, m) => ({ kind: 'rtsp-status', status: Number.parseInt(m[1]!.replace(/X/gi, '0'), 10), line }),
  },
  { test: /Connection reset by peer|Broken pipe|End of file/i, verdict: (line) => ({ kind: 'ended', line }) },
  {
    test: /matches no streams|does not contain any stream|Could not find codec parameters|Decoder \(codec [^)]*\) not found|Error while decoding|Invalid data found when processing input|no frame!|Unsupported codec/i,
    verdict: (line) => ({ kind: 'undecodable', line }),
  },
];

/** The most specific verdict found in `stderr`; `unknown` with the last error line otherwise. */
export function classifyStderr(stderr: string): StderrVerdict {
  const lines = errorLines(stderr);
  for (const rule of RULES) {
    for (const line of lines) {
      const m = rule.test.exec(line);
      if (m) return rule.verdict(line, m);
    }
  }
  return { kind: 'unknown', line: lines.at(-1) };
}
