/** Delete everything tagged with the cluster, in dependency order. See --help. */
import { runAwsCommand } from '../lib/aws/cli.ts';
import { parseTeardownFlags, teardownHelp } from '../lib/aws/flags.ts';
import { teardown } from '../lib/aws/teardown.ts';

await runAwsCommand({ parse: (argv) => parseTeardownFlags(argv), help: () => teardownHelp(), run: teardown });
