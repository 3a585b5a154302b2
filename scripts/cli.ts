import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { registerAccuracy } from './commands/accuracy.ts';
import { registerBench } from './commands/bench.ts';
import { registerDb } from './commands/db.ts';
import { registerReport } from './commands/report.ts';
import { registerCleanModel } from './commands/clean-model.ts';
import { registerDetect } from './commands/detect.ts';
import { registerEval } from './commands/eval.ts';
import { registerExportVerified } from './commands/export-verified.ts';
import { registerRun } from './commands/run.ts';
import { registerSimulate } from './commands/simulate.ts';
import { registerTokens } from './commands/tokens.ts';
import { registerUsers } from './commands/users.ts';
import { registerTrain } from './commands/train.ts';
import { registerValidate } from './commands/validate.ts';

/** The version in package.json. */
export function gridworkerVersion(): string {
  const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8')) as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : 'unknown';
}

/** Builds the `gridworker` command tree. Each subcommand lives in scripts/commands/. */
export function buildProgram(): Command {
  const program = new Command('gridworker')
    .description('AI grid worker for city camera networks')
    .version(gridworkerVersion(), '-V, --version', 'print the version and exit')
    .showHelpAfterError()
    .exitOverride();
  registerRun(program);
  registerDetect(program);
  registerEval(program);
  registerBench(program);
  registerCleanModel(program);
  registerValidate(program);
  registerDb(program);
  registerReport(program);
  registerUsers(program);
  registerTokens(program);
  registerSimulate(program);
  registerAccuracy(program);
  registerExportVerified(program);
  registerTrain(program);
  return program;
}

/** Runs the CLI; resolves to the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv]);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    process.stderr.write(`gridworker: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}
