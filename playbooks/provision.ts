/** Create or correct the cluster's AWS infrastructure and write the inventory. See --help. */
import { runAwsCommand } from '../lib/aws/cli.ts';
import { programName } from '../lib/cli/program-name.ts';
import { parseProvisionFlags, provisionHelp } from '../lib/aws/flags.ts';
import { provision } from '../lib/aws/provision.ts';

await runAwsCommand({ parse: (argv) => parseProvisionFlags(argv), help: () => provisionHelp(programName()), run: provision });
