import { type Command, InvalidArgumentError } from 'commander';

/** Parses a number in [min, max] for a CLI option, with a clear error naming the option. */
export function numberIn(min: number, max: number, what: string): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < min || n > max) throw new InvalidArgumentError(`${what} must be a number from ${min} to ${max}, got "${value}"`);
    return n;
  };
}

/** Collects a repeatable option into an array. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Adds the options every model-running command shares; `threadsHelp` says what --threads means there. */
export function addModelOptions(cmd: Command, threadsHelp = 'onnxruntime intra-op threads'): Command {
  return cmd
    .option('--model-dir <dir>', 'folder to look in for model files a card names (repeatable)', collect, [])
    .option('--threads <n>', threadsHelp, numberIn(1, 64, '--threads'), 1);
}
