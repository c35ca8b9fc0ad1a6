import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parsePublicKey, samePublicKey } from '../../lib/aws/keypair.ts';
import { ed25519PublicKey as ed25519Line } from '../support/aws-test-key.ts';

test('parses an OpenSSH ed25519 public key line, comment and all', () => {
  const line = ed25519Line('op@laptop');
  const key = parsePublicKey(`${line}\n`);
  assert.ok(!('error' in key));
  if (!('error' in key)) {
    assert.is(key.type, 'ssh-ed25519');
    assert.is(key.comment, 'op@laptop');
    assert.is(`${key.type} ${key.blob} ${key.comment}`, line);
  }
});

test('rejects private keys, unsupported types, damaged data and several keys', () => {
  const cases: [string, RegExp][] = [
    ['-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn\n-----END OPENSSH PRIVATE KEY-----', /expected one OpenSSH public key line|private key/],
    ['-----BEGIN OPENSSH PRIVATE KEY-----', /private key/],
    ['ecdsa-sha2-nistp256 AAAAE2VjZHNh x', /cannot be imported into EC2/],
    ['ssh-ed25519 AAAAB3NzaC1yc2EAAAADAQAB x', /not valid base64 of a ssh-ed25519 key/],
    ['ssh-ed25519 !!!notbase64 x', /not valid base64/],
    ['', /found 0/],
    [`${ed25519Line('a')}\n${ed25519Line('b')}`, /found 2/],
  ];
  for (const [text, reason] of cases) {
    const key = parsePublicKey(text);
    assert.ok('error' in key, text);
    if ('error' in key) assert.match(key.error, reason);
  }
});

test('same key whatever the comment; different keys differ', () => {
  const line = ed25519Line('one');
  const sameOtherComment = line.replace(/ one$/, ' other comment');
  assert.ok(samePublicKey(line, sameOtherComment));
  assert.not.ok(samePublicKey(line, ed25519Line('one')));
});

test.run();
