import type { Request, Response } from 'express';
import type { IdentityStore } from '../identity/identity-store.ts';
import { unavailable } from './api-errors.ts';
import { requestActor } from './request-identity.ts';

/**
 * Writes one system audit line for a command a request carried out: who (the authenticated
 * identity), when, from which address, what and on what. A failure to record is a 503: the caller
 * learns the command ran but its record did not.
 */
export async function auditRequest(store: IdentityStore, req: Request, res: Response, action: string, target?: string, detail?: Record<string, unknown>): Promise<void> {
  try {
    await store.appendAudit({ at: Date.now(), ...requestActor(req, res), action, ...(target ? { target } : {}), ...(detail ? { detail } : {}) });
  } catch (err) {
    throw unavailable(`${action} was applied but could not be written to the audit trail: ${(err as Error).message}`, err);
  }
}
