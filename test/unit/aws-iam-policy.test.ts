import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The IAM actions the code can call: every Command it builds, and what its paginators and waiters send. */
function actionsUsed(): Set<string> {
  const used = new Set<string>();
  const hidden: Record<string, string> = {
    paginateDescribeInstances: 'DescribeInstances',
    paginateDescribeLoadBalancers: 'DescribeLoadBalancers',
    paginateDescribeSecurityGroupRules: 'DescribeSecurityGroupRules',
    paginateDescribeTargetGroups: 'DescribeTargetGroups',
    waitUntilInstanceRunning: 'DescribeInstances',
    waitUntilInstanceTerminated: 'DescribeInstances',
    waitUntilLoadBalancerAvailable: 'DescribeLoadBalancers',
    waitUntilLoadBalancersDeleted: 'DescribeLoadBalancers',
  };
  for (const file of readdirSync(join(ROOT, 'lib/aws')).filter((f) => f.endsWith('.ts'))) {
    const source = readFileSync(join(ROOT, 'lib/aws', file), 'utf8');
    for (const match of source.matchAll(/new (\w+)Command\(/g)) used.add(match[1]!);
    for (const match of source.matchAll(/\b(paginate\w+|waitUntil\w+)\(/g)) {
      const action = hidden[match[1]!];
      if (!action) throw new Error(`${file} uses ${match[1]}: add the calls it sends to this test`);
      used.add(action);
    }
  }
  return used;
}

function policyActions(): Set<string> {
  const doc = readFileSync(join(ROOT, 'docs/aws.md'), 'utf8');
  const json = /```json\n([\s\S]*?)```/.exec(doc)?.[1];
  assert.ok(json, 'docs/aws.md has a JSON policy');
  const policy = JSON.parse(json!) as { Statement: { Action: string | string[] }[] };
  return new Set(policy.Statement.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])).map((a) => a.split(':')[1]!));
}

test('the IAM policy in docs/aws.md allows every AWS action the code calls', () => {
  const missing = [...actionsUsed()].filter((a) => !policyActions().has(a));
  assert.equal(missing, []);
});

test('and nothing else, beyond tag-on-create and the load balancer service-linked role', () => {
  const extra = [...policyActions()].filter((a) => !actionsUsed().has(a)).sort();
  assert.equal(extra, ['AddTags', 'CreateServiceLinkedRole']);
});

test.run();
