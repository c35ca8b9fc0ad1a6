import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { InputError, PloyError } from '../errors.ts';
import { DEFAULT_THROTTLE_RETRY, describeFailure, errorCode, isThrottling, withRetry, type RetryPolicy } from './call.ts';

export type AwsClient = EC2Client | ElasticLoadBalancingV2Client;

/** Bounds, in seconds, of every wait on AWS. */
export interface WaitLimits {
  readonly instances: number;
  readonly loadBalancer: number;
  /** Total time teardown keeps retrying DependencyViolation on one security group. */
  readonly dependencies: number;
}

export const DEFAULT_WAITS: WaitLimits = { instances: 600, loadBalancer: 900, dependencies: 600 };

/** What every provisioning step receives: the two clients and how to call, retry, wait and log. */
export interface AwsContext {
  readonly ec2: EC2Client;
  readonly elb: ElasticLoadBalancingV2Client;
  readonly region: string;
  readonly retry: RetryPolicy;
  readonly waits: WaitLimits;
  /** A progress line (stderr); silent unless -v. */
  readonly log: (line: string) => void;
  /** Send through `fn`, retrying throttling; failures become AwsApiError naming `action`. */
  call<T>(action: string, fn: () => Promise<T>): Promise<T>;
}

export interface ClientOptions {
  readonly region: string;
  readonly endpoint?: string;
}

export function createClients(options: ClientOptions): { ec2: EC2Client; elb: ElasticLoadBalancingV2Client } {
  const config = { region: options.region, ...(options.endpoint ? { endpoint: options.endpoint } : {}) };
  const ec2 = new EC2Client(config);
  // One credential provider for both clients, so it is resolved (and cached) once.
  const elb = new ElasticLoadBalancingV2Client({ ...config, credentials: ec2.config.credentials });
  return { ec2, elb };
}

/** Resolve credentials before anything else, so that "none" is a clear error and not a failed call. */
export async function requireCredentials(ec2: EC2Client): Promise<void> {
  try {
    const credentials = await ec2.config.credentials();
    if (!credentials.accessKeyId) throw new Error('empty access key id');
  } catch (error) {
    const detail = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new InputError(
      `no AWS credentials found (${detail}): set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or run on a host with an instance role`,
      { field: 'credentials' },
      { cause: error },
    );
  }
}

export function awsContext(
  clients: { ec2: EC2Client; elb: ElasticLoadBalancingV2Client },
  region: string,
  options: { retry?: RetryPolicy; waits?: WaitLimits; log?: (line: string) => void } = {},
): AwsContext {
  const retry = options.retry ?? DEFAULT_THROTTLE_RETRY;
  const log = options.log ?? (() => {});
  return {
    ...clients,
    region,
    retry,
    waits: options.waits ?? DEFAULT_WAITS,
    log,
    async call<T>(action: string, fn: () => Promise<T>): Promise<T> {
      try {
        return await withRetry(fn, isThrottling, retry, (error, attempt, waitMs) => log(`  ${action}: ${errorCode(error)}, retry ${attempt} in ${waitMs} ms`));
      } catch (error) {
        throw describeFailure(action, error);
      }
    },
  };
}

/** Call `listener` with the name of every command the client sends, before it is sent. */
let listeners = 0;

/** Returns a function that removes the listener again. */
export function onCommand(client: AwsClient, listener: (commandName: string) => void): () => void {
  const name = `ployOnCommand${++listeners}`; // a stack refuses two middlewares of one name
  const middleware =
    <I, O>(next: (args: I) => Promise<O>, context: { commandName?: string }) =>
    (args: I): Promise<O> => {
      listener(context.commandName ?? '(unknown)');
      return next(args);
    };
  if (client instanceof EC2Client) client.middlewareStack.add(middleware, { step: 'initialize', name });
  else client.middlewareStack.add(middleware, { step: 'initialize', name });
  return () => void client.middlewareStack.remove(name);
}

/** True for the commands that only read: Describe*, Get*, List*. */
export function isReadOnlyCommand(commandName: string): boolean {
  return /^(Describe|Get|List)[A-Z]/.test(commandName);
}

/** Make any non-read command fail before it leaves the process: check mode's safety net. */
export function guardReadOnly(client: AwsClient): () => void {
  return onCommand(client, (commandName) => {
    if (!isReadOnlyCommand(commandName)) throw new PloyError(`check mode must not call ${commandName}; this is a bug in ploy`);
  });
}
