import type { EventTypeDef } from '../events/event-model.ts';
import type { CaseRecord } from '../cases/case-model.ts';
import type { CaseApiContext } from './api-context.ts';
import { badRequest } from './api-errors.ts';
import { ApiRoutes } from './api-routes.ts';
import { caseCall } from './case-route-errors.ts';
import { CaseListQuerySchema } from './case-routes.ts';
import { parseListQuery, REJECT_REASONS } from './case-requests.ts';
import { listVisibleCases } from './case-visibility.ts';
import { principalOf } from './request-identity.ts';

const esc = (s: string): string => s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

const REASON_TEXT: Readonly<Record<string, string>> = {
  false_detection: '误报 False detection',
  wrong_event_type: '类型错误 Wrong event type',
  duplicate: '重复 Duplicate',
  not_a_violation: '不违规 Not a violation',
};

const STYLE = `
*{box-sizing:border-box}[hidden]{display:none!important}body{margin:0;font:16px/1.4 system-ui,sans-serif;background:#f2f2f2;color:#111}
header{position:sticky;top:0;background:#143;color:#fff;padding:.6rem .8rem;z-index:1}
h1{font-size:1.1rem;margin:0 0 .4rem}.who{margin:0;font-size:.85rem;opacity:.85}
main{padding:.5rem;max-width:40rem;margin:auto}.case{background:#fff;border-radius:.5rem;margin:0 0 .8rem;overflow:hidden;box-shadow:0 1px 3px #0003}
.case img{display:block;width:100%;height:auto;background:#ccc}.body{padding:.6rem .8rem}h2{font-size:1.05rem;margin:0 0 .2rem}
.meta{color:#555;font-size:.85rem;margin:0 0 .5rem}.row{display:flex;gap:.5rem;margin:.4rem 0}
button,select{font-size:1rem;min-height:2.8rem;border-radius:.4rem;border:1px solid #999;background:#fff;flex:1}
button.ok{background:#1a7f37;color:#fff;border:0}button.no{background:#b42318;color:#fff;border:0}
.shadow{display:inline-block;background:#5b4a8a;color:#fff;border-radius:.3rem;padding:0 .35rem;font-size:.8rem;vertical-align:middle}
.msg{min-height:1.2em;font-size:.9rem;margin:.3rem 0 0}.done{opacity:.45}.err{color:#b42318}.empty{text-align:center;color:#555;padding:2rem}
`;

// Plain browser JS served as /verify/verify.js (the CSP allows scripts from 'self' only, none
// inline). Verdicts go to the JSON API with the session cookie; the server signs them.
const SCRIPT = `
for (const t of document.querySelectorAll('time')) t.textContent = new Date(t.dateTime).toLocaleString();
for (const sel of document.querySelectorAll('select[name=reason]')) sel.addEventListener('change', () => {
  sel.closest('.case').querySelector('.ct').hidden = sel.value !== 'wrong_event_type';
});
document.addEventListener('click', async (e) => {
  const btn = e.target.closest('button[data-verdict]');
  if (!btn) return;
  const card = btn.closest('.case');
  const msg = card.querySelector('.msg');
  msg.className = 'msg';
  const body = { verdict: btn.dataset.verdict };
  if (body.verdict === 'rejected') {
    body.reason = card.querySelector('select[name=reason]').value;
    if (!body.reason) { msg.textContent = '请选择原因 Choose a reason'; msg.classList.add('err'); return; }
    const ct = card.querySelector('select[name=correctType]');
    if (body.reason === 'wrong_event_type' && ct.value) body.correctType = ct.value;
  }
  for (const b of card.querySelectorAll('button')) b.disabled = true;
  try {
    const res = await fetch('/api/cases/' + encodeURIComponent(card.dataset.id) + '/verdict', {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (res.status === 401) { location.href = '/login?next=' + encodeURIComponent(location.pathname + location.search); return; }
    const data = await res.json();
    if (!res.ok) throw new Error(data.error ? data.error.message : res.statusText);
    msg.textContent = data.case.status === 'accepted' ? '已确认 Confirmed' : '已驳回 Rejected';
    card.classList.add('done');
  } catch (err) {
    msg.textContent = String(err.message || err); msg.classList.add('err');
    for (const b of card.querySelectorAll('button')) b.disabled = false;
  }
});
`;

function typeName(types: ReadonlyMap<string, EventTypeDef>, id: string): string {
  const t = types.get(id);
  return t ? `${t.nameZh} ${t.nameEn}` : id;
}

/** Marks a shadow candidate's case: its verdict measures a model on trial, and nobody is sent out. */
const SHADOW_BADGE = ' <span class="shadow" title="试运行模型的案件，不派单 A model on trial: never dispatched">试运行 shadow</span>';

function card(c: CaseRecord, types: ReadonlyMap<string, EventTypeDef>): string {
  const reasons = REJECT_REASONS.map((r) => `<option value="${r}">${esc(REASON_TEXT[r] ?? r)}</option>`).join('');
  const others = [...types.values()].filter((t) => t.id !== c.eventType).map((t) => `<option value="${esc(t.id)}">${esc(`${t.nameZh} ${t.nameEn}`)}</option>`).join('');
  const img = `/evidence/${esc(c.evidence.latest)}?case=${encodeURIComponent(c.id)}`;
  const where = [c.cameraId, c.zone, c.grid].filter((x): x is string => !!x).map(esc).join(' · ');
  return `<article class="case" data-id="${esc(c.id)}">
<a href="${img}"><img src="${img}" alt="${esc(typeName(types, c.eventType))}" loading="lazy"></a>
<div class="body"><h2>${esc(typeName(types, c.eventType))}${c.shadow ? SHADOW_BADGE : ''}</h2>
<p class="meta">${where}<br><time datetime="${new Date(c.lastSeenAt).toISOString()}">${new Date(c.lastSeenAt).toISOString()}</time> · ${Math.round(c.confidence * 100)}% · ×${c.count}${c.claimedBy ? ` · ${esc(c.claimedBy)}` : ''}</p>
<div class="row"><button class="ok" data-verdict="confirmed">确认 Confirm</button></div>
<div class="row"><select name="reason" aria-label="reason"><option value="">驳回原因 Reason…</option>${reasons}</select><button class="no" data-verdict="rejected">驳回 Reject</button></div>
<div class="row ct" hidden><select name="correctType" aria-label="correct type"><option value="">正确类型 Correct type…</option>${others}</select></div>
<p class="msg" role="status"></p></div></article>`;
}

/** The whole page for a list of pending cases, for the user `who`. */
export function renderVerifyPage(cases: readonly CaseRecord[], eventTypes: readonly EventTypeDef[], who: string): string {
  const types = new Map(eventTypes.map((t) => [t.id, t]));
  const list = cases.length ? cases.map((c) => card(c, types)).join('\n') : '<p class="empty">没有待核实的案件 No pending cases</p>';
  return `<!doctype html>
<html lang="zh"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>待核实 Pending cases (${cases.length})</title><style>${STYLE}</style></head>
<body><header><h1>待核实 Pending cases (${cases.length})</h1>
<p class="who">${esc(who)}</p></header>
<main>${list}</main>
<script src="/verify/verify.js"></script></body></html>`;
}

/** The page's filters: those of GET /api/cases but `status` (the page lists pending cases only). */
const VerifyQuery = CaseListQuerySchema.omit({ status: true });

/**
 * GET /verify: a phone-sized page listing the pending cases the user may see (filters as
 * /api/cases: grid, type, camera, limit) with their evidence and confirm / reject buttons.
 * Rendered on the server; its script (GET /verify/verify.js) posts verdicts to /api/cases/:id/verdict.
 */
export function verifyPageRoutes(ctx: CaseApiContext): ApiRoutes {
  const r = new ApiRoutes('/verify', 'cases');
  r.get('/', { summary: 'the phone-sized verification page: pending cases the user may see, with confirm / reject buttons', query: VerifyQuery, produces: 'text/html', responses: { 200: 'the page', 302: 'to /login without a session', 400: 'an unknown filter or a bad value, named' } },
    async (_input, req, res) => {
      // The same rules as GET /api/cases (unknown keys named, with the right one), then pending only.
      if (req.query.status !== undefined) throw badRequest('status', 'not a filter here: the page lists pending cases only');
      const query = { ...parseListQuery(req.query as Record<string, unknown>), status: 'pending' as const };
      const p = principalOf(res);
      const page = await caseCall('list pending cases', () => listVisibleCases(ctx.store, p, query));
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      res.setHeader('Cache-Control', 'no-store');
      res.send(renderVerifyPage(page.cases, ctx.eventTypes(), `${p.displayName} (${p.role})`));
    },
  );
  r.get('/verify.js', { summary: "the verification page's script (public; it posts verdicts to /api/cases/{id}/verdict)", produces: 'text/javascript', responses: { 200: 'the script' } }, async (_input, _req, res) => {
    res.setHeader('Content-Type', 'text/javascript; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache');
    res.send(SCRIPT);
  });
  return r;
}
