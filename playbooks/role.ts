/**
 * Run one of the cluster's roles against any hosts: `bin/ploy playbooks/role.ts NAME [-l PATTERN]
 * [flags]` (the article's "run one role" tags). --help, alone or after NAME, lists the roles.
 */
import { definePlay, runPlaybook } from '../lib/index.ts';
import { programName } from '../lib/cli/program-name.ts';
import { clusterRoles } from './cluster-roles.ts';

const [name, ...flags] = process.argv.slice(2);
const names = clusterRoles.map((role) => role.name);
const role = clusterRoles.find((candidate) => candidate.name === name);
if (!role) {
  const usage = `Usage: ${programName()} NAME [flags]\n\nRuns one role of the cluster, NAME one of:\n${clusterRoles.map((r) => `  ${r.name} (hosts: ${r.hosts})`).join('\n')}\n\nThe flags are site.ts's (--help after NAME lists them).\n`;
  const asked = name === undefined || name === '-h' || name === '--help';
  (asked ? process.stdout : process.stderr).write(asked ? usage : `${programName()}: no role ${JSON.stringify(name)}; the roles are: ${names.join(', ')}\n\n${usage}`);
  process.exit(asked ? 0 : 1);
}
await runPlaybook(definePlay({ name: `role ${role.name}`, roles: [role] }), { argv: flags, program: `${programName()} ${role.name}` });
