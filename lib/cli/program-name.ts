import { relative } from 'node:path';

/**
 * How the running playbook was started, for usage lines: `tsx <script>`, or `bin/ploy <script>`
 * when bin/ploy started it (it sets this global; an env var would leak into local commands).
 */
export function programName(cwd = process.cwd()): string {
  const script = process.argv[1];
  const launcher: unknown = (globalThis as Record<symbol, unknown>)[Symbol.for('ploy.launcher')];
  return script ? `${typeof launcher === 'string' ? launcher : 'tsx'} ${relative(cwd, script) || script}` : 'ploy';
}
