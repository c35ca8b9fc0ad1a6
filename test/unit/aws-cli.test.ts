import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { awsCommandMain, type AwsCommand } from '../../lib/aws/cli.ts';
import { AwsApiError } from '../../lib/aws/call.ts';
import { parseProvisionFlags, parseTeardownFlags, provisionFlags, provisionHelp, teardownHelp, type ProvisionOptions } from '../../lib/aws/flags.ts';
import { longName } from '../../lib/cli/flag-table.ts';
import { InputError, PloyError } from '../../lib/errors.ts';

const env = { AWS_REGION: 'eu-west-3' };
const base = ['--operator-cidr', '203.0.113.7/32'];

function command(run: (options: ProvisionOptions) => Promise<unknown>): AwsCommand<ProvisionOptions> {
  return { parse: (argv) => parseProvisionFlags(argv, env, '/work/project'), help: () => provisionHelp(), run };
}

async function main(argv: string[], run: (options: ProvisionOptions) => Promise<unknown> = async () => {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await awsCommandMain(command(run), { argv, stdout: { write: (t: string) => out.push(t) }, stderr: { write: (t: string) => err.push(t) } });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

test('provision --help: the shared layout, every flag, the required one in the usage line', () => {
  const help = provisionHelp();
  assert.ok(help.startsWith('Usage: tsx playbooks/provision.ts --operator-cidr CIDR [flags]\n\nCreates (or corrects)'), help);
  assert.match(help, /\nFlags:\n {2}-C, --check {2,}Check mode/);
  for (const [key, spec] of Object.entries(provisionFlags)) assert.match(help, new RegExp(`--${longName(key, spec)}\\b`), key);
  assert.match(help, /--instance-type TYPE +Instance type of the K3s servers \(default: t3\.medium\)/);
  assert.match(help, /-v, --verbose +More output: -v names every AWS API call on stderr/);
  assert.match(help, /Exit codes: 0 done, 1 bad input \(nothing changed\), 2 an AWS call failed\./);
});

test("teardown --help lists -y, --yes and not provision's flags", () => {
  const help = teardownHelp();
  assert.ok(help.startsWith('Usage: tsx playbooks/teardown.ts [flags]\n'), help);
  assert.match(help, /-y, --yes +Do not ask for confirmation/);
  assert.not.match(help, /operator-cidr/);
  assert.equal(parseTeardownFlags(['-y', '-h'], {}), { help: true });
});

test('-h prints the help on stdout and runs nothing: exit 0', async () => {
  let ran = false;
  const result = await main(['-h'], async () => {
    ran = true;
  });
  assert.equal([result.code, result.stdout, result.stderr, ran], [0, provisionHelp(), '', false]);
});

test('the parsed options reach the command: exit 0', async () => {
  let seen: ProvisionOptions | undefined;
  const result = await main([...base, '--check'], async (o) => {
    seen = o;
  });
  assert.is(result.code, 0);
  assert.equal([seen?.operatorCidr, seen?.check, seen?.region], ['203.0.113.7/32', true, 'eu-west-3']);
});

test('a bad flag: ERROR naming it on stderr, exit 1, nothing run', async () => {
  let ran = false;
  const result = await main([...base, '--forks', '3'], async () => {
    ran = true;
  });
  assert.equal([result.code, result.stdout, result.stderr, ran], [1, '', 'ERROR: unknown flag --forks (see --help for the flags)\n', false]);
});

test('bad input from the command is exit 1, its message alone, even at -vvv only then with the stack', async () => {
  const refuse = async () => {
    throw new InputError('not confirmed; nothing was deleted', { field: 'confirmation' });
  };
  const plain = await main(base, refuse);
  assert.equal([plain.code, plain.stderr], [1, 'ERROR: field "confirmation": not confirmed; nothing was deleted\n']);
  const verbose = await main([...base, '-vvv'], refuse);
  assert.is(verbose.code, 1);
  assert.match(verbose.stderr, /^ERROR: field "confirmation": not confirmed; nothing was deleted\nInputError: .*\n\s+at /);
});

test('a failed AWS call is exit 2 with its message; no stack below -vvv', async () => {
  const fail = async () => {
    throw new AwsApiError('creating security group k3s-ha-nlb', 'UnauthorizedOperation', 'You are not authorized');
  };
  const result = await main(base, fail);
  assert.equal([result.code, result.stderr], [2, 'ERROR: creating security group k3s-ha-nlb: UnauthorizedOperation: You are not authorized\n']);
  const waited = await main(base, async () => {
    throw new PloyError('gave up waiting for instances running (limit 600 s): timeout');
  });
  assert.is(waited.code, 2);
});

test('a bug is exit 2 (it may have changed something), named by its class; the stack only at -vvv', async () => {
  const crash = async () => {
    throw new TypeError('x is undefined', { cause: new Error('deeper') });
  };
  const plain = await main(base, crash);
  assert.equal([plain.code, plain.stderr], [2, 'ERROR: TypeError: x is undefined\n(run with -vvv for the stack trace)\n']);
  const verbose = await main([...base, '-vvv'], crash);
  assert.match(verbose.stderr, /^ERROR: TypeError: x is undefined\nTypeError: x is undefined\n\s+at [\s\S]*\nCaused by: Error: deeper/);
});

test.run();
