import { Router } from 'express';
import type { CaseApiContext } from './api-context.ts';

/** GET /api/event-types: the event type catalogue (names in both languages, severity, deadline), for labels. */
export function catalogueRoutes(ctx: CaseApiContext): Router {
  const r = Router();
  r.get('/', (_req, res) => {
    const types = ctx.eventTypes().map((t) => ({
      id: t.id,
      nameZh: t.nameZh,
      nameEn: t.nameEn,
      category: t.category,
      severity: t.severity,
      deadlineMinutes: t.deadlineMinutes,
    }));
    res.json({ types });
  });
  return r;
}
