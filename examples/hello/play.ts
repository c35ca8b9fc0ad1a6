/** `tsx examples/hello/play.ts -i INVENTORY [flags]`: the README's example, as a playbook. */
import { definePlay, runPlaybook } from '../../lib/index.ts';
import { hello } from './role.ts';

await runPlaybook(definePlay({ name: 'hello', roles: [hello] }));
