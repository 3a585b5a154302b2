import { ApiRoutes } from './api-routes.ts';
import type { CaseApiContext } from './api-context.ts';

/** GET /api/event-types: the event type catalogue (names in both languages, severity, deadline), for labels. */
export function catalogueRoutes(ctx: CaseApiContext): ApiRoutes {
  const r = new ApiRoutes('/api/event-types', 'cases');
  r.get('/', { summary: 'the event type catalogue: names in Chinese and English, category, severity, deadline', responses: { 200: '`{ types }`' } }, async (_input, _req, res) => {
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
