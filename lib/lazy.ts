import { createRequire } from 'node:module';

/**
 * Deferred work, for the heavy parts of ploy (ajv, diff, handlebars) that most playbooks never
 * use: a static import would make every playbook load them at startup.
 */

/** A function that runs create() on its first call and returns that value from then on. */
export function lazy<T>(create: () => T): () => T {
  let made: { readonly value: T } | undefined;
  return () => (made ??= { value: create() }).value;
}

const requireFromLib = createRequire(import.meta.url);

/**
 * A CommonJS package, loaded on its first use. Synchronous on purpose: the callers (renderTemplate,
 * contentDiff, schema checks) are synchronous public functions. `bundled` is `() => require('pkg')`
 * written out where the package is used, because that literal call is what esbuild looks for: in a
 * bundle (bin/ploy) the package is then included and evaluated only when that function runs. Under
 * tsx an ES module has no `require`, so the package is required from lib/ instead, as the static
 * import it replaces resolved it.
 */
export function lazyPackage<T>(specifier: string, bundled: () => unknown): () => T {
  return lazy(() => (typeof require === 'function' ? bundled() : requireFromLib(specifier)) as T);
}
