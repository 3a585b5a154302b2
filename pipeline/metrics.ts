import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { PublishedStatus, VisitRecord } from './distributed/patrol-store.ts';
import type { CaseGaugeSource, CaseGauges } from './metrics/case-gauges.ts';
import type { StorageGuard } from './storage/storage-guard.ts';
import type { FrameAnalysed } from './visit/camera-visitor.ts';


/** What the patrol metrics read from Redis at scrape time (the PatrolStore). */
export interface PatrolGaugeSource {
  readStatus(): Promise<PublishedStatus | null>;
  getAllHealth(): Promise<Readonly<Record<string, { readonly state: string }>>>;
}

/** Health states a camera can be in, plus `unknown` for one never visited. */
const HEALTH_STATES = ['online', 'degraded', 'offline', 'unknown'] as const;
/** prom-client's default gauges named `_total`, which promtool rejects (a `_total` name is a counter's). */
const GAUGES_NAMED_TOTAL = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

/**
 * Prometheus metrics for one process. They observe stage events (visits, frames, confirmed
 * events, storage faults) and read state at scrape time (patrol status, camera health, cases);
 * they never drive a stage. Labels never carry URLs or credentials, nor camera ids: with
 * thousands of cameras that would explode the series count (per-camera detail is in the API).
 * A scrape-time read that fails (Redis away) leaves those gauges out rather than failing /metrics.
 */
export class GridworkerMetrics {
  readonly registry = new Registry();
  private readonly visits = new Counter({ name: 'gridworker_visits_total', help: 'Camera visits by outcome (ok, failed) and error code', labelNames: ['outcome', 'error_code'], registers: [this.registry] });
  private readonly visitSeconds = new Histogram({
    name: 'gridworker_visit_duration_seconds',
    help: 'Whole visit: lock taken to visit recorded (connect, frames, analysis, storage)',
    buckets: [0.25, 0.5, 1, 2, 3, 5, 8, 13, 20],
    registers: [this.registry],
  });
  private readonly firstFrameSeconds = new Histogram({
    name: 'gridworker_first_frame_seconds',
    help: 'Time to first frame: ffmpeg spawn to first decoded frame',
    buckets: [0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5],
    registers: [this.registry],
  });
  private readonly framesAnalysed = new Counter({ name: 'gridworker_frames_analysed_total', help: 'Frames run through the detector, by model', labelNames: ['model'], registers: [this.registry] });
  private readonly preprocessSeconds = new Histogram({
    name: 'gridworker_preprocess_seconds',
    help: 'Detector preprocessing time per frame, by model',
    labelNames: ['model'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1],
    registers: [this.registry],
  });
  private readonly inferenceSeconds = new Histogram({
    name: 'gridworker_inference_seconds',
    help: 'Detector inference time per frame, by model',
    labelNames: ['model'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [this.registry],
  });
  private readonly detections = new Counter({ name: 'gridworker_detections_total', help: 'Detections recorded on visits, by label', labelNames: ['label'], registers: [this.registry] });
  private readonly eventsConfirmed = new Counter({ name: 'gridworker_events_confirmed_total', help: 'Confirmed events, by event type', labelNames: ['event_type'], registers: [this.registry] });
  private readonly cases = new Counter({
    name: 'gridworker_case_sightings_total',
    help: 'Confirmed events filed, by what became of them (opened, updated, suppressed) and event type',
    labelNames: ['outcome', 'event_type'],
    registers: [this.registry],
  });
  private readonly storageErrors = new Counter({ name: 'gridworker_storage_errors_total', help: 'Storage faults (a new fault or a change of fault), by code', labelNames: ['code'], registers: [this.registry] });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'gridworker_' });
    for (const name of GAUGES_NAMED_TOTAL) this.registry.removeSingleMetric(`gridworker_${name}`);
  }

  /** Observes one finished visit. */
  onVisit(v: VisitRecord): void {
    this.visits.inc({ outcome: v.ok ? 'ok' : 'failed', error_code: v.errorCode ?? '' });
    this.visitSeconds.observe((v.finishedAt - v.startedAt) / 1000);
    if (v.firstFrameMs !== undefined) this.firstFrameSeconds.observe(v.firstFrameMs / 1000);
    for (const frame of v.detections) for (const d of frame) this.detections.inc({ label: d.label });
  }

  /** Observes one frame run through the detector. */
  onFrame(f: FrameAnalysed): void {
    this.framesAnalysed.inc({ model: f.model });
    this.preprocessSeconds.observe({ model: f.model }, f.preprocessMs / 1000);
    this.inferenceSeconds.observe({ model: f.model }, f.inferenceMs / 1000);
  }

  /** Observes one confirmed event filed as a case. */
  onCase(outcome: string, eventType: string): void {
    this.eventsConfirmed.inc({ event_type: eventType });
    this.cases.inc({ outcome, event_type: eventType });
  }

  /** Subscribes to a visit source (the patrol worker). */
  observeVisits(source: { on(event: 'visit', listener: (v: VisitRecord) => void): unknown }): void {
    source.on('visit', (v) => this.onVisit(v));
  }

  /** Subscribes to a frame source (the camera visitor). */
  observeFrames(source: { on(event: 'frame', listener: (f: FrameAnalysed) => void): unknown }): void {
    source.on('frame', (f) => this.onFrame(f));
  }

  /** The storage folder: faults as they happen, free space and state at scrape time. */
  observeStorage(guard: StorageGuard): void {
    guard.on('fault', (e) => this.storageErrors.inc({ code: e.code }));
    const registers = [this.registry];
    new Gauge({
      name: 'gridworker_storage_ok',
      help: '1 when the storage folder is writable and above its free-space floor, else 0',
      registers,
      async collect() {
        this.set((await guard.refresh()).ok ? 1 : 0);
      },
    });
    new Gauge({
      name: 'gridworker_storage_free_bytes',
      help: 'Free bytes in the storage folder at the last reading',
      registers,
      collect() {
        const free = guard.status().freeBytes;
        if (free !== null) this.set(free);
      },
    });
    new Gauge({ name: 'gridworker_storage_min_free_bytes', help: 'Free-space floor of the storage folder (new evidence refused below it)', registers }).set(guard.status().minFreeBytes);
  }

  /**
   * Patrol state at scrape time from what the leader publishes in Redis: cameras by patrol state
   * and by health, revisit achieved vs target per priority, the leader, run state, workers.
   * `cameraIds` are the configured cameras (those without a health record count as unknown).
   */
  observePatrol(source: PatrolGaugeSource, cameraIds: () => readonly string[]): void {
    const registers = [this.registry];
    let cached: { at: number; status: Promise<PublishedStatus | null> } | undefined;
    // One Redis read per scrape, shared by the gauges below.
    const status = (): Promise<PublishedStatus | null> => {
      const now = Date.now();
      if (!cached || now - cached.at > 500) cached = { at: now, status: source.readStatus().catch(() => null) };
      return cached.status;
    };
    new Gauge({
      name: 'gridworker_cameras',
      help: 'Configured cameras by health state (online, degraded, offline, unknown = not visited yet)',
      labelNames: ['health'],
      registers,
      async collect() {
        const all = await source.getAllHealth().catch(() => null);
        this.reset();
        if (!all) return;
        const counts: Record<string, number> = Object.fromEntries(HEALTH_STATES.map((s) => [s, 0]));
        for (const id of cameraIds()) {
          const state = all[id]?.state ?? 'unknown';
          counts[state] = (counts[state] ?? 0) + 1;
        }
        for (const [health, n] of Object.entries(counts)) this.set({ health }, n);
      },
    });
    new Gauge({
      name: 'gridworker_patrol_cameras',
      help: 'Cameras by patrol state: due (could be handed out now), overdue (last good visit older than the target), in_flight, held (backoff)',
      labelNames: ['state'],
      registers,
      async collect() {
        const s = await status();
        this.reset();
        if (!s) return;
        const sch = s.scheduler;
        this.set({ state: 'due' }, sch.due);
        this.set({ state: 'overdue' }, sch.overdue);
        this.set({ state: 'in_flight' }, sch.inFlight);
        this.set({ state: 'held' }, sch.held);
      },
    });
    const perPriority = (name: string, help: string, pick: (p: PublishedStatus['scheduler']['perPriority'][number]) => number | null): void => {
      new Gauge({
        name,
        help,
        labelNames: ['priority'],
        registers,
        async collect() {
          const s = await status();
          this.reset();
          for (const p of s?.scheduler.perPriority ?? []) {
            const v = pick(p);
            if (v !== null) this.set({ priority: p.priority }, v);
          }
        },
      });
    };
    perPriority('gridworker_patrol_revisit_target_seconds', 'Revisit target by priority (the plan, with any override)', (p) => (p.cameras > 0 ? p.targetS : null));
    perPriority('gridworker_patrol_revisit_median_seconds', 'Achieved revisit interval, median of recent visits, by priority', (p) => p.achievedMedianS);
    perPriority('gridworker_patrol_revisit_p95_seconds', 'Achieved revisit interval, 95th percentile of recent visits, by priority', (p) => p.achievedP95S);
    perPriority('gridworker_patrol_stalest_seconds', 'Longest time any enabled camera of the priority has gone without a good visit', (p) => p.stalestS);
    new Gauge({
      name: 'gridworker_patrol_leader_info',
      help: 'The active scheduler (leader) and the run state it publishes; 1 for the current one',
      labelNames: ['leader', 'state'],
      registers,
      async collect() {
        const s = await status();
        this.reset();
        if (s) this.set({ leader: s.leader, state: s.state }, 1);
      },
    });
    new Gauge({
      name: 'gridworker_patrol_running',
      help: '1 when the patrol run state is running (0 paused or stopped); absent when no leader publishes',
      registers,
      async collect() {
        const s = await status();
        this.reset();
        if (s) this.set(s.state === 'running' ? 1 : 0);
      },
    });
    new Gauge({
      name: 'gridworker_patrol_status_age_seconds',
      help: 'Age of the status the leader publishes every second; grows when no scheduler leads',
      registers,
      async collect() {
        const s = await status();
        this.reset();
        if (s) this.set(Math.max(0, (Date.now() - s.at) / 1000));
      },
    });
    new Gauge({
      name: 'gridworker_patrol_workers',
      help: 'Live patrol workers and their visit slots',
      labelNames: ['what'],
      registers,
      async collect() {
        const s = await status();
        this.reset();
        if (!s) return;
        this.set({ what: 'workers' }, s.workers);
        this.set({ what: 'slots' }, s.capacity);
      },
    });
  }

  /** Cases at scrape time: by status, overdue, the outbox backlog and the age of its oldest unsent row. */
  observeCases(source: CaseGaugeSource): void {
    const registers = [this.registry];
    let cached: { at: number; gauges: ReturnType<CaseGaugeSource['caseGauges']> } | undefined;
    const read = (): Promise<CaseGauges | null> => {
      const now = Date.now();
      if (!cached || now - cached.at > 500) cached = { at: now, gauges: source.caseGauges(now) };
      return cached.gauges.catch(() => null);
    };
    new Gauge({
      name: 'gridworker_cases',
      help: 'Cases by status',
      labelNames: ['status'],
      registers,
      async collect() {
        const g = await read();
        this.reset();
        for (const [status, n] of Object.entries(g?.byStatus ?? {})) this.set({ status }, n);
      },
    });
    new Gauge({
      name: 'gridworker_cases_overdue',
      help: 'Active cases (not closed or rejected) past their deadline',
      registers,
      async collect() {
        const g = await read();
        this.reset();
        if (g) this.set(g.overdue);
      },
    });
    new Gauge({
      name: 'gridworker_dispatch_backlog',
      help: 'Outbox rows (case dispatches) not yet sent to the dispatch queue',
      registers,
      async collect() {
        const g = await read();
        this.reset();
        if (g) this.set(g.outboxBacklog);
      },
    });
    new Gauge({
      name: 'gridworker_dispatch_oldest_undelivered_age_seconds',
      help: 'Age of the oldest outbox row not yet sent to the dispatch queue (0 when none waits)',
      registers,
      async collect() {
        const g = await read();
        this.reset();
        if (g) this.set(g.oldestUnsentAt === null ? 0 : Math.max(0, (Date.now() - g.oldestUnsentAt) / 1000));
      },
    });
  }
}
