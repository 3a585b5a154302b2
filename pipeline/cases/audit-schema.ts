import { z } from 'zod';
import type { AuditEntry } from './case-model.ts';

/** An audit row read back from the record, checked before it leaves the store. */
export const auditSchema: z.ZodType<AuditEntry> = z.object({
  at: z.number(),
  by: z.string(),
  action: z.string(),
  detail: z.record(z.string(), z.unknown()).optional(),
});
