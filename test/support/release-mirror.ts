/**
 * A local HTTP mirror of the upstream release hosts (the layout is in release-artifacts.ts), serving
 * the tests' stand-ins for the versions a test asks for: what an air-gapped install points its
 * download variables at. Given a test bed, it listens on the bed's public bridge (where public hosts
 * such as the bastion reach the controller) and relays through the bastion for private hosts; it
 * records every request, so a test can show that a re-run downloaded nothing.
 */
import type { Testbed } from '../testbed/bed.ts';
import { relayThroughBastion, type BastionRelay } from './bastion-relay.ts';
import { startHttpFixture, type RecordedRequest } from './http-fixture.ts';
import { sha256, type ReleaseArch } from './k3s-standin.ts';
import { buildkitRelease, helmRelease, k3sRelease, kubectlRelease, nerdctlRelease, type ReleaseFiles } from './release-artifacts.ts';

export interface ReleaseMirrorOptions {
  /** Serve this bed: listen on its public bridge's controller address, relay through its bastion if it has one. */
  bed?: Testbed;
  /** Listen on this address instead (without a bed; unit tests use 127.0.0.1). */
  address?: string;
  /** K3s versions, e.g. ['v1.31.4+k3s1', 'v1.31.5+k3s1']. */
  k3s?: string[];
  /** Kubernetes versions of kubectl, e.g. ['v1.31.4']. */
  kubectl?: string[];
  /** Helm versions, e.g. ['v3.16.3']. */
  helm?: string[];
  /** nerdctl versions, without the v: ['1.7.7']. */
  nerdctl?: string[];
  /** BuildKit versions, with the v: ['v0.16.0']. */
  buildkit?: string[];
  /** Default: both. */
  arches?: ReleaseArch[];
}

export interface MirrorFile {
  sha256: string;
  size: number;
}

/** A download held on its way: the test acts at that point of a run, then lets it go. */
export interface DownloadHold {
  /** Resolves when the held request arrived (it waits for release()). */
  readonly reached: Promise<void>;
  release(): void;
}

export interface ReleaseMirror {
  /** http://ADDRESS:PORT without a trailing slash: for the controller and public hosts. */
  readonly url: string;
  /** The same files through the bastion (http://<bastion private IP>:PORT), for private hosts; undefined without a bastion. */
  readonly privateUrl: string | undefined;
  /** Every served path (no leading slash) with its sha256 and size. */
  readonly files: ReadonlyMap<string, MirrorFile>;
  /** The sha256 of a served path; throws naming the path when the mirror does not serve it. */
  sha256(path: string): string;
  /** Every request received, in order (404s included). */
  readonly requests: RecordedRequest[];
  /** The paths (no leading slash) of the GET requests so far, in order. */
  downloads(): string[];
  /** Hold the nth GET of a served path from now on (1: the next one) until release(). */
  hold(path: string, nth?: number): DownloadHold;
  close(): Promise<void>;
}

export async function startReleaseMirror(options: ReleaseMirrorOptions): Promise<ReleaseMirror> {
  const address = options.address ?? (options.bed ? controllerAddress(options.bed) : undefined);
  if (!address) throw new Error('startReleaseMirror: give a bed or an address to listen on');
  const arches = options.arches ?? ['amd64', 'arm64'];
  const files: ReleaseFiles = new Map();
  const add = (more: ReleaseFiles) => more.forEach((bytes, path) => files.set(path, bytes));
  for (const version of options.k3s ?? []) add(k3sRelease(version, arches));
  for (const version of options.kubectl ?? []) add(kubectlRelease(version, arches));
  for (const version of options.helm ?? []) add(helmRelease(version, arches));
  for (const version of options.nerdctl ?? []) add(nerdctlRelease(version, arches));
  for (const version of options.buildkit ?? []) add(buildkitRelease(version, arches));

  const http = await startHttpFixture(address, address);
  for (const [path, bytes] of files) http.route(`/${path}`, { body: bytes });
  let relay: BastionRelay | undefined;
  try {
    if (options.bed?.hosts.some((host) => host.privateIp !== undefined)) relay = await relayThroughBastion(options.bed, { address, port: http.port });
  } catch (error) {
    await http.close();
    throw error;
  }
  const listing = new Map([...files].map(([path, bytes]) => [path, { sha256: sha256(bytes), size: bytes.length }]));
  return {
    url: http.base,
    privateUrl: relay?.url,
    files: listing,
    sha256(path) {
      const file = listing.get(path.replace(/^\//, ''));
      if (!file) throw new Error(`release mirror: ${path} is not served (served: ${[...listing.keys()].join(', ')})`);
      return file.sha256;
    },
    requests: http.requests,
    downloads: () => http.requests.filter((request) => request.method === 'GET').map((request) => decodeURIComponent(request.url.replace(/^\//, ''))),
    hold(path, nth = 1) {
      const bytes = files.get(path.replace(/^\//, ''));
      if (!bytes) throw new Error(`release mirror: ${path} is not served`);
      let seen = 0;
      let arrived!: () => void;
      let release!: () => void;
      const reached = new Promise<void>((resolve) => (arrived = resolve));
      const released = new Promise<void>((resolve) => (release = resolve));
      http.route(`/${path.replace(/^\//, '')}`, {
        body: bytes,
        gate(request) {
          if (request.method !== 'GET' || ++seen !== nth) return undefined;
          arrived();
          return released;
        },
      });
      return { reached, release };
    },
    async close() {
      await relay?.close();
      await http.close();
    },
  };
}

/** The controller's address on the bed's public bridge (.1 of the public hosts' /24). */
function controllerAddress(bed: Testbed): string {
  const publicHost = bed.hosts.find((host) => host.network === 'public');
  if (!publicHost) throw new Error('startReleaseMirror: the bed has no public host to serve');
  return publicHost.ip.replace(/\.\d+$/, '.1');
}
