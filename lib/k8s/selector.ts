/** A Kubernetes label selector, as `kubectl --selector` takes it: `app=web,tier!=db,env in (a,b),!legacy`. */
export interface LabelRequirement {
  readonly key: string;
  readonly operator: 'equals' | 'notEquals' | 'in' | 'notIn' | 'exists' | 'notExists';
  readonly values: readonly string[];
}

const KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

/** Parse a selector; throws an Error saying which requirement is malformed. */
export function parseSelector(text: string): LabelRequirement[] {
  const parts = splitTopLevel(text).map((part) => part.trim());
  if (parts.length === 0 || parts.some((part) => part === '')) throw new Error(`empty requirement in selector ${JSON.stringify(text)}`);
  return parts.map((part) => parseRequirement(part));
}

function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const c of text) {
    if (c === '(') depth++;
    if (c === ')') depth--;
    if (c === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  parts.push(current);
  return parts;
}

function parseRequirement(part: string): LabelRequirement {
  const set = /^(\S+)\s+(in|notin)\s*\(([^()]*)\)$/.exec(part);
  let requirement: LabelRequirement;
  if (set) {
    const values = (set[3] ?? '').split(',').map((v) => v.trim());
    requirement = { key: set[1] ?? '', operator: set[2] === 'in' ? 'in' : 'notIn', values };
  } else {
    const equality = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(part);
    if (equality) {
      requirement = { key: equality[1] ?? '', operator: equality[2] === '!=' ? 'notEquals' : 'equals', values: [equality[3] ?? ''] };
    } else if (part.startsWith('!')) {
      requirement = { key: part.slice(1).trim(), operator: 'notExists', values: [] };
    } else {
      requirement = { key: part, operator: 'exists', values: [] };
    }
  }
  if (!KEY.test(requirement.key)) throw new Error(`${JSON.stringify(part)}: ${JSON.stringify(requirement.key)} is not a label key`);
  for (const value of requirement.values) if (!VALUE.test(value) || value.length > 63) throw new Error(`${JSON.stringify(part)}: ${JSON.stringify(value)} is not a label value`);
  return requirement;
}

/** Whether labels satisfy every requirement. */
export function matchesSelector(labels: Readonly<Record<string, string>>, requirements: readonly LabelRequirement[]): boolean {
  return requirements.every(({ key, operator, values }) => {
    const has = Object.prototype.hasOwnProperty.call(labels, key);
    const value = labels[key];
    switch (operator) {
      case 'equals':
      case 'in':
        return has && values.includes(value ?? '');
      case 'notEquals':
      case 'notIn':
        return !has || !values.includes(value ?? '');
      case 'exists':
        return has;
      case 'notExists':
        return !has;
    }
  });
}
