import type { Become, Connection } from '../../lib/connection/connection.ts';
import type { ModuleContext } from '../../lib/module.ts';
import type { Vars } from '../../lib/vars.ts';

export interface ModuleContextOptions {
  /** Host name for messages; defaults to the connection's. */
  host?: string;
  vars?: Vars;
  /** Where templates/ and files/ are; defaults to the current directory. */
  projectDir?: string;
  wantDiff?: boolean;
  /** true: as root; a Become: as that user. */
  become?: boolean | Become;
}

/** A ModuleContext over a real connection, as the runner would build it for one task on one host. */
export function moduleContext(connection: Connection, options: ModuleContextOptions = {}): ModuleContext {
  const become: Become | false = options.become === true ? { user: 'root' } : (options.become ?? false);
  return {
    host: options.host ?? connection.host,
    vars: options.vars ?? {},
    connection,
    projectDir: options.projectDir ?? process.cwd(),
    wantDiff: options.wantDiff ?? false,
    exec: (command, execOptions = {}) => connection.exec(command, { ...execOptions, become }),
  };
}

/** A connection that remembers every command line and stdin it was given (to check what a module sends). */
export function recordingConnection(inner: Connection): Connection & { readonly sent: Array<{ command: string; stdin: string }> } {
  const sent: Array<{ command: string; stdin: string }> = [];
  return {
    host: inner.host,
    sent,
    get channelsOpened() {
      return inner.channelsOpened;
    },
    exec(command, options = {}) {
      sent.push({ command, stdin: options.stdin === undefined ? '' : options.stdin.toString() });
      return inner.exec(command, options);
    },
    close: () => inner.close(),
  };
}
