/**
 * The built-in modules. Every entry becomes a method of a role's task API (t.file(...), t.copy(...)),
 * typed from the module's arguments and data.
 */
export const builtinModules = {};

export type BuiltinModules = typeof builtinModules;
