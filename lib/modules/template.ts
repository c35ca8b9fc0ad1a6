import { join } from 'node:path';
import { ModuleArgsError } from '../errors.ts';
import { defineModule, type PrepareEnv } from '../module.ts';
import { renderTemplate } from '../template/render.ts';
import type { Vars } from '../vars.ts';
import { rejectControlCharacters, requireObject } from './support/args.ts';
import { planContent, type ContentData } from './support/content-plan.ts';
import { contentTarget, validateFileTarget, type FileTargetArgs } from './support/file-target.ts';

export interface TemplateArgs extends FileTargetArgs {
  /** The template, relative to the project's templates/ directory ('k3s-server/config.yaml.hbs'). */
  src: string;
  /** Extra variables, over the host's. */
  vars?: Vars;
}

const KNOWN = ['src', 'dest', 'vars', 'owner', 'group', 'mode', 'backup', 'directoryMode'] as const;

/** Content rendered by prepare(), per prepared args object, so plan() does not render twice. */
const rendered = new WeakMap<TemplateArgs, string>();

/** Render src with the host's variables plus vars, then write it exactly as copy writes content. */
export const template = defineModule<TemplateArgs, ContentData>({
  name: 'template',
  batchProbes: true,

  validate(args) {
    const raw = requireObject(args, KNOWN);
    if (typeof raw.src !== 'string' || raw.src === '') throw new ModuleArgsError('must name a template under templates/', { field: 'src' });
    rejectControlCharacters(raw.src, 'src');
    validateFileTarget(raw);
    if (raw.vars !== undefined && (typeof raw.vars !== 'object' || raw.vars === null || Array.isArray(raw.vars))) {
      throw new ModuleArgsError('must be an object of variables', { field: 'vars' });
    }
    return args;
  },

  prepare(args, env) {
    const prepared = { ...args };
    rendered.set(prepared, render(args, env));
    return prepared;
  },

  async plan(ctx, args) {
    const content = rendered.get(args) ?? render(args, ctx);
    return planContent(ctx, contentTarget(args, content));
  },
});

/** Errors name the template file and line; the runner adds the host and task. */
function render(args: TemplateArgs, env: PrepareEnv): string {
  return renderTemplate({
    templatesDir: join(env.projectDir, 'templates'),
    src: args.src,
    vars: { ...env.vars, ...args.vars },
    displayRoot: env.projectDir,
  });
}
