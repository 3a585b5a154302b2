import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { checkRole } from '../../pipeline/identity/identity-input.ts';
import { cliActor, IDENTITY_OPTIONS, type IdentityCliFlags, withIdentity } from './identity-cli-context.ts';

/** "30d", "12h", "90m": a duration in ms. */
function parseDuration(v: string): number {
  const m = /^(\d+)([dhm])$/.exec(v.trim());
  if (!m) throw new InvalidArgumentError(`--expires must look like 30d, 12h or 90m (got "${v}")`);
  return Number(m[1]) * { d: 86_400_000, h: 3_600_000, m: 60_000 }[m[2] as 'd' | 'h' | 'm'];
}

/** Registers `gridworker tokens create|list|revoke`. */
export function registerTokens(program: Command): void {
  const tokens = program.command('tokens').description('service tokens for machines (dispatch consumers, scrapers, scripts): create, list, revoke');
  const withOptions = (c: Command): Command => {
    for (const [flag, text] of IDENTITY_OPTIONS) c.option(flag, text);
    return c;
  };
  const say = (s: string): void => {
    process.stdout.write(`${s}\n`);
  };

  withOptions(tokens.command('create <name>').description('create a token; it is printed once, on stdout, and stored only as a digest'))
    .requiredOption('--role <role>', 'admin, operator, grid_worker, engineer or viewer')
    .option('--grids <list>', 'comma-separated grid ids (grid_worker tokens)')
    .option('--expires <duration>', 'lifetime such as 30d, 12h, 90m (default: no expiry)', parseDuration)
    .action(async (name: string, flags: IdentityCliFlags & { role: string; grids?: string; expires?: number }) => {
      const role = checkRole(flags.role);
      const grids = flags.grids ? flags.grids.split(',').map((s) => s.trim()).filter(Boolean) : [];
      const created = await withIdentity(flags, (id) =>
        id.accounts.createToken({ name, role, grids, ...(flags.expires ? { expiresAt: Date.now() + flags.expires } : {}) }, cliActor()),
      );
      process.stderr.write(`token ${created.record.id} (${name}, ${role}${created.record.expiresAt ? `, expires ${new Date(created.record.expiresAt).toISOString()}` : ''}); shown once, store it now:\n`);
      say(created.token);
    });

  withOptions(tokens.command('list').description('list tokens (never their secrets)'))
    .option('--json', 'JSON output')
    .action(async (flags: IdentityCliFlags & { json?: boolean }) => {
      const list = await withIdentity(flags, (id) => id.accounts.listTokens());
      if (flags.json) say(JSON.stringify(list, null, 2));
      else {
        for (const t of list) {
          const state = t.revokedAt ? 'revoked' : t.expiresAt && t.expiresAt <= Date.now() ? 'expired' : 'live';
          say(`${t.id}\t${t.name}\t${t.role}\t${t.grids.join(',') || '-'}\t${state}\t${t.expiresAt ? new Date(t.expiresAt).toISOString() : 'no expiry'}`);
        }
      }
    });

  withOptions(tokens.command('revoke <id>').description('revoke a token (refused from the next request on)')).action(async (id: string, flags: IdentityCliFlags) => {
    const t = await withIdentity(flags, (i) => i.accounts.revokeToken(id, cliActor()));
    say(`token ${t.id} (${t.name}) revoked`);
  });
}
