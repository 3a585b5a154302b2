// Entry of a detector process (see detector-pool.ts). The sources are TypeScript run through
// tsx, and a forked process starts without the parent's loader, so it registers tsx first.
import { register } from 'tsx/esm/api';

register();
await import('./detector-process.ts');
