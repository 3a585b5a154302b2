import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * One write of the case store: guards (keys whose current string value must still be what was
 * read) and the commands to run when they hold. Applied by one Lua script, so the check and the
 * writes are atomic and need no WATCH (WATCH belongs to a connection, and the store shares one).
 */
export class CasWrite {
  private readonly keys: string[] = [];
  private readonly slot = new Map<string, number>();
  private readonly guards: [number, string | null][] = [];
  private readonly ops: [string, number, ...string[]][] = [];

  private ref(key: string): number {
    let i = this.slot.get(key);
    if (i === undefined) {
      i = this.keys.push(key);
      this.slot.set(key, i);
    }
    return i;
  }

  /** The write happens only if `key` still holds `expected` (null: does not exist). */
  guard(key: string, expected: string | null): this {
    this.guards.push([this.ref(key), expected]);
    return this;
  }

  /** Adds a command (one of SET, INCR, RPUSH, SADD, SREM, ZADD, ZREM, ZREMRANGEBYSCORE) on `key`. */
  op(command: CasCommand, key: string, ...args: (string | number)[]): this {
    // Lua would print large numbers as 1.7e+12: every argument crosses as a string.
    this.ops.push([command, this.ref(key), ...args.map(String)]);
    return this;
  }

  /** Runs it: true when the guards held and the commands ran, false when someone changed a guarded key. */
  async commit(redis: Redis): Promise<boolean> {
    const spec = JSON.stringify({ g: this.guards, o: this.ops });
    let r: unknown;
    try {
      r = await redis.evalsha(COMMIT_SHA, this.keys.length, ...this.keys, spec);
    } catch (err) {
      // The script cache is empty after a Redis restart: send the script once, cached from then on.
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      r = await redis.eval(COMMIT_LUA, this.keys.length, ...this.keys, spec);
    }
    return r === 1;
  }
}

/** Commands a CasWrite may run. */
export type CasCommand = 'SET' | 'INCR' | 'RPUSH' | 'SADD' | 'SREM' | 'ZADD' | 'ZREM' | 'ZREMRANGEBYSCORE';

const COMMIT_LUA = `
local spec = cjson.decode(ARGV[1])
for _, g in ipairs(spec.g) do
  local want = g[2]
  if want == cjson.null then want = false end
  if redis.call('GET', KEYS[g[1]]) ~= want then return 0 end
end
local allowed = { SET = 1, INCR = 1, RPUSH = 1, SADD = 1, SREM = 1, ZADD = 1, ZREM = 1, ZREMRANGEBYSCORE = 1 }
for _, op in ipairs(spec.o) do
  if not allowed[op[1]] then return redis.error_reply('command not allowed: ' .. tostring(op[1])) end
end
for _, op in ipairs(spec.o) do
  local args = { op[1], KEYS[op[2]] }
  for i = 3, #op do args[#args + 1] = op[i] end
  redis.call(unpack(args))
end
return 1
`;
const COMMIT_SHA = createHash('sha1').update(COMMIT_LUA).digest('hex');
