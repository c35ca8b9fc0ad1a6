import { quote } from '../../shell.ts';

/** What waitFor polls for, already checked. */
export type WaitCondition =
  | { readonly kind: 'port-open' | 'port-closed'; readonly host: string; readonly port: number; readonly connectTimeoutS: number }
  | { readonly kind: 'drained'; readonly port: number }
  | { readonly kind: 'path-present'; readonly path: string; readonly searchRegex?: string | undefined }
  | { readonly kind: 'path-absent'; readonly path: string }
  | { readonly kind: 'sleep' };

export interface WaitTiming {
  readonly timeoutS: number;
  readonly delayS: number;
  readonly sleepS: number;
}

/** Exit codes of the wait script besides 0 (the condition held). */
export const WAIT_TIMED_OUT = 75;
export const WAIT_NO_TOOL = 69;
export const WAIT_BAD_REGEX = 65;

/** TCP states counted as active connections by `drained` (Ansible's default list): /proc/net/tcp codes 01-06. */
const ACTIVE_STATES = '^0[1-6]$';

/**
 * One remote command that polls the condition ON THE HOST until it holds or the deadline passes
 * (the delay counts in the timeout, as in Ansible). Prints `elapsed=MILLISECONDS` and, for a file
 * search, `line=BASE64` of the first matching line.
 */
export function waitScript(condition: WaitCondition, timing: WaitTiming): string {
  // Milliseconds (GNU date's %N), so that a 2 s timeout is 2 s and not "until the second after next".
  const lines = ['ms() { date +%s%3N; }', 'start=$(ms)', `deadline=$((start + ${Math.round(timing.timeoutS * 1000)}))`, ...setup(condition)];
  if (timing.delayS > 0) lines.push(`sleep ${timing.delayS}`);
  if (condition.kind === 'sleep') {
    lines.push('left=$((deadline - $(ms)))', `[ "$left" -le 0 ] || sleep "$((left / 1000)).$(printf %03d $((left % 1000)))"`, 'echo "elapsed=$(( $(ms) - start ))"');
    return lines.join('\n');
  }
  lines.push(
    `ready() { ${check(condition)}; }`,
    'while :; do',
    '  if ready; then',
    ...(condition.kind === 'path-present' && condition.searchRegex !== undefined
      ? [`    printf 'line='; grep -E -m1 -- ${quote(condition.searchRegex)} ${quote(condition.path)} | head -c 4096 | base64 -w0; echo`]
      : []),
    '    echo "elapsed=$(( $(ms) - start ))"; exit 0',
    '  fi',
    '  now=$(ms)',
    `  if [ "$now" -ge "$deadline" ]; then echo "elapsed=$((now - start))"; exit ${WAIT_TIMED_OUT}; fi`,
    `  sleep ${timing.sleepS}`,
    'done',
  );
  return lines.join('\n');
}

function setup(condition: WaitCondition): string[] {
  switch (condition.kind) {
    case 'port-open':
    case 'port-closed':
      return [
        'if command -v bash >/dev/null 2>&1; then tool=bash',
        'elif command -v python3 >/dev/null 2>&1; then tool=python3',
        `else echo 'this host has neither bash nor python3 to test a TCP port with' >&2; exit ${WAIT_NO_TOOL}; fi`,
      ];
    case 'drained':
      return ['files=', 'for f in /proc/net/tcp /proc/net/tcp6; do [ -r "$f" ] && files="$files $f"; done'];
    case 'path-present':
      return condition.searchRegex === undefined
        ? []
        : [
            `printf '' | grep -Eq -- ${quote(condition.searchRegex)}; if [ $? -eq 2 ]; then echo ${quote(`not a valid extended regular expression (grep -E): ${condition.searchRegex}`)} >&2; exit ${WAIT_BAD_REGEX}; fi`,
          ];
    default:
      return [];
  }
}

function check(condition: Exclude<WaitCondition, { kind: 'sleep' }>): string {
  switch (condition.kind) {
    case 'port-open':
    case 'port-closed': {
      const args = `${quote(condition.host)} ${condition.port}`;
      const connect =
        `if [ "$tool" = bash ]; then timeout ${condition.connectTimeoutS} bash -c 'exec 3<>"/dev/tcp/$0/$1"' ${args} 2>/dev/null; ` +
        `else python3 -c 'import socket, sys; socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=float(sys.argv[3])).close()' ${args} ${condition.connectTimeoutS} 2>/dev/null; fi`;
      return condition.kind === 'port-open' ? connect : `! { ${connect}; }`;
    }
    case 'drained': {
      const hex = condition.port.toString(16).toUpperCase().padStart(4, '0');
      return `[ -z "$files" ] || ! awk -v p=${hex} 'FNR > 1 { n = split($2, a, ":"); if (a[n] == p && $4 ~ /${ACTIVE_STATES}/) found = 1 } END { exit !found }' $files`;
    }
    case 'path-present':
      return condition.searchRegex === undefined ? `[ -e ${quote(condition.path)} ]` : `grep -Eq -- ${quote(condition.searchRegex)} ${quote(condition.path)} 2>/dev/null`;
    case 'path-absent':
      return `[ ! -e ${quote(condition.path)} ]`;
  }
}
