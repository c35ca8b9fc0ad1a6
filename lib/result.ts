export type TaskStatus = 'ok' | 'changed' | 'skipped' | 'failed';

export interface TaskResult<R = Record<string, never>> {
  status: TaskStatus;
  changed: boolean;
  /** One line per change made (or, in check mode, that would be made). */
  changes: string[];
  /** Unified diff of file content, when the module has one (secrets masked). */
  diff?: string;
  /** Why the task was skipped or failed. */
  msg?: string;
  /** Module-specific data for the role (e.g. stdout, rc, a file's content). */
  data: Partial<R>;
  /** How many tries the task took, when it had retries or until. */
  attempts?: number;
}
