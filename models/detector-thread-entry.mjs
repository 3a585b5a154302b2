// Entry of a detector worker thread. The sources are TypeScript run through tsx, and a worker
// thread starts without the parent's loader, so it registers tsx itself before loading the body.
import { register } from 'tsx/esm/api';

register();
await import('./detector-thread.ts');
