/**
 * Reads one build stage of a Dockerfile and replays it in a folder, without docker: the stage's
 * COPY lines copy from the build context (honouring .dockerignore), its RUN lines run with bash in
 * its WORKDIR with its ENV. For tests of what an image's build commands do where no docker daemon
 * runs. Only the instructions a build stage of ours uses are understood; anything else is an error
 * naming the line, so a new instruction cannot be skipped silently.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

/** One instruction of a stage. */
export interface StageStep {
  /** 1-based line of the Dockerfile where the instruction starts. */
  readonly line: number;
  readonly op: 'WORKDIR' | 'ENV' | 'COPY' | 'RUN';
  /** The arguments, continuation lines joined. */
  readonly args: string;
}

/** A build stage: its base image and its instructions. */
export interface DockerStage {
  readonly name: string;
  readonly from: string;
  readonly steps: readonly StageStep[];
}

/** Instructions joined across `\` continuations, comments and blank lines dropped. */
function instructions(text: string): { line: number; op: string; args: string }[] {
  const out: { line: number; op: string; args: string }[] = [];
  let current: { line: number; text: string } | undefined;
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trimEnd();
    if (!current && (line.trim() === '' || line.trimStart().startsWith('#'))) continue;
    if (current && line.trimStart().startsWith('#')) continue;
    const part = line.endsWith('\\') ? line.slice(0, -1) : line;
    current = current ? { line: current.line, text: `${current.text} ${part.trim()}` } : { line: i + 1, text: part.trim() };
    if (!line.endsWith('\\')) {
      const m = /^(\S+)\s*(.*)$/.exec(current.text);
      if (m) out.push({ line: current.line, op: (m[1] ?? '').toUpperCase(), args: m[2] ?? '' });
      current = undefined;
    }
  }
  return out;
}

/** The stage named `name` (`FROM image AS name`) of the Dockerfile text. */
export function readStage(dockerfile: string, name: string): DockerStage {
  const all = instructions(dockerfile);
  const start = all.findIndex((s) => s.op === 'FROM' && new RegExp(`\\sAS\\s+${name}$`, 'i').test(s.args));
  if (start < 0) throw new Error(`Dockerfile: no stage "${name}" (FROM <image> AS ${name})`);
  const end = all.findIndex((s, i) => i > start && s.op === 'FROM');
  const steps = all.slice(start + 1, end < 0 ? undefined : end).map((s): StageStep => {
    if (s.op !== 'WORKDIR' && s.op !== 'ENV' && s.op !== 'COPY' && s.op !== 'RUN') throw new Error(`Dockerfile line ${s.line}: ${s.op} is not replayed (only WORKDIR, ENV, COPY, RUN)`);
    if (s.op === 'COPY' && s.args.startsWith('--')) throw new Error(`Dockerfile line ${s.line}: COPY options (${s.args.split(' ')[0]}) are not replayed`);
    if (s.op === 'RUN' && s.args.startsWith('[')) throw new Error(`Dockerfile line ${s.line}: exec-form RUN is not replayed`);
    return { line: s.line, op: s.op, args: s.args };
  });
  return { name, from: (all[start]?.args ?? '').split(/\s+/)[0] ?? '', steps };
}

/** A .dockerignore pattern as a test of a context-relative path (the path or a folder above it). */
function ignoreTest(pattern: string): (path: string) => boolean {
  const body = pattern
    .replace(/^\/+|\/+$/g, '')
    .replace(/[.+^${}()|[\]]/g, '\\$&')
    .replace(/\*\*/g, '\u0000')
    .replace(/\*/g, '[^/]*')
    .replace(/\?/g, '[^/]')
    .replace(/\u0000/g, '.*');
  const re = new RegExp(`^${body}(/.*)?$`);
  return (path) => re.test(path);
}

/** Options of {@link replayStage}. */
export interface ReplayOptions {
  /** The build context (the folder `docker build` is given). */
  readonly context: string;
  /** Stands for the stage's root: WORKDIR paths are made relative to it. */
  readonly root: string;
  /**
   * RUN lines this returns true for are not run but handed to `instead` (e.g. `npm ci`, which needs
   * the registry: the test links the installed node_modules from the same lock file instead).
   */
  readonly replace?: (run: string) => boolean;
  readonly instead?: (run: string, workdir: string) => void;
  /** Extra environment for RUN lines (e.g. PATH). */
  readonly env?: Readonly<Record<string, string>>;
}

/** Replays the stage's steps in `root`; returns the final WORKDIR (inside root). */
export function replayStage(stage: DockerStage, options: ReplayOptions): string {
  const ignorePath = join(options.context, '.dockerignore');
  const ignored = existsSync(ignorePath)
    ? readFileSync(ignorePath, 'utf8')
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l && !l.startsWith('#'))
        .map(ignoreTest)
    : [];
  const isIgnored = (rel: string): boolean => ignored.some((t) => t(rel));
  const env: Record<string, string> = {};
  let workdir = options.root;
  mkdirSync(workdir, { recursive: true });
  for (const step of stage.steps) {
    if (step.op === 'WORKDIR') {
      workdir = join(options.root, resolve('/', relative(options.root, workdir), step.args));
      mkdirSync(workdir, { recursive: true });
    } else if (step.op === 'ENV') {
      for (const m of step.args.matchAll(/(\w+)=("[^"]*"|\S+)/g)) env[m[1] ?? ''] = (m[2] ?? '').replace(/^"|"$/g, '');
    } else if (step.op === 'COPY') {
      const parts = step.args.split(/\s+/);
      const dest = parts.pop() ?? '';
      for (const src of parts) {
        const from = join(options.context, src);
        if (!existsSync(from)) throw new Error(`Dockerfile line ${step.line}: COPY ${src}: not in the build context`);
        if (isIgnored(relative(options.context, from))) throw new Error(`Dockerfile line ${step.line}: COPY ${src}: excluded by .dockerignore`);
        const target = dest.endsWith('/') || parts.length > 1 ? join(workdir, dest, statSync(from).isDirectory() ? '' : src.split('/').pop() ?? '') : join(workdir, dest);
        cpSync(from, target, { recursive: true, filter: (p) => !isIgnored(relative(options.context, p)) });
      }
    } else if (options.replace?.(step.args)) {
      options.instead?.(step.args, workdir);
    } else {
      try {
        execFileSync('bash', ['-euo', 'pipefail', '-c', step.args], { cwd: workdir, env: { ...process.env, ...env, ...options.env }, stdio: 'pipe' });
      } catch (err) {
        const e = err as { stderr?: Buffer; stdout?: Buffer };
        throw new Error(`Dockerfile line ${step.line}: RUN ${step.args} failed:\n${e.stderr?.toString() ?? ''}${e.stdout?.toString() ?? ''}`, { cause: err });
      }
    }
  }
  return workdir;
}
