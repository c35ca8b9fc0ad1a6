import { reveal, type Secret } from '../../secret.ts';
import { quote } from '../../shell.ts';

/**
 * Shell pieces that download ON THE HOST with whichever of curl, wget or python3 it has (in that
 * order). The proxy and the request headers arrive on standard input and are kept in private temp
 * files, so neither ever appears on a command line (`ps`) or in a -v echo. The script that uses
 * these pieces must declare `hdr= wrc=` and remove both files on exit.
 */

export interface FetchOptions {
  /** Seconds to connect, and seconds without a byte before a transfer is given up. */
  readonly timeoutS: number;
}

/** Standard input for fetcherScript: the proxy line (maybe empty), then one `Name: value` header per line. */
export function downloadStdin(proxy: string | Secret | undefined, headers: Record<string, string | Secret> = {}): string {
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${reveal(value)}\n`);
  return `${proxy === undefined ? '' : reveal(proxy)}\n${lines.join('')}`;
}

const PYTHON_FETCH = [
  'import shutil, sys, urllib.request',
  'url, out, timeout, hdr = sys.argv[1:5]',
  'req = urllib.request.Request(url)',
  'for line in open(hdr, encoding="utf-8"):',
  '    name, sep, value = line.rstrip("\\r\\n").partition(":")',
  '    if sep:',
  '        req.add_header(name.strip(), value.strip())',
  'try:',
  '    with urllib.request.urlopen(req, timeout=float(timeout)) as r, open(out, "wb") as f:',
  '        shutil.copyfileobj(r, f)',
  'except Exception as e:',
  '    sys.stderr.write("%s: %s\\n" % (url, e))',
  '    sys.exit(1)',
].join('\n');

/**
 * Lines that read the proxy and headers from stdin, pick the fetcher (printed as `fetcher=NAME`,
 * `none` when the host has none) and define `ploy_fetch URL OUT`, which fails on HTTP errors.
 */
export function fetcherScript(options: FetchOptions): string {
  const t = String(options.timeoutS);
  return [
    'IFS= read -r proxy || proxy=',
    'hdr=$(mktemp) && wrc=$(mktemp) || exit 3',
    'cat > "$hdr"',
    `sed 's/^/header = /' "$hdr" > "$wrc"`,
    'if [ -n "$proxy" ]; then export http_proxy="$proxy" https_proxy="$proxy" HTTPS_PROXY="$proxy"; fi',
    'if command -v curl >/dev/null 2>&1; then fetcher=curl',
    'elif command -v wget >/dev/null 2>&1; then fetcher=wget',
    'elif command -v python3 >/dev/null 2>&1; then fetcher=python3',
    'else fetcher=none; fi',
    'echo "fetcher=$fetcher"',
    'ploy_fetch() {',
    '  case $fetcher in',
    `    curl) curl -fsSL --connect-timeout ${t} --speed-time ${t} --speed-limit 1 -H @"$hdr" -o "$2" -- "$1" ;;`,
    `    wget) wget -nv -T ${t} --config="$wrc" -O "$2" -- "$1" ;;`,
    `    python3) python3 -c ${quote(PYTHON_FETCH)} "$1" "$2" ${t} "$hdr" ;;`,
    `    *) echo 'this host has no curl, wget or python3 to download with' >&2; return 127 ;;`,
    '  esac',
    '}',
  ].join('\n');
}

/** Lines that run ploy_fetch until it succeeds, at most retries+1 times, waiting 1, 2, 4... (max 30) s between; exit 4 at the end. */
export function retryingFetch(url: string, out: string, retries: number): string {
  return [
    'n=0; pause=1',
    `until ploy_fetch ${quote(url)} ${out}; do`,
    '  n=$((n + 1))',
    `  if [ "$n" -gt ${retries} ]; then echo "attempts=$n"; exit 4; fi`,
    '  sleep "$pause"; pause=$((pause * 2)); [ "$pause" -le 30 ] || pause=30',
    'done',
  ].join('\n');
}

/** Exit codes the download scripts use beyond 0: 3 a local step failed, 4 the download failed, 5 the sha256 differs. */
export const DOWNLOAD_FAILED = 4;
export const CHECKSUM_MISMATCH = 5;
