import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaseRecord } from '../../pipeline/cases/case-model.ts';
import { axeViolations, type ConsoleStack, serious, shot, startConsoleStack, waitFor, withContext } from './console-stack.ts';

interface CaseDetail {
  readonly case: CaseRecord;
  readonly audit: readonly { readonly action: string; readonly by: string }[];
}

/**
 * Shadow mode in chromium: a camera runs the fire / smoke model as a candidate beside the COCO
 * model. Its smoke hits open shadow cases, which the console marks (badge and note) on the case
 * page and in the grid worker's app, and which the operator's actions move without dispatching.
 */
describe('a shadow case in the console: marked on the case page and the worker app, never dispatched', () => {
  let stack: ConsoleStack;
  const api = async <T>(path: string): Promise<T> => (await (await fetch(`${stack.url}${path}`, { headers: { authorization: stack.adminToken } })).json()) as T;
  const cases = async (): Promise<CaseRecord[]> => (await api<{ cases: CaseRecord[] }>('/api/cases?limit=100')).cases;

  beforeAll(async () => {
    stack = await startConsoleStack(`gwsh${randomBytes(3).toString('hex')}`, { shadowCamera: true });
  }, 180_000);
  afterAll(async () => {
    await stack?.close();
  }, 60_000);

  it('operator: the case page shows the shadow badge and says nobody is sent out; reassigning it moves it without a dispatch', async () => {
    const shadow = await waitFor('a shadow case from the candidate', async () => (await cases()).find((c) => c.cameraId === 'yard-trial' && c.shadow === true), 150_000);
    expect(shadow).toMatchObject({ eventType: 'fire_smoke', status: 'opened', model: 'picodet-s-416-fire-smoke@1.0.0' });
    // An active case of the same stack for contrast: dispatched, no badge.
    const active = await waitFor('a dispatched active case', async () => (await cases()).find((c) => c.shadow !== true && c.status === 'dispatched'), 120_000);
    await withContext(stack, 'shadow-operator', { viewport: { width: 1440, height: 900 }, lang: 'zh' }, async (ctx) => {
      const page = await ctx.newPage();
      await page.goto(`/cases/${active.id}`);
      await stack.signIn(page, stack.users.operator);
      await page.locator('h1 .status').waitFor();
      expect(await page.locator('h1 .shadow-badge').count()).toBe(0);
      expect(await page.locator('.shadow-note').count()).toBe(0);

      await page.goto(`/cases/${shadow.id}`);
      const badge = page.locator('h1 .shadow-badge[data-shadow="true"]');
      await badge.waitFor();
      expect(await badge.textContent()).toBe('试运行');
      expect(await page.locator('.shadow-note').textContent()).toBe('试运行模型（影子模式）发现的案件：请核实，但不派单');
      await shot(page, 'shadow-case');
      expect(serious(await axeViolations(page))).toEqual([]);

      // The operator hands it to another unit: it moves, but stays opened and nobody is dispatched.
      await page.getByRole('button', { name: '改派' }).click();
      const unitPick = page.locator('#reassign-form select[name=unit] option:not([value=""])');
      await unitPick.first().waitFor({ state: 'attached' });
      const toUnit = (await unitPick.first().getAttribute('value'))!;
      await page.locator('#reassign-form select[name=unit]').selectOption(toUnit);
      await page.locator('#reassign-form button[type=submit]').click();
      await page.locator(`#case-unit[data-unit="${toUnit}"]`).waitFor();
      await page.locator('.audit li', { hasText: 'reassigned' }).waitFor();
      await shot(page, 'shadow-case-reassigned');
      const moved = await api<CaseDetail>(`/api/cases/${shadow.id}`);
      expect(moved.case).toMatchObject({ shadow: true, status: 'opened', responsibleUnit: toUnit });
      expect(moved.audit.map((a) => a.action)).not.toContain('dispatched');
      // Still waiting for its verdict on the page ("opened", never "dispatched").
      expect(await page.locator('h1 .status').textContent()).toBe('待核实');
      const outbox = await stack.running.database!.db.selectFrom('outbox').select('topic').where('case_id', '=', shadow.id).execute();
      expect(outbox).toEqual([]);
      // The active case went through the outbox: the check above can see a dispatch.
      expect(await stack.running.database!.db.selectFrom('outbox').select('topic').where('case_id', '=', active.id).execute()).toContainEqual({ topic: 'dispatch' });
    });
  }, 300_000);

  it('grid worker at 390x844: the shadow case carries the badge and the note in the app, and can be verified', async () => {
    const shadow = await waitFor('a shadow case awaiting a verdict', async () => (await cases()).find((c) => c.cameraId === 'yard-trial' && c.shadow === true && c.status === 'opened'), 150_000);
    await withContext(stack, 'shadow-worker', { viewport: { width: 390, height: 844 }, lang: 'en', mobile: true }, async (ctx) => {
      const page = await ctx.newPage();
      await page.goto('/m');
      await stack.signIn(page, stack.users.grid_worker);
      const card = page.locator(`article.wcase[data-case-id="${shadow.id}"]`);
      await card.waitFor();
      expect(await card.locator('.shadow-badge').textContent()).toBe('shadow');
      expect(await card.locator('.shadow-note').textContent()).toBe('Seen by a model on trial (shadow mode): verify it, but nobody is sent out');
      await card.scrollIntoViewIfNeeded();
      await shot(page, 'shadow-worker');
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
      await card.getByRole('button', { name: 'Claim' }).click();
      await card.getByRole('button', { name: 'Confirm' }).click();
      await card.getByRole('button', { name: 'Mark handled' }).waitFor();
      const done = await api<CaseDetail>(`/api/cases/${shadow.id}`);
      // Its verdict counts for the candidate's precision; it is still never dispatched.
      expect(done.case).toMatchObject({ shadow: true, status: 'accepted' });
      expect(done.audit.map((a) => a.action)).not.toContain('dispatched');
    });
  }, 240_000);
});
