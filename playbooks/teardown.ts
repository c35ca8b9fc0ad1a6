/** Delete everything tagged with the cluster, in dependency order. See --help. */
import { runCommand } from '../lib/aws/cli.ts';
import { parseTeardownFlags } from '../lib/aws/flags.ts';
import { teardown } from '../lib/aws/teardown.ts';
import { TEARDOWN_USAGE } from '../lib/aws/usage.ts';

await runCommand(async () => {
  const options = parseTeardownFlags(process.argv.slice(2));
  if (options.help) {
    process.stdout.write(`${TEARDOWN_USAGE}\n`);
    return;
  }
  await teardown(options);
});
