/** Delete everything tagged with the cluster, in dependency order. See --help. */
import { runAwsCommand } from '../lib/aws/cli.ts';
import { programName } from '../lib/cli/program-name.ts';
import { parseTeardownFlags, teardownHelp } from '../lib/aws/flags.ts';
import { teardown } from '../lib/aws/teardown.ts';

await runAwsCommand({ parse: (argv) => parseTeardownFlags(argv), help: () => teardownHelp(programName()), run: teardown });
