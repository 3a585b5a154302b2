import type { Migration } from 'kysely';
import * as m0001 from './0001-record.ts';
import * as m0002 from './0002-identity.ts';

/**
 * Every migration, by name, in the order they apply. A static list (no folder scan) so bundlers,
 * tsx and tests see the same set. Add new files at the end; never edit one that has shipped.
 * Names start with a number so they also sort in order.
 */
export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001-record': m0001,
  '0002-identity': m0002,
};
