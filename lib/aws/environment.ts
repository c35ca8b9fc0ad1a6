import { readFile } from 'node:fs/promises';
import { DescribeAvailabilityZonesCommand, DescribeImagesCommand, DescribeSubnetsCommand, DescribeVpcsCommand } from '@aws-sdk/client-ec2';
import { InputError } from '../errors.ts';
import { AwsApiError } from './call.ts';
import type { AwsContext } from './clients.ts';
import { SERVER_COUNT, type ZoneSubnet } from './desired.ts';
import { parsePublicKey } from './keypair.ts';

/** Debian's AWS account, which publishes the official Debian AMIs. */
export const DEBIAN_OWNER = '136693071363';
export const DEBIAN_12_NAME = 'debian-12-amd64-*';

export async function defaultVpc(aws: AwsContext): Promise<string> {
  const { Vpcs = [] } = await aws.call('finding the default VPC', () => aws.ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] })));
  const id = Vpcs[0]?.VpcId;
  if (!id) {
    throw new InputError(`region ${aws.region} has no default VPC: create one (aws ec2 create-default-vpc) or choose another region`, { field: '--region' });
  }
  return id;
}

/**
 * One default subnet per available zone, sorted by zone name. Fewer than three is an error raised
 * here, before anything is created.
 */
export async function defaultSubnets(aws: AwsContext, vpcId: string): Promise<ZoneSubnet[]> {
  const [{ AvailabilityZones = [] }, { Subnets = [] }] = await Promise.all([
    aws.call('listing availability zones', () =>
      aws.ec2.send(
        new DescribeAvailabilityZonesCommand({
          Filters: [
            { Name: 'zone-type', Values: ['availability-zone'] },
            { Name: 'state', Values: ['available'] },
          ],
        }),
      ),
    ),
    aws.call('listing default subnets', () =>
      aws.ec2.send(
        new DescribeSubnetsCommand({
          Filters: [
            { Name: 'vpc-id', Values: [vpcId] },
            { Name: 'default-for-az', Values: ['true'] },
          ],
        }),
      ),
    ),
  ]);
  const available = new Set(AvailabilityZones.map((z) => z.ZoneName));
  const byZone = new Map<string, string>();
  for (const subnet of Subnets) {
    if (subnet.AvailabilityZone && subnet.SubnetId && available.has(subnet.AvailabilityZone) && !byZone.has(subnet.AvailabilityZone)) {
      byZone.set(subnet.AvailabilityZone, subnet.SubnetId);
    }
  }
  const zones = [...byZone].sort(([a], [b]) => a.localeCompare(b)).map(([zone, subnetId]) => ({ zone, subnetId }));
  if (zones.length < SERVER_COUNT) {
    const found = zones.length ? zones.map((z) => z.zone).join(', ') : 'none';
    throw new InputError(
      `region ${aws.region} has ${zones.length} availability zone(s) with a default subnet in ${vpcId} (${found}); ` +
        `the cluster needs ${SERVER_COUNT} distinct zones. Create the missing default subnets ` +
        '(aws ec2 create-default-subnet --availability-zone ZONE) or choose another --region',
      { field: '--region' },
    );
  }
  return zones;
}

/** The newest official Debian 12 amd64 AMI, or the one given with --ami after checking it exists. */
export async function machineImage(aws: AwsContext, ami?: string): Promise<string> {
  if (ami) {
    const { Images = [] } = await aws
      .call(`checking AMI ${ami}`, () => aws.ec2.send(new DescribeImagesCommand({ ImageIds: [ami] })))
      .catch((error: unknown) => {
        if (error instanceof AwsApiError && error.code.startsWith('InvalidAMIID')) return { Images: [] };
        throw error;
      });
    if (!Images.some((image) => image.ImageId === ami)) throw new InputError(`AMI ${ami} does not exist in ${aws.region} (or is not visible to this account)`, { field: '--ami' });
    return ami;
  }
  const { Images = [] } = await aws.call('looking up the Debian 12 AMI', () =>
    aws.ec2.send(
      new DescribeImagesCommand({
        Owners: [DEBIAN_OWNER],
        Filters: [
          { Name: 'name', Values: [DEBIAN_12_NAME] },
          { Name: 'architecture', Values: ['x86_64'] },
          { Name: 'state', Values: ['available'] },
        ],
      }),
    ),
  );
  const newest = Images.filter((i) => i.ImageId).sort((a, b) => (b.CreationDate ?? '').localeCompare(a.CreationDate ?? ''))[0];
  if (!newest?.ImageId) {
    throw new InputError(`no Debian 12 AMI (owner ${DEBIAN_OWNER}, name ${DEBIAN_12_NAME}) found in ${aws.region}: pass --ami`, { field: '--ami' });
  }
  return newest.ImageId;
}

/** The public key line to import; unreadable or not an OpenSSH public key is an InputError. */
export async function readPublicKey(path: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new InputError(`cannot read the public key: ${reason} (generate one with ssh-keygen -t ed25519, or pass --public-key PATH)`, { file: path, field: '--public-key' }, { cause: error });
  }
  const key = parsePublicKey(text);
  if ('error' in key) throw new InputError(`not a usable public key: ${key.error}`, { file: path, field: '--public-key' });
  return `${key.type} ${key.blob}${key.comment ? ` ${key.comment}` : ''}`;
}
