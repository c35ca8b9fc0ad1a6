import type { EC2Client } from '@aws-sdk/client-ec2';
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { RetryPolicy } from './call.ts';
import { awsContext, createClients, guardReadOnly, onCommand, requireCredentials, type AwsContext, type WaitLimits } from './clients.ts';
import type { AwsCommonOptions } from './flags.ts';

/** Where a command writes: `out` is the result (stdout), `err` progress and -v lines (stderr). */
export interface Output {
  out(line: string): void;
  err(line: string): void;
}

export const processOutput: Output = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** What tests (or an embedding program) may supply instead of the defaults. */
export interface AwsDeps {
  readonly clients?: { ec2: EC2Client; elb: ElasticLoadBalancingV2Client };
  readonly output?: Output;
  readonly retry?: RetryPolicy;
  readonly waits?: WaitLimits;
}

export interface AwsSession {
  readonly aws: AwsContext;
  readonly output: Output;
  /** Remove the check-mode guard and -v listeners; destroy the clients the session created. */
  close(): void;
}

/**
 * Clients for the command: credentials resolved once before anything else, every non-read call
 * refused in check mode, each API call named on stderr with -v.
 */
export async function openSession(options: AwsCommonOptions, deps: AwsDeps = {}): Promise<AwsSession> {
  const output = deps.output ?? processOutput;
  const clients = deps.clients ?? createClients(options);
  await requireCredentials(clients.ec2);
  const cleanups: (() => void)[] = [];
  if (options.check) cleanups.push(guardReadOnly(clients.ec2), guardReadOnly(clients.elb));
  if (options.verbosity > 0) {
    for (const client of [clients.ec2, clients.elb]) cleanups.push(onCommand(client, (name) => output.err(`  aws ${name.replace(/Command$/, '')}`)));
  }
  const aws = awsContext(clients, options.region, {
    ...(deps.retry ? { retry: deps.retry } : {}),
    ...(deps.waits ? { waits: deps.waits } : {}),
    log: (line) => output.err(line),
  });
  if (!deps.clients)
    cleanups.push(
      () => clients.ec2.destroy(),
      () => clients.elb.destroy(),
    );
  return { aws, output, close: () => cleanups.forEach((c) => c()) };
}
