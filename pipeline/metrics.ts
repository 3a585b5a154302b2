import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { VisitRecord } from './distributed/patrol-store.ts';

/**
 * Prometheus metrics for one process. They observe stage events (visits, status) and never
 * drive a stage. Labels never carry URLs or credentials, and not camera ids either: with
 * thousands of cameras that would explode the series count (per-camera detail is in the API).
 */
export class GridworkerMetrics {
  readonly registry = new Registry();
  private readonly visits = new Counter({ name: 'gridworker_visits_total', help: 'Camera visits by outcome and error code', labelNames: ['outcome', 'error_code'], registers: [this.registry] });
  private readonly visitSeconds = new Histogram({
    name: 'gridworker_visit_duration_seconds',
    help: 'Whole visit: spawn to last frame and analysis',
    buckets: [0.25, 0.5, 1, 2, 3, 5, 8, 13, 20],
    registers: [this.registry],
  });
  private readonly firstFrameSeconds = new Histogram({
    name: 'gridworker_first_frame_seconds',
    help: 'ffmpeg spawn to first decoded frame',
    buckets: [0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5],
    registers: [this.registry],
  });
  private readonly detections = new Counter({ name: 'gridworker_detections_total', help: 'Detections recorded on visits, by label', labelNames: ['label'], registers: [this.registry] });
  private readonly patrol = new Gauge({ name: 'gridworker_patrol_cameras', help: 'Cameras by patrol state (due, overdue, in_flight, held)', labelNames: ['state'], registers: [this.registry] });
  private readonly achieved = new Gauge({
    name: 'gridworker_patrol_revisit_p95_seconds',
    help: 'Achieved revisit interval, 95th percentile, by priority',
    labelNames: ['priority'],
    registers: [this.registry],
  });

  private readonly cases = new Counter({
    name: 'gridworker_case_sightings_total',
    help: 'Confirmed events filed, by what became of them (opened, updated, suppressed) and event type',
    labelNames: ['outcome', 'event_type'],
    registers: [this.registry],
  });

  /** Observes one confirmed event filed as a case. */
  onCase(outcome: string, eventType: string): void {
    this.cases.inc({ outcome, event_type: eventType });
  }

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'gridworker_' });
  }

  /** Observes one finished visit. */
  onVisit(v: VisitRecord): void {
    this.visits.inc({ outcome: v.ok ? 'ok' : 'failed', error_code: v.errorCode ?? '' });
    this.visitSeconds.observe((v.finishedAt - v.startedAt) / 1000);
    if (v.firstFrameMs !== undefined) this.firstFrameSeconds.observe(v.firstFrameMs / 1000);
    for (const frame of v.detections) for (const d of frame) this.detections.inc({ label: d.label });
  }

  /** Observes the scheduler's status (leader only). */
  onStatus(s: { due: number; overdue: number; inFlight: number; held: number; perPriority: readonly { priority: string; achievedP95S: number | null }[] }): void {
    this.patrol.set({ state: 'due' }, s.due);
    this.patrol.set({ state: 'overdue' }, s.overdue);
    this.patrol.set({ state: 'in_flight' }, s.inFlight);
    this.patrol.set({ state: 'held' }, s.held);
    for (const p of s.perPriority) if (p.achievedP95S !== null) this.achieved.set({ priority: p.priority }, p.achievedP95S);
  }
}
