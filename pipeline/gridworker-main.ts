import { join, resolve } from 'node:path';
import { availableCores } from '../models/detector-pool.ts';
import { ModelUnavailableError } from '../models/errors.ts';
import type { ModelCard } from '../models/model-card.ts';
import type { CameraSource } from '../streams/camera-source.ts';
import { killAll } from '../streams/ffmpeg-registry.ts';
import { closeSharedSpawner } from '../streams/ffmpeg-spawner.ts';
import { createApiApp } from './api/api-app.ts';
import { createMetricsApp } from './api/metrics-app.ts';
import type { ApiCamera } from './api/api-context.ts';
import { type HttpServer, listen } from './api/http-server.ts';
import { cameraStreamUrl } from './config/camera-url.ts';
import type { GridworkerConfig } from './config/config-schema.ts';
import { maskUrl } from './config/mask-credentials.ts';
import { PatrolLeader } from './distributed/patrol-leader.ts';
import { PatrolStore } from './distributed/patrol-store.ts';
import { PatrolWorker } from './distributed/patrol-worker.ts';
import { closeRedis, createRedis, redisReady } from './distributed/redis-connection.ts';
import { type CloseStep, closeAll } from './lifecycle/close-all.ts';
import { readinessChecks } from './readiness-checks.ts';
import { createLogger } from './log.ts';
import { GridworkerMetrics } from './metrics.ts';
import { schedulerCameras, schedulerPlan } from './patrol/plan-from-config.ts';
import { StreamCameraVisitor } from './visit/stream-camera-visitor.ts';
import { workerCapacity } from './visit/worker-capacity.ts';
import { WorkerModels } from './visit/worker-models.ts';
import { ModelPromotions } from './accuracy/model-promotions.ts';
import { shadowCandidateResolver } from './accuracy/shadow-candidates.ts';
import { promoteReadyCandidates } from './accuracy/shadow-promoter.ts';
import type { ShadowCandidate } from './accuracy/shadow-standing.ts';
import { shadowRoutes } from './api/shadow-routes.ts';
import type { RuleDef } from './events/event-model.ts';
import { CaseIntake, type IntakeResult } from './cases/case-intake.ts';
import { CaseStore } from './cases/case-store.ts';
import type { CaseRecord } from './cases/case-model.ts';
import { allCases } from './cases/all-cases.ts';
import { evidenceFrameKeeper } from './cases/evidence-frames.ts';
import { Recheck } from './cases/recheck.ts';
import { applyRetention } from './cases/retention.ts';
import { recordCatalogueVersion } from './cases/catalogue-version.ts';
import { syncUnits } from './cases/unit-directory.ts';
import { CaseChangeFeed } from './cases/case-change-feed.ts';
import { databaseTarget } from './db/database-target.ts';
import { type DatabaseHandle, openDatabase } from './db/open-database.ts';
import { OutboxRelay } from './dispatch/outbox-relay.ts';
import { RecordCameraMemoryStore } from './events/camera-memory-store.ts';
import { EventStage } from './events/event-stage.ts';
import { RuleSet } from './events/rule-set.ts';
import { checkRulesAgainstModel, type RuleModelReport } from './events/rule-model-check.ts';
import { accuracyRoutes } from './api/accuracy-routes.ts';
import { liveRoutes } from './api/live-routes.ts';
import { LiveHub } from './live/live-hub.ts';
import { LivePublisher } from './live/live-publisher.ts';
import { liveVisibility } from './api/live-visibility.ts';
import { StorageGuard } from './storage/storage-guard.ts';
import { type AdminBootstrap, bootstrapAdmin } from './identity/bootstrap.ts';
import { type Identity, openIdentity } from './identity/open-identity.ts';

/** The parts one process can run. */
export type Role = 'scheduler' | 'worker' | 'api';

/** How to start the parts of this process. */
export interface MainOptions {
  readonly config: GridworkerConfig;
  /** Folder the config file is in (relative storage paths resolve from it). */
  readonly configDir: string;
  readonly roles: readonly Role[];
  /** Redis URL (already checked reachable or started locally). */
  readonly redisUrl: string;
  /** Extra folders to look in for model files. */
  readonly modelDirs?: readonly string[];
  /** HTTP port override (0 = any free). */
  readonly apiPort?: number;
  /** Port of the metrics endpoint of a process without the api role, overriding `api.metricsPort` (0 = any free). */
  readonly metricsPort?: number;
  /** BullMQ queue name. Default "patrol". */
  readonly queueName?: string;
  /**
   * PostgreSQL URL of the record (DATABASE_URL). None: the embedded database in `<storage>/db`,
   * which only a process running every role may use.
   */
  readonly databaseUrl?: string;
  /** Names this process among the workers of one host (logs). Default "main". */
  readonly instanceName?: string;
  /** How often shadow candidates are checked for promotion (and promotions re-read), ms. Default 60000. */
  readonly shadowCheckEveryMs?: number;
  /**
   * How often the outbox relay looks for unsent rows when no case change woke it, ms (a safety
   * net: a change wakes it at once; while the LISTEN connection is lost it looks every 250 ms). Default 5000.
   */
  readonly outboxPollEveryMs?: number;
  /** How often overdue cases are flagged, ms. Default 60000. */
  readonly overdueEveryMs?: number;
  /** Evidence files and visit records (Redis) older than this many days are deleted (hourly), except what cases show. Default 90. */
  readonly evidenceRetentionDays?: number;
  /** Environment read for GRIDWORKER_ADMIN_PASSWORD (first admin) and DATABASE_URL. Default process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Re-reads the config file (POST /api/config/reload); absent = that route answers 503. */
  readonly loadConfig?: () => Promise<GridworkerConfig>;
  /** Cores this process may use (sizes the `auto` worker settings). Default `os.availableParallelism()`. */
  readonly cores?: number;
  /** Where frames are scaled to the model input (see StreamVisitorOptions.scaleIn). Default `ffmpeg`. */
  readonly frameScaling?: 'ffmpeg' | 'js';
  /** Who forks ffmpeg (see VisitOptions.spawnFrom). Default `spawner`; `self` for comparison. */
  readonly ffmpegSpawnFrom?: 'spawner' | 'self';
}

/** The running parts; `close()` stops them in order: HTTP, scheduler, workers, ffmpeg, Redis. */
export interface Running {
  readonly api?: HttpServer;
  /**
   * GET /metrics (and /healthz) of a process without the api role that has the record open (a
   * worker; a scheduler alone with DATABASE_URL): the tokens that may read metrics live there.
   */
  readonly metricsEndpoint?: HttpServer;
  readonly leader?: PatrolLeader;
  readonly worker?: PatrolWorker;
  /**
   * The worker's models, kept in step with the config: those its cameras run (their detectors,
   * shadow candidates), each once per detector process, or on the main thread with `detectorProcesses: 0`.
   */
  readonly models?: WorkerModels;
  /** The rules -> cases stage (worker role only); emits 'filed' per sighting. */
  readonly events?: EventStage<IntakeResult>;
  /** The record (worker and api roles): one handle per process, shared by the case store and identity. */
  readonly database?: DatabaseHandle;
  /** The outbox relay (worker role). */
  readonly relay?: OutboxRelay;
  /** Which event rules the worker's models together can raise (worker role only). */
  readonly rules?: RuleModelReport;
  readonly metrics: GridworkerMetrics;
  /** The storage folder's guard: its faults for the console, readiness and metrics. */
  readonly storage: StorageGuard;
  /** Users, tokens and sessions (api role only). */
  readonly identity?: Identity;
  /** Whether an admin existed at start, was created, or is missing (api role only). */
  readonly admin?: AdminBootstrap;
  /**
   * Applies a changed config without a restart: cameras (added, removed, changed URLs), the
   * patrol plan and the models the cameras name (loaded and dropped while the patrol goes on).
   * Redis and the API address stay as they were started. Resolves once the models are in step;
   * a model that cannot load is logged and reported by readiness, and fails only its cameras' visits.
   */
  reload(config: GridworkerConfig): Promise<void>;
  /** Call synchronously when a stop signal arrives, before close(): visits cut short are not blamed on cameras. */
  beginShutdown(): void;
  close(): Promise<void>;
}

/** The API's view of the configured cameras: no credentials. */
export function apiCameras(config: GridworkerConfig): ApiCamera[] {
  return config.cameras.map((c) => ({
    id: c.id,
    name: c.name,
    areaType: c.areaType,
    grid: c.grid,
    priority: c.priority,
    enabled: c.enabled,
    url: maskUrl(c.url),
    ...(c.location ? { location: c.location } : {}),
    zones: c.zones.map((z) => ({ name: z.name, kind: z.kind, points: z.points })),
  }));
}

/** What streams/visit needs per camera: the URL with credentials merged in (never logged unmasked). */
export function cameraSources(config: GridworkerConfig): Map<string, CameraSource> {
  return new Map(config.cameras.filter((c) => c.enabled).map((c) => [c.id, { id: c.id, url: cameraStreamUrl(c, 'main') ?? c.url }]));
}

/** GET /metrics and /healthz of a process without the api role, on `api.host` and the metrics port. */
async function startMetricsEndpoint(options: MainOptions, database: DatabaseHandle, metrics: GridworkerMetrics, closers: CloseStep[]): Promise<HttpServer> {
  const { config } = options;
  // Sessions live in Redis; a request-kind connection answers at once while Redis is away.
  const redis = createRedis(options.redisUrl, 'request', (err) => createLogger('metrics').debug({ err: err.message }, 'metrics redis connection error'));
  closers.push({ name: 'metrics redis', run: () => closeRedis(redis) });
  const a = config.api.auth;
  const identity = openIdentity(database.db, redis, config.redis.prefix, {
    sessionIdleMs: a.sessionIdleMinutes * 60_000,
    sessionMaxMs: a.sessionMaxHours * 3_600_000,
    lockAfterFailures: a.lockAfterFailures,
    lockMs: a.lockMinutes * 60_000,
  });
  const app = createMetricsApp({ ...identity, adminReady: () => identity.accounts.hasAdmin(), trustedOrigins: a.trustedOrigins }, metrics.registry);
  const port = options.metricsPort ?? config.api.metricsPort;
  const server = await listen(app, config.api.host, port).catch((err: unknown) => {
    // Several gridworker processes on one host each need their own port.
    throw new Error(`the metrics endpoint (api.metricsPort or --metrics-port, ${port}) cannot start: ${(err as Error).message}; give each process on this host its own port, or 0 for any free one`, { cause: err });
  });
  closers.push({ name: 'metrics http', run: () => server.close() });
  return server;
}

/** Starts the roles of this process. One main wires the parts; each part only sees what it needs. */
export async function startGridworker(options: MainOptions): Promise<Running> {
  const log = createLogger('main');
  const { config } = options;
  const common = { redisUrl: options.redisUrl, prefix: config.redis.prefix, queueName: options.queueName ?? 'patrol' };
  const metrics = new GridworkerMetrics();
  const storageDir = resolve(options.configDir, config.storage.dir);
  const closers: CloseStep[] = [];
  const onShutdown: (() => void)[] = [];
  const onReload: ((config: GridworkerConfig) => Promise<void> | void)[] = [];
  let sources = cameraSources(config);
  let cameras = apiCameras(config);
  let current = config;
  const evidenceDir = join(storageDir, 'evidence');
  const storage = new StorageGuard(storageDir, { minFreeBytes: config.storage.minFreeMb * 1024 * 1024 });
  const running: { -readonly [K in keyof Running]?: Running[K] } = { metrics, storage };
  metrics.observeStorage(storage);
  const close = async (): Promise<void> => {
    await closeAll(closers.splice(0).reverse(), log, 20_000);
  };
  const env = options.env ?? process.env;
  let database: DatabaseHandle | undefined;
  const reload = async (next: GridworkerConfig): Promise<void> => {
    current = next;
    sources = cameraSources(next);
    cameras = apiCameras(next);
    running.leader?.update(schedulerCameras(next), schedulerPlan(next));
    log.info({ cameras: next.cameras.length }, 'config reloaded');
    await Promise.all(onReload.map((f) => f(next)));
  };
  try {
    // Refuse to start on a storage folder that cannot be written: every visit would fail.
    if (options.roles.includes('worker')) await storage.probe();
    const apiRole = options.roles.includes('api');
    // A process without the api role serves /metrics on its own port, authenticated against the
    // record's tokens: a scheduler alone opens the record for that when it has a URL.
    const schedulerRecord = !apiRole && !options.roles.includes('worker') && Boolean(options.databaseUrl || env.DATABASE_URL);
    if (options.roles.includes('worker') || apiRole || schedulerRecord) {
      const split = !(['scheduler', 'worker', 'api'] as const).every((r) => options.roles.includes(r));
      database = await openDatabase({ ...databaseTarget({ url: options.databaseUrl ?? env.DATABASE_URL, storageDir, split }), migrate: true });
      const db = database;
      closers.push({ name: 'record', run: () => db.close() });
      running.database = database;
      log.info({ database: database.where, kind: database.kind, applied: database.migration?.applied }, 'record open');
      // The units table follows the catalogue (reassignment checks against it, GET /api/units lists it).
      log.info(await syncUnits(db.db, current.events.catalogue, Date.now()), 'units from the catalogue');
      onReload.push((next) => {
        syncUnits(db.db, next.events.catalogue, Date.now()).then(
          (r) => log.info(r, 'units from the reloaded catalogue'),
          (err: unknown) => log.warn({ err: (err as Error).message }, 'updating the units from the catalogue failed'),
        );
      });
    }
    const candidatesOf =
      config.models.shadow.length && database ? await shadowCandidateResolver(config, options.modelDirs ?? []) : (): ShadowCandidate[] => [];
    const promotions = database ? new ModelPromotions(database.db) : undefined;
    if (options.roles.includes('worker')) {
      const capacity = workerCapacity(config.patrol, options.cores ?? availableCores());
      // Every model any camera runs (its detectors, shadow candidates), each loaded once per detector process.
      const models = await WorkerModels.load(config, { modelDirs: options.modelDirs ?? [], processes: capacity.detectorProcesses, nice: config.patrol.childNice });
      closers.push({ name: 'model', run: () => models.close() });
      running.models = models;
      // Models a reloaded config names are loaded (and those it no longer names dropped) while the patrol goes on.
      onReload.push(async (next) => {
        const change = await models.apply(next);
        if (change.loaded.length || change.unloaded.length) log.info({ loaded: change.loaded, unloaded: change.unloaded, models: models.cards.map((c) => c.id) }, 'models of the reloaded config');
        for (const f of change.failed) log.error({ model: f.spec, code: (f.error as { code?: string }).code, err: f.error.message }, 'model cannot load: the visits of the cameras naming it fail until a config loads it');
      });
      await promotions!.refresh();
      log.info({ models: models.cards.map((c) => c.id), shadow: models.shadows.map((s) => s.model) }, 'models loaded');
      log.info({ detectorProcesses: capacity.detectorProcesses, visitsInFlight: capacity.visitsInFlight }, 'worker capacity');
      closers.push({ name: 'ffmpeg', run: () => killAll().finally(() => closeSharedSpawner()) });
      const healthRedis = createRedis(options.redisUrl, 'worker');
      closers.push({ name: 'worker redis', run: () => closeRedis(healthRedis) });
      const p = config.patrol;
      const visitor = new StreamCameraVisitor({
        cameras: () => sources,
        models: (id) => {
          const cam = current.cameras.find((c) => c.id === id);
          if (!cam) throw new ModelUnavailableError(`camera ${id} is not in the configuration: no models for it`);
          return models.detectors(cam, promotions!.promoted);
        },
        plan: { frames: p.dwell.frames, spacingMs: p.dwell.spacingMs, timeouts: p.timeouts },
        health: new PatrolStore(healthRedis, config.redis.prefix),
        ...(options.frameScaling ? { scaleIn: options.frameScaling } : {}),
        ...(options.ffmpegSpawnFrom ? { spawnFrom: options.ffmpegSpawnFrom } : {}),
        ffmpegNice: p.childNice,
        healthPolicy: {
          offlineAfter: p.quarantine.failuresBeforeQuarantine,
          baseBackoffMs: p.quarantine.baseBackoffS * 1000,
          maxBackoffMs: p.quarantine.maxBackoffS * 1000,
        },
      });
      onShutdown.push(() => visitor.beginShutdown());
      metrics.observeFrames(visitor);
      let catalogueVersion = await recordCatalogueVersion(database!.db, current.events.catalogue, Date.now());
      onReload.push((next) => {
        recordCatalogueVersion(database!.db, next.events.catalogue, Date.now()).then(
          (v) => {
            catalogueVersion = v;
          },
          (err: unknown) => log.warn({ err: (err as Error).message }, 'recording the catalogue version failed'),
        );
      });
      const caseStore = new CaseStore(database!.db, { eventType: (id) => current.events.catalogue.find((t) => t.id === id), catalogueVersion: () => catalogueVersion });
      // Before the record closes (closers run in reverse): other processes hear this one's last cases.
      closers.push({ name: 'case change announcements', run: () => caseStore.changesAnnounced() });
      const liveRedis = createRedis(options.redisUrl, 'producer');
      closers.push({ name: 'live redis', run: () => closeRedis(liveRedis) });
      // The console's live feed observes the stage; a failed publish never fails a visit.
      const live = new LivePublisher({ redis: liveRedis, prefix: config.redis.prefix });
      const livePublishFailed = (err: unknown): void => log.warn({ err: (err as Error).message }, 'live feed publish failed');
      const intake = new CaseIntake({
        store: caseStore,
        evidenceDir,
        keepRaw: true,
        eventType: (id) => current.events.catalogue.find((t) => t.id === id),
        camera: (id) => current.cameras.find((c) => c.id === id),
      });
      const relayStore = new PatrolStore(healthRedis, config.redis.prefix);
      // The relay looks when a case changes (this process's writes at once, the others' by LISTEN),
      // so the record is not polled every 250 ms: the embedded one runs each query on this thread.
      const relayWake = (await CaseChangeFeed.open(database!)).follow(caseStore);
      closers.push({ name: 'outbox wake feed', run: () => relayWake.close() });
      const relay = new OutboxRelay({
        db: database!.db,
        changes: relayWake,
        safetyPollMs: options.outboxPollEveryMs ?? 5000,
        redisUrl: options.redisUrl,
        prefix: config.redis.prefix,
        onDispatched: (ids, at) => caseStore.markDispatchedMany(ids, at),
        // The re-check jumps the patrol queue through the same visit-now the API offers.
        onRecheck: async (r) => {
          await relayStore.requestVisitNow(r.cameraId);
          await caseStore.startRecheck(r.caseId);
        },
      });
      relay.start();
      closers.push({ name: 'outbox relay', run: () => relay.close() });
      running.relay = relay;
      const overdueTimer = setInterval(() => {
        caseStore.flagOverdue().then(
          async (flagged) => {
            if (flagged.length) log.info({ cases: flagged.map((c) => c.id) }, 'cases overdue');
            // Each case is flagged once (by whichever worker got there): the feed hears it once.
            for (const c of flagged) await live.overdue(c).catch(livePublishFailed);
          },
          (err: unknown) => log.warn({ err: (err as Error).message }, 'flagging overdue cases failed'),
        );
      }, options.overdueEveryMs ?? 60_000);
      overdueTimer.unref();
      closers.push({ name: 'overdue timer', run: async () => clearInterval(overdueTimer) });
      const retentionMs = (options.evidenceRetentionDays ?? 90) * 86_400_000;
      const retentionTimer = setInterval(() => {
        const now = Date.now();
        applyRetention(database!.db, evidenceDir, retentionMs, now).then(
          (r) => {
            if (r.files) log.info(r, 'old evidence deleted');
          },
          (err: unknown) => log.warn({ err: (err as Error).message }, 'evidence retention failed'),
        );
        // Visit records in Redis (each camera's recent list and the visits stream) age out with the evidence.
        relayStore.pruneVisits(now - retentionMs).then(
          (r) => {
            if (r.records || r.streamEntries) log.info(r, 'old visit records deleted');
          },
          (err: unknown) => log.warn({ err: (err as Error).message }, 'visit record retention failed'),
        );
      }, 3_600_000);
      retentionTimer.unref();
      closers.push({ name: 'retention timer', run: async () => clearInterval(retentionTimer) });
      // Rules a set of models can raise: those whose classes any of them has.
      const servedBy = (cards: readonly ModelCard[]): Set<string> =>
        new Set(checkRulesAgainstModel(current.events.rules, { id: cards.map((c) => c.id).join('+'), labels: cards.flatMap((c) => c.labels) }).enabled.map((r) => r.id));
      const report = checkRulesAgainstModel(current.events.rules, { id: models.cards.map((c) => c.id).join('+'), labels: models.cards.flatMap((c) => c.labels) });
      running.rules = report;
      for (const note of report.disabled) log.info({ rule: note.ruleId }, note.message);
      const recheck = new Recheck({ store: caseStore, evidenceDir });
      const stage = new EventStage<IntakeResult>({
        memory: new RecordCameraMemoryStore(database!.db, (camera, err) => log.warn({ camera, err: err.message }, 'rule memory unreadable: starting afresh')),
        sink: intake,
        frames: evidenceFrameKeeper(evidenceDir),
        onJudged: async (j) => {
          await recheck.onJudged(j);
        },
        camera: (id) => {
          const cam = current.cameras.find((c) => c.id === id);
          if (!cam) return undefined;
          const all = RuleSet.fromConfig(current).forCamera(cam);
          let plan;
          try {
            plan = models.plan(cam, promotions!.promoted);
          } catch {
            // Its models are not loaded: the visit failed, nothing to judge.
            return { camera: { id: cam.id, areaType: cam.areaType, zones: cam.zones }, rules: [], shadowRules: () => [] };
          }
          const served = servedBy(plan.active.map((m) => models.card(m)));
          const rules = all.filter((r) => served.has(r.id));
          const shadowRules = (model: string): readonly RuleDef[] => {
            const id = model.split('@')[0]!;
            const mine = servedBy([models.card(id)]);
            return all.filter((r) => mine.has(r.id));
          };
          return { camera: { id: cam.id, areaType: cam.areaType, zones: cam.zones }, rules, shadowRules };
        },
      });
      stage.on('filed', (r) => metrics.onCase(r.outcome, r.case.eventType));
      stage.on('filed', (r) => void live.caseFiled(r).catch(livePublishFailed));
      running.events = stage;
      const worker = new PatrolWorker({
        ...common,
        slots: capacity.visitsInFlight,
        visitor,
        storageDir,
        visitTimeoutMs: p.timeouts.visitMs,
        afterVisit: async (analysis, startedAt) => {
          await live.visited(analysis).catch(livePublishFailed);
          return stage.onVisit(analysis, startedAt);
        },
        storage,
      });
      metrics.observeVisits(worker);
      worker.start();
      closers.push({ name: 'patrol worker', run: () => worker.close() });
      running.worker = worker;
      if (config.models.shadow.length) {
        // Promotes candidates whose precision bound reached the target; re-reads operators' promotions.
        const shadowTimer = setInterval(() => {
          (async () => {
            const cases: CaseRecord[] = [];
            for await (const c of allCases(caseStore)) cases.push(c);
            const done = await promoteReadyCandidates(candidatesOf(current), cases, promotions!, Date.now());
            if (done.length) log.info({ models: done }, 'shadow candidates promoted: their hits are dispatched from now on');
          })().catch((err: unknown) => log.warn({ err: (err as Error).message }, 'shadow promotion check failed'));
        }, options.shadowCheckEveryMs ?? 60_000);
        shadowTimer.unref();
        closers.push({ name: 'shadow timer', run: async () => clearInterval(shadowTimer) });
      }
    }
    if (options.roles.includes('scheduler')) {
      const leader = new PatrolLeader({ ...common, cameras: schedulerCameras(config), plan: schedulerPlan(config) });
      leader.start();
      closers.push({ name: 'patrol leader', run: () => leader.close() });
      running.leader = leader;
    }
    if (options.roles.includes('api')) {
      // Requests fail at once while Redis is away (no offline queue): a plain 503, never a hang.
      const apiRedis = createRedis(options.redisUrl, 'request', (err) => log.debug({ err: err.message }, 'api redis connection error'));
      closers.push({ name: 'api redis', run: () => closeRedis(apiRedis) });
      await redisReady(apiRedis);
      const caseStore = new CaseStore(database!.db, {
        eventType: (id) => current.events.catalogue.find((t) => t.id === id),
        claimLeaseMs: config.api.claimLeaseMinutes * 60_000,
      });
      // Case list pages are kept until a case changes: heard from this store at once, from other processes by LISTEN.
      const caseChanges = (await CaseChangeFeed.open(database!)).follow(caseStore);
      closers.push({ name: 'case change feed', run: () => caseChanges.close() });
      const patrolStore = new PatrolStore(apiRedis, config.redis.prefix);
      metrics.observePatrol(patrolStore, () => current.cameras.filter((c) => c.enabled).map((c) => c.id));
      // Cases by status, overdue and the outbox backlog: SQL counts on the record.
      metrics.observeCases(caseStore);
      const a = config.api.auth;
      // Users, tokens and the system audit live on the same record handle as the cases (one PGlite per folder).
      const identity = openIdentity(database!.db, apiRedis, config.redis.prefix, {
        sessionIdleMs: a.sessionIdleMinutes * 60_000,
        sessionMaxMs: a.sessionMaxHours * 3_600_000,
        lockAfterFailures: a.lockAfterFailures,
        lockMs: a.lockMinutes * 60_000,
      });
      const admin = await bootstrapAdmin(identity.accounts, env);
      if (admin.state === 'missing') log.warn(admin.howTo);
      if (admin.state === 'created') log.info({ username: admin.username }, 'created the first admin from GRIDWORKER_ADMIN_PASSWORD');
      running.identity = identity;
      running.admin = admin;
      const loadNext = options.loadConfig;
      const hub = new LiveHub({
        redisUrl: options.redisUrl,
        prefix: config.redis.prefix,
        log: createLogger('live'),
      });
      const app = createApiApp(
        {
          auth: { ...identity, adminReady: () => identity.accounts.hasAdmin(), trustedOrigins: a.trustedOrigins, loginPerMinute: a.loginPerMinute },
          ...(loadNext
            ? {
                reloadConfig: async () => {
                  const next = await loadNext();
                  await reload(next);
                  return { cameras: next.cameras.length };
                },
              }
            : {}),
          store: patrolStore,
          cameras: () => cameras,
          storageDir,
          cases: { store: caseStore, eventTypes: () => current.events.catalogue, evidenceDir, changes: caseChanges },
          accuracy: accuracyRoutes({ allCases: () => allCases(caseStore) }, { timezone: config.patrol.timezone }),
          shadow: shadowRoutes({
            candidates: () => candidatesOf(current),
            promotions: promotions!,
            cases: async () => {
              const out: CaseRecord[] = [];
              for await (const c of allCases(caseStore)) out.push(c);
              return out;
            },
          }),
          live: liveRoutes({ hub, redis: apiRedis, visibleTo: liveVisibility(() => cameras) }),
          redisReady: () => apiRedis.status === 'ready',
          readiness: () => readinessChecks({ redis: apiRedis, caseStore, patrolStore, storage, models: running.models, hasWorker: options.roles.includes('worker') }),
        },
        metrics.registry,
      );
      const api = await listen(app, config.api.host, options.apiPort ?? config.api.port);
      closers.push({ name: 'http', run: () => api.close() });
      // Closed before the server: it ends the open live-feed streams, so the server stops at once.
      closers.push({ name: 'live feed', run: () => hub.close() });
      hub.start();
      running.api = api;
    } else if (database) {
      running.metricsEndpoint = await startMetricsEndpoint(options, database, metrics, closers);
    } else {
      log.warn('no /metrics in this process: a scheduler alone needs DATABASE_URL (the tokens that may read metrics are in the record)');
    }
  } catch (err) {
    await close();
    throw err;
  }
  const beginShutdown = (): void => {
    for (const f of onShutdown) f();
  };
  return { ...running, metrics, storage, reload, beginShutdown, close } as Running;
}
