import { z } from 'zod';
import { ApiRoutes } from './api-routes.ts';

/** Where to go after logging in (read by the page's script; only a same-site path is followed). */
const LoginQuery = z.strictObject({ next: z.string().max(2000).optional().describe('a path on this server to open after the login') });

const STYLE = `*{box-sizing:border-box}body{margin:0;font:16px/1.4 system-ui,sans-serif;background:#f2f2f2;color:#111;display:flex;min-height:100vh;align-items:center;justify-content:center}
form{background:#fff;padding:1.2rem;border-radius:.5rem;box-shadow:0 1px 3px #0003;width:min(22rem,92vw)}h1{font-size:1.2rem;margin:0 0 .8rem}
label{display:block;margin:.5rem 0 .2rem;font-size:.9rem}input,button{width:100%;font-size:1rem;padding:.6rem;border-radius:.3rem;border:1px solid #999}
button{margin-top:1rem;background:#143;color:#fff;border:0;min-height:2.8rem}.err{color:#b42318;min-height:1.2em;margin:.5rem 0 0}`;

// Served as /login/login.js: the CSP allows scripts from 'self' only.
const SCRIPT = `
const form = document.getElementById('login');
const msg = document.getElementById('msg');
form.addEventListener('submit', async (e) => {
  e.preventDefault();
  msg.textContent = '';
  const body = { username: form.username.value.trim(), password: form.password.value };
  const res = await fetch('/api/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (res.ok) {
    const next = new URLSearchParams(location.search).get('next');
    location.href = next && next.startsWith('/') && !next.startsWith('//') ? next : '/verify';
    return;
  }
  const data = await res.json().catch(() => ({}));
  msg.textContent = data.error ? data.error.message : res.statusText;
});
`;

const PAGE = `<!doctype html>
<html lang="zh"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>登录 Log in · Gridworker</title><style>${STYLE}</style></head>
<body><form id="login"><h1>登录 Log in · Gridworker</h1>
<label for="username">用户名 Username</label><input id="username" name="username" autocomplete="username" required>
<label for="password">密码 Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">登录 Log in</button><p id="msg" class="err" role="alert"></p></form>
<script src="/login/login.js"></script></body></html>`;

/** GET /login: the minimal server login page (its script posts JSON to /api/login); GET /login/login.js. */
export function loginPageRoutes(): ApiRoutes {
  const r = new ApiRoutes('/login', 'identity');
  r.get('/', { summary: 'the login page (public)', query: LoginQuery, produces: 'text/html', responses: { 200: 'the page' } }, async (_input, _req, res) => {
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store');
    res.send(PAGE);
  });
  r.get('/login.js', { summary: "the login page's script (public)", produces: 'text/javascript', responses: { 200: 'the script' } }, async (_input, _req, res) => {
    res.setHeader('Content-Type', 'text/javascript; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache');
    res.send(SCRIPT);
  });
  return r;
}
