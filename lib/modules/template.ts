import { join } from 'node:path';
import { ModuleArgsError } from '../errors.ts';
import { defineModule, type PrepareEnv } from '../module.ts';
import { renderTemplate } from '../template/render.ts';
import type { Vars } from '../vars.ts';
import { rejectControlCharacters } from './support/args.ts';
import { planContent, type ContentData } from './support/content-plan.ts';
import { contentTarget, fileTargetArgs } from './support/file-target.ts';
import { argsSchema, optional, required, type SchemaArgs } from './support/schema.ts';

export const templateArgs = argsSchema(
  {
    src: required('string', templatePath, "The template, relative to the project's templates/ directory ('k3s-server/config.yaml.hbs')."),
    dest: fileTargetArgs.dest,
    vars: optional('Vars', variables, "Extra variables, over the host's."),
    owner: fileTargetArgs.owner,
    group: fileTargetArgs.group,
    mode: fileTargetArgs.mode,
    backup: fileTargetArgs.backup,
    directoryMode: fileTargetArgs.directoryMode,
  },
  {
    summary: "Render a Handlebars template with the host's variables and write it on the host.",
    checkMode: 'Rendered on the controller (in the preflight too, before any host is touched), then exactly as `copy`: one probe, the write reported with its diff; writes nothing.',
    notes: [
      'Rendering is strict: an undefined variable is an error naming the template, line and variable, raised in the preflight before any host is touched.',
      'Helpers: `toYaml`, `toJson`, `indent`, `default`, `join`, `eq`/`ne`/`and`/`or`/`not`, `quote`; partials from `templates/_partials/` or `templates/<role>/partials/`.',
    ],
  },
);

export type TemplateArgs = SchemaArgs<typeof templateArgs>;

function templatePath(value: unknown, field: string): string {
  if (typeof value !== 'string' || value === '') throw new ModuleArgsError('must name a template under templates/', { field });
  rejectControlCharacters(value, field);
  return value;
}

function variables(value: unknown, field: string): Vars {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ModuleArgsError('must be an object of variables', { field });
  return value as Vars;
}

/** Content rendered by prepare(), per prepared args object, so plan() does not render twice. */
const rendered = new WeakMap<TemplateArgs, string>();

/** Render src with the host's variables plus vars, then write it exactly as copy writes content. */
export const template = defineModule<TemplateArgs, ContentData>({
  name: 'template',
  batchProbes: true,

  schema: templateArgs,
  validate: templateArgs.validate,

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
