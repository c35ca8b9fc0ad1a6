import { quote } from '../../shell.ts';

/** One package as dpkg and apt-cache policy see it. */
export interface PackageFacts {
  /** dpkg's status: installed, config-files, not-installed, half-installed, unpacked...; not-installed when dpkg never heard of it. */
  readonly status: string;
  /** The installed version (dpkg), when installed. */
  readonly version?: string;
  /** The version apt would install; undefined when apt knows no such package or it has no candidate. */
  readonly candidate?: string;
  /** apt-cache policy listed it (a virtual package is listed, without a candidate), or dpkg reports it installed. */
  readonly known: boolean;
}

export interface AptFacts {
  readonly packages: ReadonlyMap<string, PackageFacts>;
  /** Seconds since the package lists were last updated (ploy's stamp, else the lists' directory); undefined when never. */
  readonly cacheAge?: number;
  /** A sources file changed after that update: the lists do not cover it yet, whatever their age. */
  readonly sourcesChanged: boolean;
}

/** Where a successful update is recorded, as Ansible (and Ubuntu's update-notifier) record it. */
export const UPDATE_STAMP = '/var/lib/apt/periodic/update-success-stamp';

/** dpkg's states in which a package counts as installed. */
const INSTALLED = new Set(['installed', 'triggers-pending', 'triggers-awaited']);

export function isInstalled(facts: PackageFacts | undefined): boolean {
  return facts !== undefined && INSTALLED.has(facts.status);
}

/**
 * Which packages the probe asks apt-cache policy about (the slow part: without a pkgcache.bin it
 * rebuilds apt's cache, ~0.4 s of CPU): `all` (state latest needs every candidate), `missing`
 * (state present: only those dpkg does not report installed), or `none` (state absent).
 */
export type CandidateScope = 'all' | 'missing' | 'none';

/** The candidates a state needs. */
export function candidateScope(state: 'present' | 'latest' | 'absent'): CandidateScope {
  return state === 'latest' ? 'all' : state === 'present' ? 'missing' : 'none';
}

const POLICY_AWK = `awk '/^[^ ].*:$/ { name = substr($0, 1, length($0) - 1) } /^  Candidate: / { print "policy=" name " " $2 }'`;

/** shell case pattern: dpkg's status is one of INSTALLED. */
const INSTALLED_CASE = [...INSTALLED].join('|');

/**
 * One probe: dpkg's status and version of every named package, apt's candidate versions of the
 * packages `candidates` says (`true`/`false`: all/none, as before scopes existed), and, when
 * `cacheAge` (updateCache or cacheValidTime asked for it), the host's clock and the lists' age.
 * Absence is data: unknown names print nothing. With `missing`, an installed package has no
 * candidate in the facts. Only dpkg-query (and apt-cache policy when needed) is a process of its
 * own: the rest is shell builtins, since every run of a play pays for this probe.
 */
export function aptProbeScript(names: readonly string[], candidates: CandidateScope | boolean, options: { cacheAge?: boolean } = {}): string {
  const scope: CandidateScope = candidates === true ? 'all' : candidates === false ? 'none' : candidates;
  const words = names.map((n) => quote(n)).join(' ');
  const lines = ['LC_ALL=C; export LC_ALL'];
  if (options.cacheAge ?? true) {
    lines.push(
      'echo "now=$(date +%s)"',
      `if [ -e ${UPDATE_STAMP} ]; then echo "stamp=$(stat -c %Y ${UPDATE_STAMP})"; elif [ -d /var/lib/apt/lists/partial ]; then echo "lists=$(stat -c %Y /var/lib/apt/lists)"; fi`,
      `echo "sources=$(stat -c %Y /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null | sort -n | tail -n 1)"`,
    );
  }
  if (names.length === 0) return lines.join('\n');
  const dpkgQuery = `dpkg-query -W -f='dpkg=\${Package} \${db:Status-Status} \${Version}\\n' ${words} 2>/dev/null`;
  if (scope !== 'missing') {
    lines.push(`${dpkgQuery} || true`);
    if (scope === 'all') lines.push(`apt-cache policy ${words} 2>/dev/null | ${POLICY_AWK}`);
    return lines.join('\n');
  }
  lines.push(
    `ploy_dpkg=$(${dpkgQuery})`,
    '[ -z "$ploy_dpkg" ] || printf \'%s\\n\' "$ploy_dpkg"',
    // The installed names, one " name " each, by splitting dpkg's lines in the shell itself.
    "ploy_installed=' '; ploy_ifs=$IFS; set -f; IFS='",
    "'",
    'for ploy_line in $ploy_dpkg; do IFS=$ploy_ifs; set -- $ploy_line; case $2 in ' + INSTALLED_CASE + ') ploy_installed="$ploy_installed${1#dpkg=} " ;; esac; done',
    'IFS=$ploy_ifs; set +f',
    'set --',
    `for ploy_name in ${words}; do case "$ploy_installed" in *" $ploy_name "*) ;; *) set -- "$@" "$ploy_name" ;; esac; done`,
    `[ $# -eq 0 ] || apt-cache policy "$@" 2>/dev/null | ${POLICY_AWK}`,
  );
  return lines.join('\n');
}

export function parseAptFacts(facts: Map<string, string[]>, names: readonly string[]): AptFacts {
  const dpkg = new Map<string, { status: string; version: string }>();
  for (const line of facts.get('dpkg') ?? []) {
    const [name, status, version] = line.split(' ');
    if (name && status) dpkg.set(name, { status, version: version ?? '' });
  }
  const policy = new Map<string, { candidate?: string }>();
  for (const line of facts.get('policy') ?? []) {
    const [qualified, candidate] = line.split(' ');
    if (!qualified) continue;
    policy.set(qualified.replace(/:[a-z0-9]+$/, ''), candidate && candidate !== '(none)' ? { candidate } : {});
  }
  const packages = new Map<string, PackageFacts>();
  for (const name of names) {
    const d = dpkg.get(name);
    const p = policy.get(name);
    packages.set(name, {
      status: d?.status ?? 'not-installed',
      ...(d && INSTALLED.has(d.status) ? { version: d.version } : {}),
      ...(p?.candidate !== undefined ? { candidate: p.candidate } : {}),
      // apt-cache policy lists every installed package; a `missing` probe did not ask about them.
      known: p !== undefined || (d !== undefined && INSTALLED.has(d.status)),
    });
  }
  const now = Number(facts.get('now')?.[0]);
  const stamp = Number(facts.get('stamp')?.[0] ?? facts.get('lists')?.[0] ?? NaN);
  const sources = Number(facts.get('sources')?.[0] || NaN);
  const known = Number.isFinite(now) && Number.isFinite(stamp);
  return { packages, ...(known ? { cacheAge: Math.max(0, now - stamp) } : {}), sourcesChanged: known && Number.isFinite(sources) && sources > stamp };
}
