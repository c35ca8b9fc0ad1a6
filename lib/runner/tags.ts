/** The --tags / --skip-tags selection of a run. */
export interface TagSelection {
  tags?: readonly string[];
  skipTags?: readonly string[];
}

/**
 * Whether a task with these tags runs, as Ansible decides it: a tag in --skip-tags excludes the task
 * (even when it is also in --tags); with --tags a task runs when it has one of them or 'always';
 * without --tags every task runs except those tagged 'never', which run only when one of their
 * other tags (the role's included) is asked for explicitly. all / tagged / untagged work as in Ansible.
 */
export function isSelectedByTags(taskTags: readonly string[], selection: TagSelection): boolean {
  const skip = selection.skipTags ?? [];
  if (taskTags.some((tag) => skip.includes(tag))) return false;
  if (skip.includes('all') && !taskTags.includes('always')) return false;
  if (skip.includes('tagged') && taskTags.length > 0) return false;
  if (skip.includes('untagged') && taskTags.length === 0) return false;

  const wanted = selection.tags ?? [];
  if (wanted.length === 0 || (wanted.length === 1 && wanted[0] === 'all')) return !taskTags.includes('never');
  if (taskTags.includes('always')) return true;
  if (taskTags.some((tag) => tag !== 'never' && wanted.includes(tag))) return true;
  if (wanted.includes('never') && taskTags.includes('never')) return true;
  if (wanted.includes('all') && !taskTags.includes('never')) return true;
  if (wanted.includes('tagged') && taskTags.length > 0 && !taskTags.includes('never')) return true;
  if (wanted.includes('untagged') && taskTags.length === 0) return true;
  return false;
}

/** A task's tags: the role's tags and the task's own, without duplicates. */
export function taskTags(roleTags: readonly string[] | undefined, ownTags: readonly string[] | undefined): string[] {
  return [...new Set([...(roleTags ?? []), ...(ownTags ?? [])])];
}
