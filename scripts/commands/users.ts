import type { Command } from 'commander';
import { checkRole } from '../../pipeline/identity/identity-input.ts';
import { cliActor, IDENTITY_OPTIONS, type IdentityCliFlags, readPassword, withIdentity } from './identity-cli-context.ts';

const grids = (v: string | undefined): string[] | undefined => (v === undefined ? undefined : v.split(',').map((s) => s.trim()).filter(Boolean));

/** Registers `gridworker users add|list|disable|enable|passwd|grant`. */
export function registerUsers(program: Command): void {
  const users = program.command('users').description('people who log in: add, list, disable, passwd, grant (passwords from stdin, a prompt or $GRIDWORKER_PASSWORD, never arguments)');
  const withOptions = (c: Command): Command => {
    for (const [flag, text] of IDENTITY_OPTIONS) c.option(flag, text);
    return c;
  };
  const say = (s: string): void => {
    process.stdout.write(`${s}\n`);
  };

  withOptions(users.command('add <username>').description('add a user; the password is read from stdin or a prompt'))
    .requiredOption('--role <role>', 'admin, operator, grid_worker, engineer or viewer')
    .option('--grids <list>', 'comma-separated grid ids (required for grid_worker)')
    .option('--display-name <name>', 'name shown in the console')
    .action(async (username: string, flags: IdentityCliFlags & { role: string; grids?: string; displayName?: string }) => {
      const role = checkRole(flags.role);
      const password = await readPassword(`password for ${username}: `);
      const u = await withIdentity(flags, (id) =>
        id.accounts.addUser({ username, password, role, grids: grids(flags.grids) ?? [], ...(flags.displayName ? { displayName: flags.displayName } : {}) }, cliActor()),
      );
      say(`added ${u.username} (${u.role}${u.grids.length ? `, grids ${u.grids.join(',')}` : ''})`);
    });

  withOptions(users.command('list').description('list users (no hashes)'))
    .option('--json', 'JSON output')
    .action(async (flags: IdentityCliFlags & { json?: boolean }) => {
      const list = await withIdentity(flags, (id) => id.accounts.listUsers());
      if (flags.json) say(JSON.stringify(list, null, 2));
      else for (const u of list) say(`${u.username}\t${u.role}\t${u.grids.join(',') || '-'}\t${u.disabled ? 'disabled' : 'active'}\t${u.displayName}`);
    });

  for (const [name, disabled] of [['disable', true], ['enable', false]] as const) {
    withOptions(users.command(`${name} <username>`).description(`${name} a user${disabled ? ' (their sessions end at once)' : ''}`)).action(async (username: string, flags: IdentityCliFlags) => {
      const u = await withIdentity(flags, (id) => id.accounts.setDisabled(username, disabled, cliActor()));
      say(`${u.username} is ${u.disabled ? 'disabled' : 'enabled'}`);
    });
  }

  withOptions(users.command('passwd <username>').description('set a new password (read from stdin or a prompt); their sessions end')).action(async (username: string, flags: IdentityCliFlags) => {
    const password = await readPassword(`new password for ${username}: `);
    await withIdentity(flags, (id) => id.accounts.setPassword(username, password, cliActor()));
    say(`password of ${username} changed; their sessions ended`);
  });

  withOptions(users.command('grant <username>').description('change role and/or grids; their sessions end'))
    .option('--role <role>', 'new role')
    .option('--grids <list>', 'new comma-separated grid ids')
    .action(async (username: string, flags: IdentityCliFlags & { role?: string; grids?: string }) => {
      const g = grids(flags.grids);
      const u = await withIdentity(flags, (id) => id.accounts.grant(username, { ...(flags.role ? { role: checkRole(flags.role) } : {}), ...(g ? { grids: g } : {}) }, cliActor()));
      say(`${u.username}: ${u.role}${u.grids.length ? `, grids ${u.grids.join(',')}` : ''}`);
    });
}
