import { createHash } from 'node:crypto';
import { quote } from '../../lib/shell.ts';
import { BENCH, UNIT_TEXT, renderedConfig } from './desired-state.ts';

/** One fact about a bench host, as the probe prints it: `name<TAB>value`. */
export type HostFacts = Record<string, string>;

const q = quote;

/**
 * One shell command that reads every fact the end-state check needs, and prints them one per
 * line. It is also the floor's "one batched command": everything a no-change run must learn.
 * Absence is data: every probe prints a value and the script exits 0 on a fresh host.
 */
export function probeScript(): string {
  const stat = (name: string, path: string) => `printf '${name}\\t%s\\n' "$(stat -c '%F %a %U %G' ${q(path)} 2>/dev/null || echo absent)"`;
  const sha = (name: string, path: string) => `printf '${name}\\t%s\\n' "$(sha256sum ${q(path)} 2>/dev/null | cut -d' ' -f1)"`;
  const count = (name: string, line: string, path: string) => `n=$(grep -c -x -F ${q(line)} ${q(path)} 2>/dev/null); printf '${name}\\t%s\\n' "\${n:-0}"`;
  const lines = [
    `for p in ${[...BENCH.packages, ...BENCH.dependencies].join(' ')}; do s=$(dpkg-query -W -f='\${db:Status-Abbrev}' "$p" 2>/dev/null); printf 'pkg:%s\\t%s\\n' "$p" "$([ "$s" = 'ii ' ] && echo installed || echo absent)"; done`,
    stat('directory', BENCH.directory),
    stat('unit', BENCH.unitPath),
    sha('unit.sha256', BENCH.unitPath),
    stat('config', BENCH.templatePath),
    sha('config.sha256', BENCH.templatePath),
    count('line', BENCH.line, BENCH.linePath),
    `printf 'user\\t%s\\n' "$(getent passwd ${q(BENCH.user)} | cut -d: -f1,6,7 || true)"`,
    stat('sshDir', BENCH.sshDir),
    stat('authorizedKeys', BENCH.authorizedKeys),
    count('key', BENCH.key, BENCH.authorizedKeys),
    `printf 'active\\t%s\\n' "$(systemctl is-active ${q(BENCH.service)} 2>/dev/null || true)"`,
    `printf 'enabled\\t%s\\n' "$(systemctl is-enabled ${q(BENCH.service)} 2>/dev/null || true)"`,
    `printf 'snapshot\\t%s\\n' "$(cmp -s ${q(BENCH.snapshotSource)} ${q(BENCH.snapshotPath)} && echo same || echo missing)"`,
    `printf 'link\\t%s\\n' "$(readlink ${q(BENCH.linkPath)} || true)"`,
  ];
  return lines.join('\n');
}

export function parseFacts(output: string): HostFacts {
  const facts: HostFacts = {};
  for (const line of output.split('\n')) {
    const tab = line.indexOf('\t');
    if (tab > 0) facts[line.slice(0, tab)] = line.slice(tab + 1);
  }
  return facts;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** The facts of a host both tools have converged: `address` is its ansible_host. */
export function convergedFacts(host: string, address: string): HostFacts {
  const packages = Object.fromEntries([...BENCH.packages, ...BENCH.dependencies].map((p) => [`pkg:${p}`, 'installed']));
  return {
    ...packages,
    directory: 'directory 755 root root',
    unit: 'regular file 644 root root',
    'unit.sha256': sha256(UNIT_TEXT),
    config: 'regular file 644 root root',
    'config.sha256': sha256(renderedConfig(host, address)),
    line: '1',
    user: `${BENCH.user}:${BENCH.home}:${BENCH.shell}`,
    sshDir: `directory 700 ${BENCH.user} ${BENCH.user}`,
    authorizedKeys: `regular file 600 ${BENCH.user} ${BENCH.user}`,
    key: '1',
    active: 'active',
    enabled: 'enabled',
    snapshot: 'same',
    link: BENCH.linkTarget,
  };
}

/** The facts of a host none of the 12 things has been done to (after a reset). */
export function freshFacts(): HostFacts {
  const packages = Object.fromEntries([...BENCH.packages, ...BENCH.dependencies].map((p) => [`pkg:${p}`, 'absent']));
  return {
    ...packages,
    directory: 'absent',
    unit: 'absent',
    'unit.sha256': '',
    config: 'absent',
    'config.sha256': '',
    line: '0',
    user: '',
    sshDir: 'absent',
    authorizedKeys: 'absent',
    key: '0',
    active: 'inactive',
    enabled: '',
    snapshot: 'missing',
    link: '',
  };
}

/** Every fact that differs from what was expected, as "name: expected X, found Y". */
export function differences(expected: HostFacts, found: HostFacts): string[] {
  return Object.entries(expected)
    .filter(([name, value]) => found[name] !== value)
    .map(([name, value]) => `${name}: expected ${JSON.stringify(value)}, found ${found[name] === undefined ? 'nothing' : JSON.stringify(found[name])}`);
}
