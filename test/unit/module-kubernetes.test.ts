/**
 * kubectlApply and helm before any host: every bad argument or object fails in validate()/prepare()
 * with a message naming the field, and no channel is opened. (Their runs against the stand-in
 * kubectl/helm are in test/integration/modules-kubectl-apply and modules-helm.)
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rejects } from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LocalConnection } from '../../lib/connection/local.ts';
import { InputError, ModuleArgsError } from '../../lib/errors.ts';
import type { Module } from '../../lib/module.ts';
import { helm } from '../../lib/modules/helm.ts';
import { kubectlApply } from '../../lib/modules/kubectl-apply.ts';
import { secret } from '../../lib/secret.ts';
import { executeTask, validateArgs } from '../../lib/task/execute.ts';
import { moduleContext } from '../support/module-host.ts';

const projectDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

async function failsBeforeHost<A, R>(module: Module<A, R>, args: unknown, message: RegExp, vars: Record<string, unknown> = {}): Promise<void> {
  const connection = new LocalConnection();
  await rejects(
    () => executeTask(moduleContext(connection, { projectDir, vars }), module, args as A, { task: 'deploy app', check: true }),
    (error: Error) => error instanceof InputError && message.test(error.message),
  );
  assert.is(connection.channelsOpened, 0, `no channel for ${JSON.stringify(args).slice(0, 60)}`);
}

const deployment = (spec: Record<string, unknown>) => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'demo' }, spec });

test('kubectlApply: module errors name the task, the field, the object and its bad field', async () => {
  await failsBeforeHost(
    kubectlApply,
    { objects: [deployment({ selector: {}, template: { spec: { containers: [{ name: 'c', image: 'x', ports: [{ containerPort: '80' }] }] } } })] },
    /task "deploy app", field "objects": kubectlApply: Deployment demo\/web \(objects\[0\]\): field spec\.template\.spec\.containers\[0\]\.ports\[0\]\.containerPort must be integer, got string "80"/,
  );
  await failsBeforeHost(
    kubectlApply,
    { manifest: 'apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {type: Nodeport}\n' },
    /field "manifest": kubectlApply: Service s \(manifest, document 1, line 4\): field spec\.type must be one of/,
  );
  await failsBeforeHost(kubectlApply, { objects: [deployment({})], wait: { timeoutS: 1.5 } }, /wait\.timeoutS must be a positive whole number/);
  await failsBeforeHost(kubectlApply, { objects: [deployment({})], wait: { resources: ['deployment/x'], timeoutS: 5 } }, /wait\.resources needs wait\.condition/);
  await failsBeforeHost(kubectlApply, { objects: [deployment({})], wait: { rollout: true, timeoutS: 5 } }, /field "rollout": kubectlApply: unknown argument \(known: condition, resources, timeoutS\)/);
  await failsBeforeHost(kubectlApply, { objects: [deployment({})], prune: { selector: 'a in (b' } }, /prune\.selector/);
  await failsBeforeHost(kubectlApply, { manifest: 'x', vars: {} }, /vars are for rendering src/);
  await failsBeforeHost(kubectlApply, { objects: [deployment({})], fieldManager: 'has space' }, /field "fieldManager"/);
  await failsBeforeHost(kubectlApply, { objects: [deployment({})], waitFor: {} }, /field "waitFor".*unknown argument/);
});

test('kubectlApply src: a render error and a schema error of the rendered manifest both fail in prepare, naming the template', async () => {
  const vars = { namespace: 'demo', replicas: 2, image: 'nginx', registry_password: secret('unit-k8s-registry-pass') };
  await failsBeforeHost(kubectlApply, { src: 'k8s/app.yaml.hbs' }, /templates\/k8s\/app\.yaml\.hbs/, { namespace: 'demo' });
  await failsBeforeHost(
    kubectlApply,
    { src: 'k8s/app.yaml.hbs' },
    /templates\/k8s\/app\.yaml\.hbs, .*field "src": Namespace Demo \(rendered manifest, document 1, line 4\): field metadata\.name must be a namespace name[^]*Secret Demo\/registry \(rendered manifest, document 2, line 10\): field metadata\.namespace/,
    { ...vars, namespace: 'Demo' },
  );
  await failsBeforeHost(kubectlApply, { src: 'k8s/missing.yaml.hbs' }, /template templates\/k8s\/missing\.yaml\.hbs not found/, vars);
});

test('kubectlApply validate() returns a prepared copy; validate: false lets an unknown kind through', () => {
  const args = { objects: [{ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }], validate: false };
  const checked = validateArgs(kubectlApply, args, 't');
  assert.is.not(checked, args);
  assert.equal(checked.objects, args.objects);
});

test('helm: bad arguments name the field; values with non-data fail before the host', async () => {
  const base = { release: 'traefik', chart: 'traefik', version: '25.0.0', namespace: 'kube-system', repo: { name: 'traefik', url: 'https://traefik.github.io/charts' } };
  await failsBeforeHost(helm, { ...base, version: '25.x' }, /field "version": helm: must pin one exact chart version/);
  await failsBeforeHost(helm, { ...base, version: '>=25.0.0' }, /field "version"/);
  await failsBeforeHost(helm, { ...base, chart: 'oci://ghcr.io/traefik/traefik' }, /an oci:\/\/ chart carries its own registry; drop repo/);
  await failsBeforeHost(helm, { ...base, values: { ports: { web: { redirectTo: () => 'websecure' } } } }, /field values\.ports\.web\.redirectTo is a function/);
  await failsBeforeHost(helm, { ...base, release: 'x'.repeat(54) }, /field "release"/);
  await failsBeforeHost(helm, { ...base, kubeconfig: '~/.kube/config' }, /field "kubeconfig".*absolute path/);
});

test.run();
