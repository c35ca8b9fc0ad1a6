import { randomUUID } from 'node:crypto';
import {
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateTagsCommand,
  DescribeSecurityGroupRulesCommand,
  ImportKeyPairCommand,
  ModifyInstanceAttributeCommand,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
  RunInstancesCommand,
  StartInstancesCommand,
  type _InstanceType,
} from '@aws-sdk/client-ec2';
import { PloyError } from '../errors.ts';
import type { ApplyState } from './apply.ts';
import type { AwsContext } from './clients.ts';
import { toExistingRule } from './discover-ec2.ts';
import type { DesiredInstance, DesiredKeyPair, DesiredSecurityGroup, DesiredRule, SecurityGroupRole } from './model.ts';
import { diffRules, toIpPermission } from './rules.ts';
import { clusterTags } from './tags.ts';

export async function importKeyPair(aws: AwsContext, state: ApplyState, keyPair: DesiredKeyPair): Promise<void> {
  await aws.call(`importing key pair ${keyPair.name}`, () =>
    aws.ec2.send(
      new ImportKeyPairCommand({
        KeyName: keyPair.name,
        PublicKeyMaterial: new TextEncoder().encode(keyPair.publicKey),
        TagSpecifications: [{ ResourceType: 'key-pair', Tags: clusterTags(state.cluster, keyPair.name, 'key-pair') }],
      }),
    ),
  );
}

export async function tagKeyPair(aws: AwsContext, state: ApplyState, keyPairId: string): Promise<void> {
  await aws.call(`tagging key pair ${keyPairId}`, () => aws.ec2.send(new CreateTagsCommand({ Resources: [keyPairId], Tags: clusterTags(state.cluster, state.desired.keyPair.name, 'key-pair') })));
}

export async function createSecurityGroup(aws: AwsContext, state: ApplyState, group: DesiredSecurityGroup): Promise<void> {
  const { GroupId } = await aws.call(`creating security group ${group.name}`, () =>
    aws.ec2.send(
      new CreateSecurityGroupCommand({
        GroupName: group.name,
        Description: group.description,
        VpcId: state.desired.vpcId,
        TagSpecifications: [{ ResourceType: 'security-group', Tags: clusterTags(state.cluster, group.name, group.role) }],
      }),
    ),
  );
  if (!GroupId) throw new PloyError(`creating security group ${group.name}: AWS returned no group id`);
  state.groupIds[group.role] = GroupId;
}

/** Re-read the group's rules now (AWS adds a default egress rule to new groups) and converge them. */
export async function syncRules(aws: AwsContext, state: ApplyState, group: DesiredSecurityGroup): Promise<void> {
  const groupId = requireGroup(state, group.role);
  const { SecurityGroupRules = [] } = await aws.call(`reading rules of ${group.name}`, () =>
    aws.ec2.send(new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'group-id', Values: [groupId] }] })),
  );
  const { authorize, revoke } = diffRules(group.rules, SecurityGroupRules.map(toExistingRule), state.groupIds);
  const permissions = (direction: DesiredRule['direction']) => authorize.filter((r) => r.direction === direction).map((r) => toIpPermission(r, state.groupIds));
  const ruleIds = (direction: DesiredRule['direction']) => revoke.filter((r) => r.direction === direction).map((r) => r.id);
  const ingress = permissions('ingress');
  const egress = permissions('egress');
  if (ingress.length) await aws.call(`authorizing ingress on ${group.name}`, () => aws.ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: ingress })));
  if (egress.length) await aws.call(`authorizing egress on ${group.name}`, () => aws.ec2.send(new AuthorizeSecurityGroupEgressCommand({ GroupId: groupId, IpPermissions: egress })));
  const revokeIn = ruleIds('ingress');
  const revokeOut = ruleIds('egress');
  if (revokeIn.length) await aws.call(`revoking ingress on ${group.name}`, () => aws.ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: groupId, SecurityGroupRuleIds: revokeIn })));
  if (revokeOut.length) await aws.call(`revoking egress on ${group.name}`, () => aws.ec2.send(new RevokeSecurityGroupEgressCommand({ GroupId: groupId, SecurityGroupRuleIds: revokeOut })));
}

export async function runInstance(aws: AwsContext, state: ApplyState, instance: DesiredInstance): Promise<void> {
  const groupId = requireGroup(state, instance.securityGroup);
  const tags = clusterTags(state.cluster, instance.name, instance.role);
  const { Instances = [] } = await aws.call(`launching instance ${instance.name}`, () =>
    aws.ec2.send(
      new RunInstancesCommand({
        ImageId: instance.imageId,
        InstanceType: instance.instanceType as _InstanceType, // validated as a type name by the flags; AWS rejects unknown ones
        MinCount: 1,
        MaxCount: 1,
        KeyName: state.desired.keyPair.name,
        // A public address for every host: the default VPC has no NAT, and the servers download K3s.
        NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: instance.subnetId, Groups: [groupId], AssociatePublicIpAddress: true }],
        MetadataOptions: { HttpTokens: 'required', HttpEndpoint: 'enabled' },
        TagSpecifications: [
          { ResourceType: 'instance', Tags: tags },
          { ResourceType: 'volume', Tags: tags },
        ],
        ClientToken: randomUUID(),
      }),
    ),
  );
  const id = Instances[0]?.InstanceId;
  if (!id) throw new PloyError(`launching instance ${instance.name}: AWS returned no instance id`);
  state.instanceIds.set(instance.name, id);
}

export async function startInstance(aws: AwsContext, instanceId: string): Promise<void> {
  await aws.call(`starting instance ${instanceId}`, () => aws.ec2.send(new StartInstancesCommand({ InstanceIds: [instanceId] })));
}

export async function setInstanceGroup(aws: AwsContext, state: ApplyState, instanceId: string, role: SecurityGroupRole): Promise<void> {
  const groupId = requireGroup(state, role);
  await aws.call(`setting the security group of ${instanceId}`, () => aws.ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: instanceId, Groups: [groupId] })));
}

function requireGroup(state: ApplyState, role: SecurityGroupRole): string {
  const id = state.groupIds[role];
  if (!id) throw new PloyError(`security group ${role} has no id: it should have been created earlier in this run`);
  return id;
}
