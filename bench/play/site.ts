/**
 * The benchmark's ploy playbook: `tsx bench/play/site.ts -i INVENTORY --forks N [--check]`.
 * Its files/ and templates/ are beside it, so the project directory is this folder.
 */
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runPlaybook } from '../../lib/cli/main.ts';
import { definePlay } from '../../lib/role.ts';
import { benchRole } from './bench-role.ts';

await runPlaybook(definePlay({ name: 'bench', roles: [benchRole] }), { projectDir: dirname(fileURLToPath(import.meta.url)) });
