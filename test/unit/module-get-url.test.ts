import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { InputError, TaskFailedError } from '../../lib/errors.ts';
import { checksumFor, downloadVars, mirrored } from '../../lib/modules/support/download-url.ts';
import { downloadStdin } from '../../lib/modules/support/download-script.ts';
import { secret } from '../../lib/secret.ts';

const A = 'a'.repeat(64);
const B = 'B'.repeat(64);

test('a mirror base replaces scheme, host and port, keeping path and query', () => {
  assert.is(
    mirrored('https://github.com/k3s-io/k3s/releases/download/v1.30.1%2Bk3s1/k3s?x=1', 'http://10.0.0.1:8080/cache/'),
    'http://10.0.0.1:8080/cache/k3s-io/k3s/releases/download/v1.30.1%2Bk3s1/k3s?x=1',
  );
  assert.is(mirrored('https://get.helm.sh/helm.tgz', 'http://m'), 'http://m/helm.tgz');
  assert.is(mirrored('https://get.helm.sh/helm.tgz', undefined), 'https://get.helm.sh/helm.tgz');
});

test('checksum files: the line naming the file, in sha256sum text or binary form, or the only hash', () => {
  const url = 'https://x/releases/v1/k3s';
  assert.is(checksumFor(`${A}  k3s-airgap.tar\n${B} *k3s\n`, url, 'u'), B.toLowerCase());
  assert.is(checksumFor(`# comment\n${A}  ./dist/k3s\n`, url, 'u'), A);
  assert.is(checksumFor(`${A}\n`, url, 'u'), A);
  assert.is(checksumFor(`${A}  k3s.tar\r\n`, url, 'u'), A, 'a single line is the hash whatever it names');
  assert.throws(
    () => checksumFor(`${A}  a\n${B}  b\n`, url, 'http://x/sums'),
    (e: Error) => e instanceof TaskFailedError && /http:\/\/x\/sums has 2 sha256 lines and none for "k3s"/.test(e.message),
  );
  assert.throws(() => checksumFor('nothing here\n', url, 'http://x/sums'), /holds no sha256/);
});

test('mirror and proxy variables are checked, naming the variable and never printing a secret proxy', () => {
  assert.equal(downloadVars({ ploy_download_mirror: 'http://m:1/x', ploy_http_proxy: 'http://p:3128' }, 'h1'), { mirror: 'http://m:1/x', proxy: 'http://p:3128' });
  assert.equal(downloadVars({ ploy_download_mirror: '', ploy_http_proxy: null }, 'h1'), {});
  assert.throws(
    () => downloadVars({ ploy_download_mirror: 'mirror.local' }, 'h1'),
    (e: Error) => e instanceof InputError && /host h1, field "ploy_download_mirror"/.test(e.message),
  );
  const proxy = secret('http://user:pw-gu-123@p:3128 x');
  assert.throws(
    () => downloadVars({ ploy_http_proxy: proxy }, 'h1'),
    (e: Error) => !e.message.includes('pw-gu-123') && /ploy_http_proxy/.test(e.message),
  );
});

test('the proxy and headers travel on stdin, secrets revealed only there', () => {
  assert.is(downloadStdin(secret('http://u:pw@p:1'), { Authorization: secret('Bearer t'), 'X-A': 'b' }), 'http://u:pw@p:1\nAuthorization: Bearer t\nX-A: b\n');
  assert.is(downloadStdin(undefined), '\n');
});

test.run();
