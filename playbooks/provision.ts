/** Create or correct the cluster's AWS infrastructure and write the inventory. See --help. */
import { runCommand } from '../lib/aws/cli.ts';
import { parseProvisionFlags } from '../lib/aws/flags.ts';
import { provision } from '../lib/aws/provision.ts';
import { PROVISION_USAGE } from '../lib/aws/usage.ts';

await runCommand(async () => {
  const options = parseProvisionFlags(process.argv.slice(2));
  if (options.help) {
    process.stdout.write(`${PROVISION_USAGE}\n`);
    return;
  }
  await provision(options);
});
