/** `tsx examples/ini-file/play.ts -i INVENTORY [flags]`: the journald role, with the project's iniFile module. */
import { definePlay, runPlaybook } from 'ploy';
import { journald } from './role.ts';

await runPlaybook(definePlay({ name: 'journald', roles: [journald] }));
