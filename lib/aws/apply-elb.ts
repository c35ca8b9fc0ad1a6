import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  DeleteListenerCommand,
  DeregisterTargetsCommand,
  ModifyListenerCommand,
  ModifyLoadBalancerAttributesCommand,
  ModifyTargetGroupCommand,
  RegisterTargetsCommand,
  SetSecurityGroupsCommand,
  SetSubnetsCommand,
  type Action,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { PloyError } from '../errors.ts';
import type { ApplyState } from './apply.ts';
import type { AwsContext } from './clients.ts';
import type { DesiredListener, DesiredLoadBalancer, DesiredTargetGroup, SecurityGroupRole } from './model.ts';
import { clusterTags } from './tags.ts';

export async function createTargetGroup(aws: AwsContext, state: ApplyState, group: DesiredTargetGroup): Promise<void> {
  const { TargetGroups = [] } = await aws.call(`creating target group ${group.name}`, () =>
    aws.elb.send(
      new CreateTargetGroupCommand({
        Name: group.name,
        Protocol: 'TCP',
        Port: group.port,
        VpcId: state.desired.vpcId,
        TargetType: 'instance',
        HealthCheckEnabled: true,
        HealthCheckProtocol: 'TCP',
        HealthCheckPort: String(group.healthCheckPort),
        Tags: clusterTags(state.cluster, group.name, 'target-group'),
      }),
    ),
  );
  const arn = TargetGroups[0]?.TargetGroupArn;
  if (!arn) throw new PloyError(`creating target group ${group.name}: AWS returned no ARN`);
  state.targetGroupArns.set(group.name, arn);
}

export async function setHealthCheck(aws: AwsContext, state: ApplyState, group: DesiredTargetGroup): Promise<void> {
  const arn = targetGroupArn(state, group.name);
  await aws.call(`setting the health check of ${group.name}`, () =>
    aws.elb.send(new ModifyTargetGroupCommand({ TargetGroupArn: arn, HealthCheckEnabled: true, HealthCheckProtocol: 'TCP', HealthCheckPort: String(group.healthCheckPort) })),
  );
}

export async function createLoadBalancer(aws: AwsContext, state: ApplyState, lb: DesiredLoadBalancer): Promise<void> {
  const groupId = state.groupIds[lb.securityGroup];
  const { LoadBalancers = [] } = await aws.call(`creating load balancer ${lb.name}`, () =>
    aws.elb.send(
      new CreateLoadBalancerCommand({
        Name: lb.name,
        Type: 'network',
        Scheme: 'internet-facing',
        IpAddressType: 'ipv4',
        Subnets: [...lb.subnetIds],
        SecurityGroups: groupId ? [groupId] : [],
        Tags: clusterTags(state.cluster, lb.name, 'load-balancer'),
      }),
    ),
  );
  const created = LoadBalancers[0];
  if (!created?.LoadBalancerArn) throw new PloyError(`creating load balancer ${lb.name}: AWS returned no ARN`);
  state.loadBalancerArn = created.LoadBalancerArn;
}

export async function setLoadBalancerGroup(aws: AwsContext, state: ApplyState, role: SecurityGroupRole): Promise<void> {
  const groupId = state.groupIds[role];
  if (!groupId) throw new PloyError(`security group ${role} has no id: it should have been created earlier in this run`);
  await aws.call('setting the load balancer security group', () => aws.elb.send(new SetSecurityGroupsCommand({ LoadBalancerArn: loadBalancerArn(state), SecurityGroups: [groupId] })));
}

export async function setLoadBalancerSubnets(aws: AwsContext, state: ApplyState, subnetIds: readonly string[]): Promise<void> {
  await aws.call('setting the load balancer subnets', () => aws.elb.send(new SetSubnetsCommand({ LoadBalancerArn: loadBalancerArn(state), Subnets: [...subnetIds] })));
}

export async function setCrossZone(aws: AwsContext, state: ApplyState): Promise<void> {
  await aws.call('turning cross-zone load balancing on', () =>
    aws.elb.send(new ModifyLoadBalancerAttributesCommand({ LoadBalancerArn: loadBalancerArn(state), Attributes: [{ Key: 'load_balancing.cross_zone.enabled', Value: 'true' }] })),
  );
}

export async function registerTargets(aws: AwsContext, state: ApplyState, group: string, instances: readonly string[]): Promise<void> {
  const targets = instances.map((name) => {
    const id = state.instanceIds.get(name);
    if (!id) throw new PloyError(`instance ${name} has no id: it should have been launched earlier in this run`);
    return { Id: id };
  });
  await aws.call(`registering targets in ${group}`, () => aws.elb.send(new RegisterTargetsCommand({ TargetGroupArn: targetGroupArn(state, group), Targets: targets })));
}

export async function deregisterTargets(aws: AwsContext, state: ApplyState, group: string, instanceIds: readonly string[]): Promise<void> {
  await aws.call(`deregistering targets from ${group}`, () => aws.elb.send(new DeregisterTargetsCommand({ TargetGroupArn: targetGroupArn(state, group), Targets: instanceIds.map((Id) => ({ Id })) })));
}

export async function createListener(aws: AwsContext, state: ApplyState, listener: DesiredListener): Promise<void> {
  const name = `${state.desired.loadBalancer.name}:${listener.port}`;
  await aws.call(`creating listener ${name}`, () =>
    aws.elb.send(
      new CreateListenerCommand({
        LoadBalancerArn: loadBalancerArn(state),
        Protocol: 'TCP',
        Port: listener.port,
        DefaultActions: forwardTo(state, listener),
        Tags: clusterTags(state.cluster, name, 'listener'),
      }),
    ),
  );
}

export async function setListenerTarget(aws: AwsContext, state: ApplyState, listenerArn: string, listener: DesiredListener): Promise<void> {
  await aws.call(`pointing listener ${listener.port} at ${listener.targetGroup}`, () =>
    aws.elb.send(new ModifyListenerCommand({ ListenerArn: listenerArn, Protocol: 'TCP', Port: listener.port, DefaultActions: forwardTo(state, listener) })),
  );
}

export async function deleteListener(aws: AwsContext, listenerArn: string, port: number): Promise<void> {
  await aws.call(`deleting listener on port ${port}`, () => aws.elb.send(new DeleteListenerCommand({ ListenerArn: listenerArn })));
}

function forwardTo(state: ApplyState, listener: DesiredListener): Action[] {
  return [{ Type: 'forward', TargetGroupArn: targetGroupArn(state, listener.targetGroup) }];
}

function targetGroupArn(state: ApplyState, name: string): string {
  const arn = state.targetGroupArns.get(name);
  if (!arn) throw new PloyError(`target group ${name} has no ARN: it should have been created earlier in this run`);
  return arn;
}

function loadBalancerArn(state: ApplyState): string {
  if (!state.loadBalancerArn) throw new PloyError('the load balancer has no ARN: it should have been created earlier in this run');
  return state.loadBalancerArn;
}
