import type Handlebars from 'handlebars';
import { lazyPackage } from '../lazy.ts';
import { registerHelpers } from './helpers.ts';

const loadHandlebars = lazyPackage<typeof Handlebars>('handlebars', () => require('handlebars'));

/** Compile options for every template and partial: missing variables are errors, output is not HTML. */
export const COMPILE_OPTIONS = { strict: true, noEscape: true } as const;

type Code = string | readonly unknown[];

interface CompilerPrototype {
  nameLookup(parent: Code, name: string, type: string): Code;
  compiler: unknown;
}

type CompilerClass = new () => CompilerPrototype;

/**
 * A Handlebars environment of our own (helpers registered, the global one untouched) whose
 * compiler makes the inner steps of a path null-safe. Strict mode already throws, with a
 * location, when the last name of `{{a.b.c}}` is missing; but in helper arguments
 * (`{{default a.b.c "x"}}`, `{{#if a.b.c}}`) it looks every step up without checking, so a
 * missing `a.b` crashed with a TypeError. Here a missing step yields undefined instead, which the
 * helper can test, while a printed `{{a.b.c}}` still fails on its last name.
 */
export function createEnvironment(): typeof Handlebars {
  const hb = loadHandlebars().create();
  const env = hb as unknown as { JavaScriptCompiler: CompilerClass };
  const Base = env.JavaScriptCompiler;

  class NullSafeCompiler extends Base {
    override nameLookup(parent: Code, name: string, type: string): Code {
      if (type !== 'context' && type !== 'data') return super.nameLookup(parent, name, type);
      return super.nameLookup(['(', parent, ' ?? container.nullContext)'], name, type);
    }
  }
  NullSafeCompiler.prototype.compiler = NullSafeCompiler;
  env.JavaScriptCompiler = NullSafeCompiler;

  registerHelpers(hb);
  return hb;
}
