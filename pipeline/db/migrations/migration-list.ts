import type { Migration } from 'kysely';
import * as m0001 from './0001-record.ts';
import * as m0002caseEvidence from './0002-case-evidence.ts';
import * as m0002identity from './0002-identity.ts';
import * as m0003caseClose from './0003-case-close.ts';
import * as m0003shadowCases from './0003-shadow-cases.ts';
import * as m0004caseApiJson from './0004-case-api-json.ts';
import * as m0005caseGroups from './0005-case-groups.ts';

/**
 * Every migration, by name, in the order they apply. A static list (no folder scan) so bundlers,
 * tsx and tests see the same set. Add new files at the end; never edit one that has shipped.
 * Names start with a number so they also sort in order.
 */
export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001-record': m0001,
  '0002-case-evidence': m0002caseEvidence,
  '0002-identity': m0002identity,
  '0003-case-close': m0003caseClose,
  '0003-shadow-cases': m0003shadowCases,
  '0004-case-api-json': m0004caseApiJson,
  '0005-case-groups': m0005caseGroups,
};
