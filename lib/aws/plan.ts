import type { DesiredState, ExistingState } from './model.ts';
import { summarize, type Plan } from './operations.ts';
import { planInstances, planKeyPair, planSecurityGroups } from './plan-ec2.ts';
import { planListeners, planLoadBalancer, planTargetGroups } from './plan-elb.ts';

export type { Operation, Plan, PlannedChange, PlanSummary, PlanVerb, ResourceKind, ResourcePlan } from './operations.ts';

/** Compare what should exist with what does: pure, so it is tested without AWS. */
export function plan(desired: DesiredState, existing: ExistingState): Plan {
  const problems = [...existing.conflicts];
  const resources = [
    planKeyPair(desired.keyPair, existing.keyPair, problems),
    ...planSecurityGroups(desired, existing),
    ...planInstances(desired, existing, problems),
    ...planTargetGroups(desired, existing, problems),
    planLoadBalancer(desired, existing, problems),
    ...planListeners(desired, existing),
  ];
  return { resources, problems, summary: summarize(resources) };
}
