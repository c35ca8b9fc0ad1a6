import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { InputError } from '../../lib/errors.ts';
import { defineFlags } from '../../lib/cli/flag-table.ts';
import { parseFlags, parsePlaybookFlags, playbookFlags, withSharedFlags } from '../../lib/cli/flags.ts';
import { formatHelp } from '../../lib/cli/help.ts';

function fails(argv: string[], pattern: RegExp): void {
  try {
    parsePlaybookFlags(argv);
  } catch (error) {
    assert.instance(error, InputError, String(error));
    assert.match((error as Error).message, pattern);
    return;
  }
  assert.unreachable(`${argv.join(' ')} should have been refused`);
}

test('no arguments give every default', () => {
  assert.equal(parsePlaybookFlags([]), {
    inventory: 'inventory/hosts.yml',
    limit: undefined,
    user: undefined,
    privateKey: undefined,
    become: false,
    becomeUser: undefined,
    askBecomePass: false,
    check: false,
    detailedExitcode: false,
    diff: false,
    tags: [],
    skipTags: [],
    startAtTask: undefined,
    role: [],
    forks: 10,
    extraVars: [],
    json: false,
    verbose: 0,
    listHosts: false,
    listTasks: false,
    listTags: false,
    syntaxCheck: false,
    acceptNewHostKeys: false,
    connectTimeout: 10_000,
    commandTimeout: undefined,
    help: false,
  });
});

test('every flag, long form', () => {
  const flags = parsePlaybookFlags([
    '--inventory',
    'inv/prod.yml',
    '--limit',
    'web*:!web3',
    '--user',
    'admin',
    '--private-key',
    '~/.ssh/k',
    '--become',
    '--become-user',
    'app',
    '--ask-become-pass',
    '--check',
    '--detailed-exitcode',
    '--diff',
    '--tags',
    'a,b',
    '--skip-tags',
    'slow',
    '--start-at-task',
    'app : Install',
    '--role',
    'bastion',
    '--forks',
    '4',
    '--extra-vars',
    'x=1',
    '--json',
    '--verbose',
    '--list-hosts',
    '--list-tasks',
    '--list-tags',
    '--syntax-check',
    '--accept-new-host-keys',
    '--connect-timeout',
    '2.5',
    '--command-timeout',
    '600',
    '--help',
  ]);
  assert.equal(flags, {
    inventory: 'inv/prod.yml',
    limit: 'web*:!web3',
    user: 'admin',
    privateKey: '~/.ssh/k',
    become: true,
    becomeUser: 'app',
    askBecomePass: true,
    check: true,
    detailedExitcode: true,
    diff: true,
    tags: ['a', 'b'],
    skipTags: ['slow'],
    startAtTask: 'app : Install',
    role: ['bastion'],
    forks: 4,
    extraVars: ['x=1'],
    json: true,
    verbose: 1,
    listHosts: true,
    listTasks: true,
    listTags: true,
    syntaxCheck: true,
    acceptNewHostKeys: true,
    connectTimeout: 2500,
    commandTimeout: 600_000,
    help: true,
  });
});

test('short forms, grouped and attached', () => {
  const flags = parsePlaybookFlags(['-i', 'h.yml', '-l', 'db', '-CD', '-t', 'x', '-f8', '-e', 'a=1', '-vvv', '-h']);
  assert.equal([flags.inventory, flags.limit, flags.check, flags.diff, flags.tags, flags.forks, flags.extraVars, flags.verbose, flags.help], ['h.yml', 'db', true, true, ['x'], 8, ['a=1'], 3, true]);
});

test("ansible-playbook's short forms: -u, -b, -K, grouped as Ansible users type them", () => {
  const flags = parsePlaybookFlags(['-u', 'admin', '-bK', '-C']);
  assert.equal([flags.user, flags.become, flags.askBecomePass, flags.check], ['admin', true, true, true]);
  fails(['-u'], /--user: needs a value/);
  fails(['--start-at-task', ''], /--start-at-task: needs a value/);
});

test('-v counts however it is written', () => {
  assert.is(parsePlaybookFlags(['-v']).verbose, 1);
  assert.is(parsePlaybookFlags(['-vv']).verbose, 2);
  assert.is(parsePlaybookFlags(['-v', '-v', '-v']).verbose, 3);
  assert.is(parsePlaybookFlags(['-vv', '--verbose']).verbose, 3);
});

test('tags are comma lists and repeatable; -e keeps its order; --role repeats', () => {
  const flags = parsePlaybookFlags(['-t', 'a, b', '--tags=c', '--skip-tags', 'x,y', '-e', '@vars.yml', '-e', '{"k": 1}', '-e', 'k=2', '--role', 'a', '--role', 'b']);
  assert.equal(flags.tags, ['a', 'b', 'c']);
  assert.equal(flags.skipTags, ['x', 'y']);
  assert.equal(flags.extraVars, ['@vars.yml', '{"k": 1}', 'k=2']);
  assert.equal(flags.role, ['a', 'b']);
});

test('a value starting with a dash is taken with = syntax', () => {
  assert.equal(parsePlaybookFlags(['--extra-vars=-x']).extraVars, ['-x']);
  assert.is(parsePlaybookFlags(['--limit=all:!web1']).limit, 'all:!web1');
});

test('bad input is an InputError naming the flag', () => {
  fails(['--nope'], /unknown flag --nope/);
  fails(['-x'], /unknown flag -x/);
  fails(['-f', '0'], /^--forks: expected a whole number of at least 1, got "0"$/);
  fails(['--forks', 'ten'], /^--forks: .*"ten"/);
  fails(['-f', '1.5'], /^--forks: /);
  fails(['-f'], /^--forks: needs a value$/);
  fails(['--connect-timeout', '0'], /^--connect-timeout: expected a number of seconds above 0, got "0"$/);
  fails(['--command-timeout', 'soon'], /^--command-timeout: /);
  fails(['--check=yes'], /^--check: takes no value$/);
  fails(['-e', '--json'], /^--extra-vars: needs a value; to give one starting with "-", write --extra-vars=VALUE$/);
  fails(['-l', ''], /^--limit: needs a value$/);
  fails(['-t', ','], /^--tags: needs a value$/);
  fails(['-e', ' '], /^--extra-vars: needs a value$/);
  fails(['site.yml'], /unexpected argument "site.yml"/);
});

test('--help wins over other mistakes', () => {
  assert.is(parsePlaybookFlags(['--nope', '--forks', 'x', '-h']).help, true);
});

test('other entry points add their own flags and keep the shared ones', () => {
  const own = defineFlags({
    region: { kind: 'value', valueName: 'NAME', default: 'eu-west-3', description: 'AWS region' },
    yes: { kind: 'boolean', short: 'y', description: 'Do not ask' },
  });
  const teardown = parseFlags(['-C', '--json', '-vv', '-y', '--region', 'us-east-1'], withSharedFlags(own));
  assert.equal(teardown, { check: true, json: true, verbose: 2, region: 'us-east-1', yes: true, help: false });
  assert.throws(
    () => parseFlags(['--limit', 'x'], withSharedFlags(own)),
    (e: unknown) => e instanceof InputError && /--limit/.test(String(e)),
  );
  const site = parsePlaybookFlags(['--cluster', 'c1'], { cluster: { kind: 'value', valueName: 'NAME', description: 'Cluster name' } });
  assert.is(site.cluster, 'c1');
  assert.is(site.forks, 10);
});

test('a flag table that repeats a name or a letter is refused', () => {
  assert.throws(() => parsePlaybookFlags([], { inventoryFile: { kind: 'boolean', long: 'inventory', description: 'x' } }), /--inventory is defined twice/);
  assert.throws(() => parsePlaybookFlags([], { yes: { kind: 'boolean', short: 'C', description: 'x' } }), /-C is defined twice/);
});

test('--help lists every flag with a description and its default', () => {
  const help = formatHelp('tsx playbooks/site.ts', playbookFlags, 'Runs the play "site".');
  assert.ok(help.startsWith('Usage: tsx playbooks/site.ts [flags]\n\nRuns the play "site".\n'));
  for (const long of [
    'inventory',
    'limit',
    'check',
    'diff',
    'tags',
    'skip-tags',
    'role',
    'forks',
    'extra-vars',
    'json',
    'verbose',
    'list-hosts',
    'accept-new-host-keys',
    'connect-timeout',
    'command-timeout',
    'help',
  ]) {
    const line = help.split('\n').find((l) => l.includes(`--${long}`));
    assert.ok(line, `--${long} is listed`);
    assert.match(line, /\S\s{2,}[A-Z]\S+/, `--${long} has a description`);
  }
  assert.match(help, /-i, --inventory PATH +.*\(default: inventory\/hosts\.yml\)/);
  assert.match(help, /-f, --forks N +.*\(default: 10\)/);
  assert.match(help, /--connect-timeout SECONDS +.*\(default: 10\)/);
  const flagLines = help.split('\n').filter((l) => /^  (-\w, |    )--/.test(l));
  assert.is(flagLines.length, Object.keys(playbookFlags).length, 'one line per flag');
  const columns = new Set(flagLines.map((l) => l.length - l.replace(/^.*?\S {2,}/, '').length));
  assert.is(columns.size, 1, 'descriptions start in one column');
});

test.run();
