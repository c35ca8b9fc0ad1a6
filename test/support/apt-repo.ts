import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, normalize } from 'node:path';

export interface TestPackage {
  name: string;
  version: string;
  /** A conffile it ships: /etc/NAME.conf holding this text. */
  conffile?: string;
}

/**
 * A flat Debian repository for tests (`deb [trusted=yes] URL ./`), built with dpkg-deb and served by
 * a local HTTP server, so apt tests get packages with versions the test controls (an upgrade to
 * a newer one) without Debian's mirror.
 */
export class AptTestRepo {
  readonly dir = mkdtempSync(join(tmpdir(), 'ploy-apt-repo-'));
  #server: Server | undefined;
  #published: TestPackage[] = [];
  url = '';

  /** Serve the repository on address (the bed's bridge address), on a free port. */
  async serve(address: string): Promise<string> {
    const server = createServer((request, response) => {
      const path = normalize(join(this.dir, decodeURIComponent((request.url ?? '/').split('?')[0] ?? '/')));
      if (!path.startsWith(this.dir) || !statSafe(path)?.isFile()) {
        response.writeHead(404).end();
        return;
      }
      const stat = statSync(path);
      response.writeHead(200, { 'content-length': stat.size, 'last-modified': stat.mtime.toUTCString() });
      createReadStream(path).pipe(response);
    });
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, address, resolve));
    this.#server = server;
    const port = (server.address() as { port: number }).port;
    this.url = `http://${address}:${port}/`;
    return this.url;
  }

  /** Build these packages (added to what is published) and rewrite Packages and Release. */
  publish(...packages: TestPackage[]): void {
    for (const pkg of packages) this.#build(pkg);
    this.#published.push(...packages);
    const stanzas = this.#published.map((pkg) => {
      const file = `${pkg.name}_${pkg.version}_all.deb`;
      const bytes = readFileSync(join(this.dir, file));
      return `${control(pkg)}Filename: ./${file}\nSize: ${bytes.length}\nSHA256: ${sha256(bytes)}\n`;
    });
    const packagesText = `${stanzas.join('\n')}`;
    writeFileSync(join(this.dir, 'Packages'), packagesText);
    const release = [
      'Origin: ploy-test',
      'Label: ploy-test',
      'Suite: stable',
      'Codename: ploy',
      `Date: ${new Date().toUTCString()}`,
      'Architectures: all amd64',
      'SHA256:',
      ` ${sha256(Buffer.from(packagesText))} ${Buffer.byteLength(packagesText)} Packages`,
      '',
    ].join('\n');
    writeFileSync(join(this.dir, 'Release'), release);
  }

  async close(): Promise<void> {
    const server = this.#server;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(this.dir, { recursive: true, force: true });
  }

  #build(pkg: TestPackage): void {
    const root = join(this.dir, `.build-${pkg.name}-${pkg.version}`);
    mkdirSync(join(root, 'DEBIAN'), { recursive: true });
    mkdirSync(join(root, 'usr', 'share', pkg.name), { recursive: true });
    writeFileSync(join(root, 'usr', 'share', pkg.name, 'version'), `${pkg.version}\n`);
    writeFileSync(join(root, 'DEBIAN', 'control'), control(pkg));
    if (pkg.conffile !== undefined) {
      mkdirSync(join(root, 'etc'), { recursive: true });
      writeFileSync(join(root, 'etc', `${pkg.name}.conf`), pkg.conffile);
      writeFileSync(join(root, 'DEBIAN', 'conffiles'), `/etc/${pkg.name}.conf\n`);
    }
    execFileSync('dpkg-deb', ['--root-owner-group', '-Zgzip', '--build', root, join(this.dir, `${pkg.name}_${pkg.version}_all.deb`)], { stdio: 'ignore' });
    rmSync(root, { recursive: true, force: true });
  }
}

function control(pkg: TestPackage): string {
  return `Package: ${pkg.name}\nVersion: ${pkg.version}\nArchitecture: all\nMaintainer: ploy tests <tests@ploy.invalid>\nDescription: ploy test package ${pkg.name}\n`;
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function statSafe(path: string): ReturnType<typeof statSync> | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}
