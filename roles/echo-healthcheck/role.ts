import { defineRole, InputError } from '../../lib/index.ts';
import { ADDRESS, BUILDCTL } from '../buildkit/daemon-config.ts';
import { DOCKER_CONFIG } from '../buildkit/role.ts';
import { readBuildContext } from './build-context.ts';
import { imageBuild } from './image-build.ts';
import { ECHO_PORT, echoObjects, NAME, NODE_PORT } from './objects.ts';
import { ECHO_HEALTHCHECK_DEFAULTS, echoHealthcheckSettings, type EchoHealthcheckVars } from './vars.ts';

/** Where a context is unpacked for a build, one directory per tag; removed after the build. */
const BUILD_ROOT = '/var/lib/ploy/echo-healthcheck';

/**
 * The load balancer's health check (DESIGN.md section 3): the echo image (socat echoing on port
 * 2000, as user 1000) built by buildkit on the buildkit host and pushed to the cluster's registry,
 * only when its tag, a hash of the build context computed on the controller, is not in the registry
 * yet; then a DaemonSet of it on every node, control-plane taints tolerated, TCP probes on 2000, and
 * a NodePort Service 32000 -> 2000, applied server-side with K3s's kubeconfig on that server and
 * waited for until rolled out on every node. A new tag is a rolling update of the DaemonSet.
 */
export const echoHealthcheck = defineRole<EchoHealthcheckVars>({
  name: 'echo-healthcheck',
  hosts: 'buildkit',
  become: true,
  defaults: ECHO_HEALTHCHECK_DEFAULTS,
  async run(t, vars) {
    const settings = echoHealthcheckSettings(vars, t.host.name);
    const builders = t.hostsOf('buildkit');
    if (builders.length !== 1) {
      throw new InputError(`the echo image is built on one host, and the group buildkit has ${builders.length}: ${builders.join(', ') || 'none'}`, { host: t.host.name, field: 'buildkit' });
    }
    const context = readBuildContext(settings.context, t.host.name);
    const { registry } = settings;
    const ref = `${registry.host}/${settings.image}:${context.tag}`;

    await t.run(`image ${ref}`, imageBuild, {
      ref,
      registryUrl: registry.url,
      registryHost: registry.host,
      repository: settings.image,
      tag: context.tag,
      files: context.files,
      buildDir: `${BUILD_ROOT}/${context.tag}`,
      buildctl: BUILDCTL,
      address: ADDRESS,
      dockerConfig: DOCKER_CONFIG,
    });
    await t.kubectlApply(`${NAME}: DaemonSet of ${ref} on every node, NodePort ${NODE_PORT} -> ${ECHO_PORT}`, {
      objects: echoObjects(settings.namespace, ref),
      kubeconfig: settings.kubeconfig,
      fieldManager: 'ploy-echo-healthcheck',
      wait: { timeoutS: settings.timeoutS },
    });
  },
});
