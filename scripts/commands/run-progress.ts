import type { GridworkerConfig } from '../../pipeline/config/config-schema.ts';
import type { VisitRecord } from '../../pipeline/distributed/patrol-store.ts';
import type { Running } from '../../pipeline/gridworker-main.ts';
import type { SchedulerStatus } from '../../pipeline/patrol/types.ts';

/** Summarises one frame's detections: "bus 0.94, person x3". */
export function summariseDetections(frames: VisitRecord['detections']): string {
  const best = new Map<string, { n: number; score: number }>();
  const frame = frames.reduce<VisitRecord['detections'][number]>((a, f) => (f.length > a.length ? f : a), []);
  for (const d of frame) {
    const b = best.get(d.label) ?? { n: 0, score: 0 };
    best.set(d.label, { n: b.n + 1, score: Math.max(b.score, d.score) });
  }
  return [...best.entries()]
    .sort((a, b) => b[1].score - a[1].score)
    .map(([label, b]) => (b.n > 1 ? `${label} x${b.n}` : `${label} ${b.score.toFixed(2)}`))
    .join(', ');
}

const clock = (ms: number): string => new Date(ms).toTimeString().slice(0, 8);

/**
 * What `run` shows: one line per visit (camera, outcome, first-frame time, detections), a line
 * when a camera's health changes, and a live status line (TTY) or a periodic summary (not a TTY).
 * It observes the running parts; it never drives them.
 */
export class RunProgress {
  private visits = 0;
  private failed = 0;
  private readonly health = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private statusLine = '';
  private readonly names: Map<string, string>;
  private stopped = false;

  constructor(
    private readonly running: Running,
    config: GridworkerConfig,
    private readonly interactive: boolean,
  ) {
    this.names = new Map(config.cameras.map((c) => [c.id, c.name]));
  }

  start(): void {
    this.running.worker?.on('visit', (v) => this.onVisit(v));
    this.running.events?.on('filed', (r) => {
      const c = r.case;
      const where = `${c.cameraId}${c.zone ? ` / ${c.zone}` : ''}`;
      const what = r.outcome === 'opened' ? `CASE OPENED ${c.id} -> ${c.responsibleUnit} (dispatch via the outbox)` : r.outcome === 'updated' ? `case ${c.id} updated (seen ${c.count}x)` : `sighting suppressed (case ${c.id} closed, cooldown)`;
      this.print(`${c.eventType} at ${where}, confidence ${c.confidence.toFixed(2)}: ${what}`);
    });
    this.running.storage.on('fault', (e) => this.print(`STORAGE FAULT ${e.code}: ${e.message}`));
    this.running.storage.on('recovered', () => this.print(`storage folder ${this.running.storage.dir} works again`));
    this.running.leader?.on('elected', () => this.print('this process is now the patrol scheduler (leader)'));
    // 'lost' is only emitted for a real loss (another process took the lease), never on our own close.
    this.running.leader?.on('lost', () => this.print('WARNING: this process lost the scheduler lease (another scheduler leads now)'));
    this.timer = setInterval(() => this.tick(), this.interactive ? 1000 : 30_000);
  }

  /** Stops the status line and clears it from the terminal. Safe to call twice. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    if (this.interactive && this.statusLine) process.stdout.write('\r\x1b[2K');
  }

  /**
   * Prints one line stamped with the time it is printed: lines come out in the order things
   * happened (a case's own sighting time may be a visit that started earlier; it is in the API).
   */
  private print(line: string): void {
    if (this.stopped) return;
    const stamped = `${clock(Date.now())} ${line}`;
    if (this.interactive) process.stdout.write(`\r\x1b[2K${stamped}\n${this.statusLine}`);
    else process.stdout.write(`${stamped}\n`);
  }

  private onVisit(v: VisitRecord): void {
    this.visits++;
    if (!v.ok) this.failed++;
    const what = v.ok
      ? `ok  ${v.frames} frames ${v.sourceWidth ?? '?'}x${v.sourceHeight ?? '?'}, first frame ${((v.firstFrameMs ?? 0) / 1000).toFixed(2)} s: ${summariseDetections(v.detections) || 'nothing detected'}`
      : `FAILED ${v.errorCode}: ${v.error ?? ''}`;
    this.print(`${v.cameraId.padEnd(18)} ${what}`);
  }

  private tick(): void {
    const s = this.running.leader?.activeScheduler?.status(Date.now());
    this.statusLine = `[${statusParts(this.visits, this.failed, s).join(' | ')}]`;
    if (this.interactive) process.stdout.write(`\r\x1b[2K${this.statusLine}`);
    else process.stdout.write(`${clock(Date.now())} ${this.statusLine}\n`);
    this.checkHealth().catch(() => undefined);
  }

  private async checkHealth(): Promise<void> {
    const worker = this.running.worker;
    if (!worker) return;
    const all = await worker.healthSnapshot().catch(() => ({}) as Record<string, { state: string; lastError?: { code: string } }>);
    for (const [id, h] of Object.entries(all)) {
      const before = this.health.get(id);
      if (before === h.state) continue;
      this.health.set(id, h.state);
      if (before === undefined && h.state === 'online') continue;
      this.print(healthChangeLine(id, this.names.get(id) ?? id, before, h));
    }
  }
}

/**
 * The status line's parts. Camera counts partition the enabled cameras (in flight + held back +
 * waiting = enabled); `due` is the part of the waiting ones that could go out now, and `overdue`
 * (last good visit older than the target) is counted over all of them, as "n of total".
 */
export function statusParts(visits: number, failed: number, s: SchedulerStatus | undefined): string[] {
  const parts = [`visits ${visits} (${failed} failed)`];
  if (!s) return parts;
  const waiting = Math.max(0, s.enabled - s.inFlight - s.held);
  parts.push(
    s.paused ? 'PAUSED' : 'patrolling',
    `${s.enabled} cameras: ${s.inFlight} in flight, ${s.held} held back, ${waiting} waiting (${Math.min(s.due, waiting)} due now)`,
    `overdue ${s.overdue} of ${s.enabled}`,
  );
  for (const p of s.perPriority) if (p.achievedMedianS !== null) parts.push(`${p.priority} revisit ${p.achievedMedianS.toFixed(0)}/${p.targetS}s`);
  return parts;
}

/** The line for a camera whose health changed; a recovery does not repeat the old error. */
export function healthChangeLine(id: string, name: string, before: string | undefined, h: { state: string; lastError?: { code: string } }): string {
  if (h.state === 'online') return `camera ${id} (${name}) is back online${before ? ` (was ${before})` : ''}`;
  return `camera ${id} (${name}) is now ${h.state}${h.lastError ? ` (${h.lastError.code})` : ''}`;
}
