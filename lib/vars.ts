/** Variables as they come from inventories, vars files and -e: YAML values. */
export type Vars = Record<string, unknown>;
