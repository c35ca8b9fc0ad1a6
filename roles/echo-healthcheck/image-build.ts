import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { CommandError, defineModule, ModuleArgsError, quote, TaskFailedError } from '../../lib/index.ts';
import type { ContextFile } from './build-context.ts';
import { REGISTRY_PROBE } from './registry-probe.ts';

export interface ImageBuildArgs {
  /** registry-host/repository:tag */
  ref: string;
  /** http(s)://host[:port] */
  registryUrl: string;
  registryHost: string;
  repository: string;
  tag: string;
  /** The context's files on the controller. */
  files: readonly ContextFile[];
  /** Where the context is unpacked on the host for the build; removed afterwards. */
  buildDir: string;
  buildctl: string;
  /** buildkitd's address, as buildctl --addr takes it. */
  address: string;
  /** Docker's config.json holding the registry's credentials, read by the probe (and by buildctl, as root's). */
  dockerConfig: string;
}

export interface ImageBuildData {
  ref: string;
  /** The image was (or, in check mode, would be) built and pushed. */
  built: boolean;
}

/** Unpacks the files sent on stdin ({path: [base64, executable]}) under argv[1]. */
const UNPACK = String.raw`
import base64, json, os, sys
root = sys.argv[1]
for path, (data, executable) in json.load(sys.stdin).items():
    target = os.path.join(root, path)
    os.makedirs(os.path.dirname(target), mode=0o700, exist_ok=True)
    with open(target, "wb") as f:
        f.write(base64.b64decode(data))
    os.chmod(target, 0o755 if executable else 0o644)
`;

/**
 * An image in the registry, built by buildkit when the registry lacks its tag: the plan asks the
 * registry (a read-only probe, run in check mode too, so check mode says what would be built); the
 * change sends the context to the host, runs buildctl with a push, and removes the context, whether
 * the build went through or not.
 */
export const imageBuild = defineModule<ImageBuildArgs, ImageBuildData>({
  name: 'imageBuild',
  batchProbes: true,

  validate(args) {
    for (const field of ['ref', 'registryUrl', 'registryHost', 'repository', 'tag', 'buildDir', 'buildctl', 'address', 'dockerConfig'] as const) {
      if (typeof args[field] !== 'string' || args[field] === '') throw new ModuleArgsError('must be a non-empty string', { field });
    }
    if (!args.buildDir.startsWith('/') || args.buildDir.split('/').length < 4)
      throw new ModuleArgsError('must be an absolute path at least two levels deep (it is removed after the build)', { field: 'buildDir' });
    if (!Array.isArray(args.files) || !args.files.some((file) => file.path === 'Dockerfile')) throw new ModuleArgsError('must hold the context, its Dockerfile included', { field: 'files' });
    return args;
  },

  async plan(ctx, args) {
    const probe = [REGISTRY_PROBE, args.registryUrl, args.registryHost, args.repository, args.tag, args.dockerConfig];
    const command = `python3 -c ${probe.map((word) => quote(word)).join(' ')}`;
    const result = await ctx.exec(command, { probe: true });
    if (result.code !== 0) throw new CommandError(`registry probe of ${args.ref}`, result, `cannot tell whether the registry holds ${args.ref}: ${result.stderr.trim() || `rc=${result.code}`}`);
    if (result.stdout.trim() === 'present') return { changes: [], data: { ref: args.ref, built: false } };
    return {
      data: { ref: args.ref, built: true },
      changes: [
        {
          summary: `build ${args.ref} from ${args.files.length} file${args.files.length === 1 ? '' : 's'} (${args.files.map((f) => f.path).join(', ')}) with buildkit, and push it`,
          async apply() {
            const files = Object.fromEntries(args.files.map((file) => [file.path, [readFileSync(file.source).toString('base64'), file.executable]]));
            const dir = quote(args.buildDir);
            // DOCKER_CONFIG: sudo may keep the login user's HOME, and the credentials are root's.
            const build = [
              'env',
              `DOCKER_CONFIG=${dirname(args.dockerConfig)}`,
              args.buildctl,
              `--addr=${args.address}`,
              'build',
              '--frontend=dockerfile.v0',
              '--local',
              `context=${args.buildDir}`,
              '--local',
              `dockerfile=${args.buildDir}`,
              '--output',
              `type=image,name=${args.ref},push=true`,
              '--progress=plain',
            ];
            const script = `rm -rf ${dir} && mkdir -p -m 0700 ${dir} && python3 -c ${quote(UNPACK)} ${dir} && ${build.map((word) => quote(word)).join(' ')}; rc=$?; rm -rf ${dir}; exit $rc`;
            const built = await ctx.exec(script, { stdin: JSON.stringify(files) });
            if (built.code !== 0)
              throw new TaskFailedError(`buildkit could not build and push ${args.ref} (rc=${built.code}): ${(built.stderr.trim() || built.stdout.trim()).split('\n').slice(-5).join('\n')}`);
            return { data: { ref: args.ref, built: true } };
          },
        },
      ],
    };
  },
});
