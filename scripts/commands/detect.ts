import type { Command } from 'commander';

/** `gridworker detect <image...>`: placeholder until the detector runtime lands. */
export function registerDetect(program: Command): void {
  program.command('detect').description('run a detector on images').argument('<image...>').action(() => {
    throw new Error('not implemented yet');
  });
}
