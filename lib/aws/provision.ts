import { constants } from 'node:fs';
import { access, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { InputError, PloyError } from '../errors.ts';
import { apply } from './apply.ts';
import type { AwsContext } from './clients.ts';
import { discoverInstances } from './discover-ec2.ts';
import { discoverLoadBalancers } from './discover-elb.ts';
import { discover, existingFor, scopeOf } from './discover.ts';
import { desiredState, resourceNames } from './desired.ts';
import { defaultSubnets, defaultVpc, machineImage, readPublicKey } from './environment.ts';
import type { ProvisionOptions } from './flags.ts';
import { inventoryDocument, renderInventory, writeFileAtomic, type InventoryDocument } from './inventory.ts';
import type { DesiredState } from './model.ts';
import { plan as makePlan, type Plan } from './plan.ts';
import { planJson, planLines } from './report.ts';
import { openSession, type AwsDeps } from './session.ts';

export interface ProvisionResult {
  readonly plan: Plan;
  /** Set when the inventory was written (not in check mode). */
  readonly inventoryPath?: string;
  readonly inventory?: InventoryDocument;
}

/**
 * Find the cluster's resources by tag, plan the difference to the desired state, print the plan,
 * and (unless --check) apply it, wait for instances and the load balancer, and write the inventory.
 */
export async function provision(options: ProvisionOptions, deps: AwsDeps = {}): Promise<ProvisionResult> {
  const publicKey = await readPublicKey(options.publicKeyPath);
  if (!options.check) await checkWritableDir(options.inventoryOut);
  const session = await openSession(options, deps);
  const { aws, output } = session;
  try {
    const vpcId = await defaultVpc(aws);
    const [zones, imageId] = await Promise.all([defaultSubnets(aws, vpcId), machineImage(aws, options.ami)]);
    const desired = desiredState({
      cluster: options.cluster,
      vpcId,
      zones,
      imageId,
      instanceType: options.instanceType,
      bastionInstanceType: options.bastionInstanceType,
      operatorCidr: options.operatorCidr,
      publicKey,
    });
    const existing = existingFor(desired, await discover(aws, options.cluster, scopeOf(desired)));
    const plan = makePlan(desired, existing);
    const header = { command: 'provision', cluster: options.cluster, region: options.region, vpcId, imageId, check: options.check };
    if (!options.json) {
      output.out(`Plan for cluster ${options.cluster} in ${options.region} (${vpcId}, image ${imageId})${options.check ? ', check mode: nothing is changed' : ''}`);
      planLines(plan).forEach((line) => output.out(line));
    }
    if (plan.problems.length) {
      if (options.json) output.out(JSON.stringify({ ...header, ...planJson(plan) }, null, 2));
      throw new InputError(`the plan has ${plan.problems.length} problem(s) (listed above); nothing was changed`, { field: 'AWS resources' });
    }
    if (options.check) {
      if (options.json) output.out(JSON.stringify({ ...header, ...planJson(plan) }, null, 2));
      return { plan };
    }
    await apply(aws, desired, existing, plan);
    const inventory = await currentInventory(aws, desired, options);
    await writeFileAtomic(options.inventoryOut, renderInventory(inventory.input));
    if (options.json) {
      output.out(JSON.stringify({ ...header, ...planJson(plan), inventory: { path: options.inventoryOut, ...inventory.document } }, null, 2));
    } else {
      output.out(`inventory written to ${options.inventoryOut} (bastion ${inventory.input.bastion.publicIp}, load balancer ${inventory.input.loadBalancerDns})`);
    }
    return { plan, inventoryPath: options.inventoryOut, inventory: inventory.document };
  } finally {
    session.close();
  }
}

/** Read the instances and load balancer back after apply: the inventory shows what AWS reports. */
async function currentInventory(aws: AwsContext, desired: DesiredState, options: ProvisionOptions) {
  const names = resourceNames(desired.cluster);
  const [instances, { loadBalancers }] = await Promise.all([discoverInstances(aws, desired.cluster, ['running']), discoverLoadBalancers(aws, desired.cluster)]);
  const byName = (name: string) => {
    const found = instances.find((i) => i.name === name);
    if (!found) throw new PloyError(`instance ${name} is not running after provisioning`);
    return found;
  };
  const lb = loadBalancers.find((l) => l.name === names.loadBalancer);
  if (!lb?.dnsName) throw new PloyError(`load balancer ${names.loadBalancer} has no DNS name after provisioning`);
  const input = {
    cluster: desired.cluster,
    region: options.region,
    bastion: byName(names.bastion),
    servers: desired.instances.filter((i) => i.role === 'server').map((i) => byName(i.name)),
    loadBalancerDns: lb.dnsName,
    ...(options.privateKeyPath ? { privateKeyPath: options.privateKeyPath } : {}),
  };
  return { input, document: inventoryDocument(input) };
}

/** Fail before creating anything if the inventory could not be written afterwards. */
async function checkWritableDir(path: string): Promise<void> {
  const dir = dirname(path);
  try {
    await mkdir(dir, { recursive: true });
    await access(dir, constants.W_OK);
  } catch (error) {
    throw new InputError(`cannot write the inventory in ${dir}: ${(error as Error).message}`, { file: path, field: '--inventory-out' }, { cause: error });
  }
}
