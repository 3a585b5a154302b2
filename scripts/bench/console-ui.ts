/**
 * Console benchmark (not a test), on the fixture cameras with the real stack and Debian's chromium:
 * - first load of the console: bytes over the wire (gzip-encoded assets) and time to interactive
 *   (the one-key button rendered and the camera groups loaded), median of cold loads;
 * - the wall at 16 tiles (4x4, 16 cameras): frames per second of the page (requestAnimationFrame),
 *   chromium's CPU (all its processes) against the same page idle, and the median frame age shown;
 * - the live feed: delay from a case being written (opened or updated) to its card in the page.
 * Prints a table and writes JSON.
 *
 *   npx tsx scripts/bench/console-ui.ts [--loads 5] [--seconds 30] [--out bench-results/console-ui.json]
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Command } from 'commander';
import type { Page } from 'playwright-core';
import { startConsoleStack, waitFor } from '../../web/tests/console-stack.ts';
import { formatTable, median, quantile } from './stats.ts';

const TICKS = 100; // USER_HZ on Linux

/** Pids of this process's descendants whose command is chromium. */
function chromiumPids(): number[] {
  const parent = new Map<number, number>();
  const comm = new Map<number, string>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      comm.set(Number(d), stat.slice(stat.indexOf('(') + 1, close));
      parent.set(Number(d), Number(stat.slice(close + 2).split(' ')[1]));
    } catch {
      // Gone between readdir and read.
    }
  }
  const mine = (pid: number): boolean => {
    for (let p = parent.get(pid); p && p > 1; p = parent.get(p)) if (p === process.pid) return true;
    return false;
  };
  return [...comm].filter(([pid, c]) => /chrom/i.test(c) && mine(pid)).map(([pid]) => pid);
}

/** CPU seconds (user + system) used so far by chromium's processes. */
function chromiumCpuS(): number {
  let ticks = 0;
  for (const pid of chromiumPids()) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(f[11]) + Number(f[12]);
    } catch {
      // Exited.
    }
  }
  return ticks / TICKS;
}

/** Frames per second of the page and chromium's CPU (% of one core) over `seconds`. */
async function measure(page: Page, seconds: number): Promise<{ fps: number; cpuPct: number }> {
  const cpu0 = chromiumCpuS();
  const t0 = Date.now();
  const frames = Number(
    await page.evaluate(`new Promise((resolve) => { let n = 0; const end = performance.now() + ${seconds * 1000};
      const step = (t) => { n++; if (t < end) requestAnimationFrame(step); else resolve(n); }; requestAnimationFrame(step); })`),
  );
  const wall = (Date.now() - t0) / 1000;
  return { fps: frames / wall, cpuPct: ((chromiumCpuS() - cpu0) / wall) * 100 };
}

const round = (x: number, d = 1): number => Math.round(x * 10 ** d) / 10 ** d;

async function main(): Promise<void> {
  const opts = new Command()
    .option('--loads <n>', 'cold first loads to time', '5')
    .option('--seconds <n>', 'measuring window of the wall, seconds', '30')
    .option('--out <file>', 'JSON output', 'bench-results/console-ui.json')
    .parse()
    .opts<{ loads: string; seconds: string; out: string }>();
  const seconds = Number(opts.seconds);
  const stack = await startConsoleStack(`gwbench${randomBytes(3).toString('hex')}`, { extraCameras: 10 });
  try {
    // Signed in once as an operator; each cold load reuses the session cookie with an empty cache.
    const login = await stack.context({ viewport: { width: 1920, height: 1080 } });
    const loginPage = await login.newPage();
    await stack.signIn(loginPage, stack.users.operator);
    const storageState = await login.storageState();
    await login.close();
    // 1. First load, cold (a new context each time: empty cache).
    const loads: { bytes: number; ttiMs: number; loadMs: number }[] = [];
    for (let i = 0; i < Number(opts.loads); i++) {
      const ctx = await stack.browser.newContext({ viewport: { width: 1920, height: 1080 }, baseURL: stack.url, storageState });
      const page = await ctx.newPage();
      const sizes: Promise<number>[] = [];
      page.on('requestfinished', (req) => sizes.push(req.sizes().then((s) => s.responseBodySize + s.responseHeadersSize)));
      await page.goto('/', { waitUntil: 'load' });
      await page.locator('select option[value="all"]').waitFor({ state: 'attached' });
      await page.locator('#one-key').waitFor();
      const ttiMs = Number(await page.evaluate('performance.now()'));
      const loadMs = Number(await page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd"));
      await page.waitForLoadState('networkidle');
      loads.push({ bytes: (await Promise.all(sizes)).reduce((a, b) => a + b, 0), ttiMs, loadMs });
      await ctx.close();
    }

    // 2 + 3. The live feed open in one tab, the wall in another.
    const ctx = await stack.browser.newContext({ viewport: { width: 1920, height: 1080 }, baseURL: stack.url, storageState });
    const live = await ctx.newPage();
    await live.goto('/live');
    await live.locator('#live-state.health-online').waitFor();
    await live.evaluate(`window.__delays = []; new MutationObserver((records) => { const now = Date.now();
      for (const r of records) for (const n of r.addedNodes) if (n.nodeType === 1 && n.matches('li.kind-case[data-at]')) window.__delays.push(now - Number(n.dataset.at)); })
      .observe(document.body, { childList: true, subtree: true });`);
    const wall = await ctx.newPage();
    await wall.goto('/');
    await wall.selectOption('select >> nth=0', 'all');
    await wall.selectOption('select >> nth=1', '4');
    const idle = await measure(wall, Math.min(10, seconds));
    await wall.click('#one-key');
    await waitFor('16 tiles with frames', async () => (await wall.locator('.tile[data-frame-at]:not([data-frame-at=""])').count()) >= 15, 180_000);
    const ages: number[] = [];
    const sampler = setInterval(() => {
      void wall.locator('#median-age').getAttribute('data-ms').then((v) => v && ages.push(Number(v)), () => undefined);
    }, 1000);
    const busy = await measure(wall, seconds);
    clearInterval(sampler);
    const delays = (await live.evaluate('window.__delays')) as number[];
    await ctx.close();

    const result = {
      firstLoad: {
        runs: loads.length,
        transferKiB: round(median(loads.map((l) => l.bytes)) / 1024),
        ttiMsMedian: round(median(loads.map((l) => l.ttiMs))),
        loadEventMsMedian: round(median(loads.map((l) => l.loadMs))),
      },
      wall16: {
        seconds,
        fps: round(busy.fps),
        chromiumCpuPct: round(busy.cpuPct),
        idleFps: round(idle.fps),
        idleChromiumCpuPct: round(idle.cpuPct),
        cpuRatioToIdle: idle.cpuPct > 0 ? round(busy.cpuPct / idle.cpuPct, 2) : null,
        medianFrameAgeS: ages.length ? round(median(ages) / 1000) : null,
      },
      liveFeed: {
        samples: delays.length,
        delayMsMedian: delays.length ? round(median(delays)) : null,
        delayMsP95: delays.length ? round(quantile(delays, 0.95)) : null,
      },
    };
    console.log(
      formatTable(
        ['measure', 'value'],
        [
          ['first load: transfer (gzip), KiB, median', result.firstLoad.transferKiB],
          ['first load: time to interactive, ms, median', result.firstLoad.ttiMsMedian],
          ['first load: load event, ms, median', result.firstLoad.loadEventMsMedian],
          ['wall 4x4 (16 cameras): page fps', result.wall16.fps],
          ['wall 4x4: chromium CPU, % of a core', result.wall16.chromiumCpuPct],
          ['same page before rotation: fps / CPU %', `${result.wall16.idleFps} / ${result.wall16.idleChromiumCpuPct}`],
          ['wall CPU / idle CPU', result.wall16.cpuRatioToIdle ?? '—'],
          ['wall: median frame age shown, s', result.wall16.medianFrameAgeS ?? '—'],
          ['live feed: case written -> card shown, ms, median', result.liveFeed.delayMsMedian ?? '—'],
          ['live feed: same, p95', result.liveFeed.delayMsP95 ?? '—'],
          ['live feed: samples', result.liveFeed.samples],
        ],
      ),
    );
    await mkdir(dirname(opts.out), { recursive: true });
    await writeFile(opts.out, `${JSON.stringify({ at: new Date().toISOString(), ...result }, null, 2)}\n`);
    console.log(`\nwrote ${opts.out}`);
  } finally {
    await stack.close();
  }
}

await main();
