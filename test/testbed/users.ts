/** A login that every test-bed host has, with the bed's key in its authorized_keys. */
export interface TestbedUser {
  readonly name: string;
  readonly uid: number;
  readonly home: string;
  /** 'nopasswd': `sudo -n` works; 'password': sudo asks for sudoPassword; 'none': root itself. */
  readonly sudo: 'none' | 'nopasswd' | 'password';
  readonly sudoPassword?: string;
}

/** The logins on every host: root by key, deploy with passwordless sudo, alice whose sudo needs a password. */
export const TESTBED_USERS = {
  root: { name: 'root', uid: 0, home: '/root', sudo: 'none' },
  deploy: { name: 'deploy', uid: 1000, home: '/home/deploy', sudo: 'nopasswd' },
  alice: { name: 'alice', uid: 1001, home: '/home/alice', sudo: 'password', sudoPassword: 'alice-sudo-pw' },
} as const satisfies Record<string, TestbedUser>;

export const testbedUsers: readonly TestbedUser[] = Object.values(TESTBED_USERS);
