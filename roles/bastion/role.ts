import { defineRole, InputError, reveal, secret, type TaskApi } from '../../lib/index.ts';
import { helmMember, helmUrl, kubectlUrl, pinnedSha256 } from './downloads.ts';
import { K3S_KUBECONFIG, KubeconfigShapeError, operatorKubeconfig } from './kubeconfig.ts';
import { kubeconfigSource } from './kubeconfig-source.ts';
import { apiServerUrl, hostsBlock, k3sServers, SERVERS_GROUP, type Server } from './servers.ts';
import { bastionSettings, type ToolPin } from './settings.ts';
import { bastionDefaults, type BastionVars } from './vars.ts';

/** sshd reads its drop-ins in name order and keeps the first value of each keyword: this one sorts early. */
export const SSHD_DROP_IN = '/etc/ssh/sshd_config.d/10-ploy-bastion.conf';
export const SSHD_SETTINGS = 'PasswordAuthentication no\nKbdInteractiveAuthentication no';
/**
 * `validate` for the drop-in: sshd -t on the whole configuration as sshd will read it, the new file
 * (%s) first and then sshd_config with its drop-ins, so a keyword this sshd does not know, or a value
 * it refuses, leaves the old file in place.
 */
export const SSHD_VALIDATE = `c=$(mktemp) && { echo "Include "%s; echo 'Include /etc/ssh/sshd_config'; } > "$c" && /usr/sbin/sshd -t -f "$c"; r=$?; rm -f "$c"; exit $r`;
const BIN = '/usr/local/bin';

/**
 * The bastion (DESIGN.md section 3): the operator's login by key only, kubectl and helm pinned by
 * sha256 (mirrorable through ploy_download_mirror), /etc/hosts naming the K3s servers, and a
 * kubeconfig for the operator made from the first server's, pointed at its private address or at
 * k3s_api_endpoint.
 */
export const bastion = defineRole<BastionVars, 'reload sshd', 'operator_authorized_keys'>({
  name: 'bastion',
  hosts: 'bastion',
  become: true,
  required: ['operator_authorized_keys'],
  defaults: bastionDefaults,
  handlers: {
    'reload sshd': async (t) => {
      await t.systemd('reload sshd', { name: 'ssh', state: 'reloaded' });
    },
  },
  async run(t, vars) {
    const settings = bastionSettings(vars, t.host.name);
    const servers = serversOf(t);
    const { operator, home } = settings;
    const [first] = servers as [Server, ...Server[]];

    await t.user('operator account', { name: operator, home, shell: '/bin/bash', password: '*', updatePassword: 'onCreate' });
    await t.file('operator ~/.ssh', { path: `${home}/.ssh`, state: 'directory', owner: operator, mode: '0700' });
    // directoryMode only matters in check mode on a fresh host, where the task above has not made the directory.
    await t.copy('operator authorized keys', { dest: `${home}/.ssh/authorized_keys`, content: settings.authorizedKeys, owner: operator, mode: '0600', directoryMode: '0700' });
    await t.file('operator ~/.kube', { path: `${home}/.kube`, state: 'directory', owner: operator, mode: '0700' });
    await t.blockinfile(
      'sshd: keys only, no passwords',
      { path: SSHD_DROP_IN, create: true, mode: '0644', marker: '# {mark} ploy bastion role', block: SSHD_SETTINGS, validate: SSHD_VALIDATE },
      { notify: 'reload sshd' },
    );
    await t.blockinfile('/etc/hosts names the K3s servers', { path: '/etc/hosts', marker: '# {mark} ploy bastion role: K3s servers', block: hostsBlock(servers) });

    const arch = (await t.facts()).arch.go;
    const kubectl = settings.kubectl;
    await t.getUrl(`kubectl ${kubectl.version}`, { url: kubectlUrl(kubectl.version, arch), dest: `${BIN}/kubectl`, sha256: sha256Of(t, kubectl, arch), owner: 'root', group: 'root', mode: '0755' });
    const helm = settings.helm;
    await t.unarchive(`helm ${helm.version}`, {
      url: helmUrl(helm.version, arch),
      sha256: sha256Of(t, helm, arch),
      dest: BIN,
      include: [helmMember(arch)],
      extraOpts: ['--strip-components=1'],
      versionProbe: { cmd: `${BIN}/helm version --template '{{.Version}}'`, expect: new RegExp(`^${helm.version.replaceAll('.', '\\.')}$`) },
      owner: 'root',
      group: 'root',
      mode: '0755',
    });

    const source = await t.run(`${first.name}'s ${K3S_KUBECONFIG} is there to read`, kubeconfigSource, { path: K3S_KUBECONFIG }, { delegateTo: first.name });
    if (!source.data.present) return;
    const k3sYaml = await t.slurp(`read ${first.name}'s kubeconfig`, { src: K3S_KUBECONFIG, secret: true }, { delegateTo: first.name });
    const server = apiServerUrl(settings.apiEndpoint ?? first.address);
    const content = k3sYaml.data.content ?? t.fail(`reading ${first.name}:${K3S_KUBECONFIG} gave no content`);
    let kubeconfig: string;
    try {
      kubeconfig = operatorKubeconfig(reveal(content), server);
    } catch (error) {
      if (error instanceof KubeconfigShapeError) t.fail(`${first.name}: ${error.message}`);
      throw error;
    }
    await t.copy(`operator kubeconfig for ${server}`, { dest: `${home}/.kube/config`, content: secret(kubeconfig), owner: operator, mode: '0600', directoryMode: '0700' });
  },
});

/** The k3s_servers hosts with their private addresses; a missing group is bad input naming it. */
function serversOf(t: TaskApi<'reload sshd'>): Server[] {
  let names: string[];
  try {
    names = t.hostsOf(SERVERS_GROUP);
  } catch (error) {
    if (error instanceof InputError)
      throw new InputError(`the bastion role needs the "${SERVERS_GROUP}" group (its first host's kubeconfig becomes the operator's): ${error.reason}`, { host: t.host.name });
    throw error;
  }
  return k3sServers(names, (name) => t.hostvars(name), t.host.name);
}

/**
 * The tool's pinned sha256 for this architecture; the host fails, naming the variable, when there is
 * none. In the preflight the architecture is not known yet (not a string): the download task is
 * still predicted then, so that its probe joins the host's batch.
 */
function sha256Of(t: TaskApi<'reload sshd'>, pin: ToolPin, arch: string): string {
  const sha256 = pinnedSha256(pin.tool, pin.version, arch, pin.sha256);
  if (sha256 === undefined && typeof arch === 'string') {
    t.fail(`${pin.tool} ${pin.version}: no known sha256 for architecture ${arch} (known: amd64, arm64); set "${pin.tool}_sha256" to the sha256 of its linux-${arch} download`);
  }
  return sha256 ?? '';
}
