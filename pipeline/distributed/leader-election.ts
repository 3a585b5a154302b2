import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';

/** Options for {@link LeaderElection}. */
export interface LeaderElectionOptions {
  /** Redis key holding the leader's token. */
  readonly key: string;
  /** Lease length in ms: a leader that stops renewing loses the lease after this. Default 5000. */
  readonly leaseMs?: number;
  /** How often to try to acquire or renew, in ms. Default leaseMs / 3. */
  readonly renewMs?: number;
  /** Identifies this candidate in the key's value (host:pid is a good choice). */
  readonly name?: string;
}

// Renew only if we still hold it: compare the token, then extend.
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
// Release only if we still hold it.
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/**
 * Leader election through one Redis key with a lease (SET NX PX + compare-and-extend).
 * Exactly one candidate holds the key at a time; when the leader dies or cannot reach Redis,
 * its lease expires and another candidate takes over within about one lease.
 * Emits 'elected' and 'lost'; `isLeader` is the current belief. A leader that cannot renew
 * steps down by itself before its lease can have passed on, so two leaders never overlap.
 */
export class LeaderElection extends EventEmitter<{ elected: []; lost: []; error: [Error] }> {
  /** This candidate's token, stored as the key's value while it leads. */
  readonly token: string;
  private readonly leaseMs: number;
  private readonly renewMs: number;
  private timer: NodeJS.Timeout | undefined;
  private leader = false;
  private lastRenewOk = 0;
  private closed = false;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly redis: Redis,
    private readonly options: LeaderElectionOptions,
  ) {
    super();
    this.leaseMs = options.leaseMs ?? 5000;
    this.renewMs = options.renewMs ?? Math.max(100, Math.floor(this.leaseMs / 3));
    this.token = `${options.name ?? 'candidate'}:${randomUUID()}`;
  }

  /** True while this candidate holds the lease. */
  get isLeader(): boolean {
    return this.leader;
  }

  /** Starts campaigning. */
  start(): void {
    if (this.timer || this.closed) return;
    const tick = (): void => {
      this.running = this.tick().finally(() => {
        if (!this.closed) this.timer = setTimeout(tick, this.renewMs);
      });
    };
    tick();
  }

  private async tick(): Promise<void> {
    const now = Date.now();
    try {
      if (this.leader) {
        const ok = (await this.redis.eval(RENEW, 1, this.options.key, this.token, String(this.leaseMs))) === 1;
        if (ok) this.lastRenewOk = now;
        else this.setLeader(false);
      } else {
        const ok = (await this.redis.set(this.options.key, this.token, 'PX', this.leaseMs, 'NX')) === 'OK';
        if (ok) {
          this.lastRenewOk = now;
          this.setLeader(true);
        }
      }
    } catch (err) {
      if (this.listenerCount('error') > 0) this.emit('error', err as Error);
      // Cannot reach Redis: step down before the lease can have passed to someone else.
      if (this.leader && now - this.lastRenewOk > this.leaseMs - 2 * this.renewMs) this.setLeader(false);
    }
  }

  private setLeader(value: boolean): void {
    if (this.leader === value || (value && this.closed)) return;
    this.leader = value;
    this.emit(value ? 'elected' : 'lost');
  }

  /** Stops campaigning and releases the lease if held. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    await this.running;
    if (this.leader) {
      this.setLeader(false);
      try {
        await this.redis.eval(RELEASE, 1, this.options.key, this.token);
      } catch {
        // Redis is away: the lease simply expires.
      }
    }
  }
}
