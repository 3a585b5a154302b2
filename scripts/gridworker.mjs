#!/usr/bin/env node
// Entry point of the `gridworker` command. The sources are TypeScript run through tsx's
// loader, so there is no build step to forget and no stale dist/ to debug.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./cli.ts');
process.exitCode = await main(process.argv);
