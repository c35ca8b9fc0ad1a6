import type { Plan, PlanSummary, PlanVerb, ResourcePlan } from './operations.ts';

const MARK: Record<PlanVerb, string> = { create: '+', change: '~', keep: '=' };

export function summaryLine(summary: PlanSummary): string {
  return `${summary.create} to create, ${summary.change} to change, ${summary.unchanged} unchanged`;
}

/** The plan as human lines: "+ create ...", "~ change ...", "= keep ...", changes indented under each. */
export function planLines(plan: Plan): string[] {
  const lines: string[] = [];
  for (const resource of plan.resources) {
    lines.push(headline(resource));
    if (resource.verb !== 'keep') {
      for (const change of resource.changes) {
        lines.push(`    ${change.text}`);
        for (const detail of change.details ?? []) lines.push(`      ${detail}`);
      }
    }
    for (const note of resource.notes) lines.push(`    note: ${note}`);
  }
  for (const problem of plan.problems) lines.push(`! ${problem}`);
  lines.push(summaryLine(plan.summary));
  return lines;
}

function headline(resource: ResourcePlan): string {
  const id = resource.id ? ` (${resource.id})` : '';
  return `${MARK[resource.verb]} ${resource.verb} ${resource.kind} ${resource.name}${id}`;
}

/** The plan as plain data for --json (operations are internal; their texts are kept). */
export function planJson(plan: Plan) {
  return {
    resources: plan.resources.map((r) => ({
      kind: r.kind,
      name: r.name,
      action: r.verb,
      ...(r.id ? { id: r.id } : {}),
      changes: r.changes.map((c) => (c.details?.length ? { text: c.text, details: c.details } : { text: c.text })),
      notes: r.notes,
    })),
    problems: plan.problems,
    summary: plan.summary,
  };
}
