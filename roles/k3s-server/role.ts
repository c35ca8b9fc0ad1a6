import { defineRole, InputError, reveal, secret, type Secret, type TaskApi, type Vars } from '../../lib/index.ts';
import { k3sState } from './k3s-state.ts';
import { registriesConfig, serverConfig } from './server-config.ts';
import { checkServerVars, compareK3sVersions, K3S_DEFAULTS, k3sSha256, nerdctlSha256, type K3sServerVars } from './vars.ts';

const K3S = '/usr/local/bin/k3s';
const TOKEN_FILE = '/var/lib/rancher/k3s/server/token';
const MANIFESTS = '/var/lib/rancher/k3s/server/manifests';
const NODE_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
/** The binary each architecture downloads, as K3s's releases name them. */
const BINARY: Record<string, string> = { amd64: 'k3s', arm64: 'k3s-arm64', arm: 'k3s-armhf' };

/**
 * A highly available K3s control plane with embedded etcd (DESIGN.md section 3): the first server of
 * k3s_servers starts the cluster (cluster-init), the others join it one at a time, each Ready before
 * the next; a failed server stops them all (a half-joined etcd must not go on). The binary, by
 * version and architecture, sha256-checked, from upstream or ploy_download_mirror; the config,
 * unit, registries.yaml and Traefik's HelmChartConfig; kubectl/crictl/ctr links and nerdctl. K3s
 * restarts only when its binary, config, unit or registries change; a lower version is refused.
 */
export const k3sServer = defineRole<K3sServerVars>({
  name: 'k3s-server',
  hosts: 'k3s_servers',
  serial: 1,
  become: true,
  anyErrorsFatal: true,
  defaults: K3S_DEFAULTS,
  async run(t, vars) {
    const servers = t.hostsOf('k3s_servers');
    checkServerVars(vars, servers, t.host.name);
    if (!NODE_NAME.test(t.host.name)) throw new InputError(`the inventory name ${t.host.name} is the node's name and must be a lowercase DNS name`, { host: t.host.name });
    const first = servers[0] as string;
    const isFirst = t.host.name === first;
    const firstAddress = addressOf(t.hostvars(first), first);

    const facts = await t.facts();
    const state = (await t.run('installed K3s', k3sState, { binary: K3S })).data;
    if (typeof state.version === 'string' && compareK3sVersions(state.version, vars.k3s_version) > 0) {
      t.fail(
        `K3s ${state.version} runs here and k3s_version is ${vars.k3s_version}: ploy does not downgrade K3s (etcd's data may not be readable by an older release); raise k3s_version, or restore a snapshot by hand`,
      );
    }
    // A server about to join checks, before it changes anything, that the first server answers (it
    // may have gone down since it was Ready) and that every node is Ready (etcd takes no new member
    // while one is not: an interrupted run may have left one starting). In check mode a first
    // server that is not there yet was only predicted to start: there is nothing to ask.
    const joining = !isFirst && state.active === false;
    if (joining && !firstOnlyPredicted(t, first)) {
      await t.waitFor(`the first server ${first} answers`, {
        host: firstAddress,
        port: 6443,
        timeoutS: 20,
        msg: `the first server ${first} (${firstAddress}:6443) does not answer: it must be up before ${t.host.name} joins; nothing was changed here`,
      });
      await t.command(
        'every node of the cluster Ready',
        { cmd: [K3S, 'kubectl', 'get', 'nodes', '-o', 'json'], readOnly: true },
        { delegateTo: first, retries: Math.ceil(vars.k3s_ready_timeout_s / 2), delayS: 2, until: (r) => nodesReady(r.data.stdout) },
      );
    }
    const token = vars.k3s_token ?? (isFirst ? undefined : await firstServerToken(t, first));

    const arch = facts.arch.go;
    const binary = BINARY[arch] ?? `k3s-${arch}`;
    const sha256 = k3sSha256(vars, arch);
    if (sha256 === undefined && typeof arch === 'string') t.fail(`no sha256 is known for K3s ${vars.k3s_version} on ${arch}: set k3s_sha256`);
    const downloaded = await t.getUrl(`K3s ${vars.k3s_version}`, {
      url: `https://github.com/k3s-io/k3s/releases/download/${encodeURIComponent(vars.k3s_version)}/${binary}`,
      dest: K3S,
      sha256: sha256 ?? '',
      mode: '0755',
    });
    // force: in check mode on a new server the binary is not there yet to link to.
    for (const tool of ['kubectl', 'crictl', 'ctr']) await t.file(`${tool} -> k3s`, { path: `/usr/local/bin/${tool}`, state: 'link', src: K3S, force: true });
    const config = await t.copy('K3s config', {
      dest: '/etc/rancher/k3s/config.yaml',
      mode: '0600',
      directoryMode: '0755',
      content: serverConfig({ first: isFirst, firstAddress, nodeName: t.host.name, nodeIp: addressOf(t.hostvars(t.host.name), t.host.name), token, tlsSan: tlsNames(t, vars, servers) }),
    });
    const registries = vars.k3s_registry_url
      ? await t.copy('registries.yaml', {
          dest: '/etc/rancher/k3s/registries.yaml',
          mode: '0600',
          directoryMode: '0755',
          content: registriesConfig(vars.k3s_registry_url, vars.k3s_registry_username, vars.k3s_registry_password),
        })
      : undefined;
    const unit = await t.template('k3s unit', { src: 'k3s-server/k3s.service.hbs', dest: '/etc/systemd/system/k3s.service', mode: '0644' });
    if (vars.k3s_traefik_https_redirect) {
      await t.template('Traefik: HTTP to HTTPS', { src: 'k3s-server/traefik-config.yaml.hbs', dest: `${MANIFESTS}/traefik-config.yaml`, mode: '0600', directoryMode: '0700' });
    }
    const restart = downloaded.changed || config.changed || unit.changed || registries?.changed === true;
    const running = await t.systemd('k3s running', { name: 'k3s', state: restart && state.active === true ? 'restarted' : 'started', enabled: true }, { ignoreErrors: joining });
    if (running.status === 'failed') {
      // K3s exits when its join fails and systemd would start it again every 5 s (Restart=always),
      // joining whenever it can, out of turn: stop it, the next run starts it in order.
      await t.systemd('k3s stopped after its failed join', { name: 'k3s', state: 'stopped' });
      t.fail(
        `K3s could not join the first server ${first} (https://${firstAddress}:6443): ${running.msg ?? 'its start failed'} (journalctl -u k3s on ${t.host.name} says why); it is stopped so that it does not join out of turn: run again once ${first} answers`,
      );
    }
    t.setFact('k3s_server_predicted', running.status === 'skipped');
    if (running.changed) {
      await t.command(
        'node Ready',
        { cmd: [K3S, 'kubectl', 'get', 'node', t.host.name, '-o', 'json'], changedWhen: () => false },
        { retries: Math.ceil(vars.k3s_ready_timeout_s / 2), delayS: 2, until: (r) => nodeReady(r.data.stdout) },
      );
    }
    if (isFirst && vars.k3s_token === undefined) {
      const generated = await t.slurp('the join token it generated', { src: TOKEN_FILE, secret: true });
      t.setFact('k3s_join_token', tokenOf(generated.data.content));
    }
    // Its version probe goes in the batch with the other probes.
    const nerdctl = nerdctlSha256(vars, arch);
    if (nerdctl === undefined && typeof arch === 'string') t.fail(`no sha256 is known for nerdctl ${vars.nerdctl_version} on ${arch}: set nerdctl_sha256`);
    await t.unarchive(`nerdctl ${vars.nerdctl_version}`, {
      url: `https://github.com/containerd/nerdctl/releases/download/v${vars.nerdctl_version}/nerdctl-${vars.nerdctl_version}-linux-${arch}.tar.gz`,
      sha256: nerdctl ?? '',
      dest: '/usr/local/bin',
      include: ['nerdctl'],
      versionProbe: { cmd: '/usr/local/bin/nerdctl --version', expect: `nerdctl version ${vars.nerdctl_version}` },
    });
  },
});

/** A server's address on the cluster's network: private_ip (provision.ts writes it), else ansible_host. */
function addressOf(vars: Vars, host: string): string {
  const address = 'private_ip' in vars && vars['private_ip'] ? vars['private_ip'] : 'ansible_host' in vars ? vars['ansible_host'] : host;
  return String(address);
}

/** The API certificate's names: the load balancer's, every server's address, and k3s_tls_san. */
function tlsNames(t: TaskApi<never>, vars: K3sServerVars, servers: readonly string[]): string[] {
  return [...(vars.k3s_lb_dns ? [vars.k3s_lb_dns] : []), ...servers.map((server) => addressOf(t.hostvars(server), server)), ...vars.k3s_tls_san];
}

/**
 * The token the first server generated: set as a fact when it ran earlier in this run, else read
 * there (a run limited to the joining servers).
 */
async function firstServerToken(t: TaskApi<never>, first: string): Promise<Secret | undefined> {
  const firstVars = t.hostvars(first);
  if ('k3s_join_token' in firstVars) return firstVars['k3s_join_token'] as Secret | undefined;
  const read = await t.slurp(`the join token of ${first}`, { src: TOKEN_FILE, secret: true }, { delegateTo: first });
  return tokenOf(read.data.content);
}

/** The token file's content without its newline; undefined when it was not read (check mode on a new cluster). */
function tokenOf(content: string | Secret | undefined): Secret | undefined {
  return content === undefined ? undefined : secret(reveal(content).trim());
}

/** The first server ran before this one in this run, in check mode, where its start could only be predicted. */
function firstOnlyPredicted(t: TaskApi<never>, first: string): boolean {
  const firstVars = t.hostvars(first);
  return 'k3s_server_predicted' in firstVars && firstVars['k3s_server_predicted'] === true;
}

/** `kubectl get nodes -o json` lists nodes, every one Ready=True. */
export function nodesReady(json: string | undefined): boolean {
  try {
    const list = JSON.parse(json ?? '') as { items?: unknown[] };
    return Array.isArray(list.items) && list.items.length > 0 && list.items.every((node) => nodeReady(JSON.stringify(node)));
  } catch {
    return false;
  }
}

/** `kubectl get node -o json` says Ready=True. */
export function nodeReady(json: string | undefined): boolean {
  try {
    const node = JSON.parse(json ?? '') as { status?: { conditions?: Array<{ type?: string; status?: string }> } };
    return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
  } catch {
    return false;
  }
}
