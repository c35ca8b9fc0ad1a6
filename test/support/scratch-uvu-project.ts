/**
 * A throw-away project in a temporary directory for tests about the test tooling itself: tiny uvu
 * files written there run with this repository's node_modules (linked in) through tsx, as
 * `npx tsx FILE` and test/run.ts would run them.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export const REPO_ROOT = resolve(import.meta.dirname, '../..');
/** For the scratch files' imports: the helper under test, by absolute path. */
export const BEFORE_ALL_MODULE = join(REPO_ROOT, 'test/support/before-all.ts');

export interface ScratchRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface ScratchUvuProject {
  dir: string;
  /** Write `text` to `path`, relative to the project. */
  write(path: string, text: string): void;
  /** Run `node --import tsx ...args` in the project, colours off. */
  run(...args: string[]): ScratchRun;
  remove(): void;
}

export function makeScratchUvuProject(): ScratchUvuProject {
  const dir = mkdtempSync(join(tmpdir(), 'ploy-uvu-scratch-'));
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'));
  writeFileSync(join(dir, 'package.json'), '{ "type": "module", "private": true }\n');
  return {
    dir,
    write(path, text) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    },
    run(...args) {
      const run = spawnSync(process.execPath, ['--import', 'tsx', ...args], {
        cwd: dir,
        encoding: 'utf8',
        env: { ...process.env, NO_COLOR: '1' },
        timeout: 60_000,
      });
      return { code: run.status, stdout: run.stdout, stderr: run.stderr };
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
