/**
 * Configure the cluster that provision.ts created: `bin/ploy playbooks/site.ts [-i inventory/hosts.yml]
 * [--check] [--role NAME] [flags]`; --help lists the roles.
 */
import { definePlay, runPlaybook } from '../lib/index.ts';
import { clusterRoles } from './cluster-roles.ts';

await runPlaybook(definePlay({ name: 'site', roles: clusterRoles }));
