/**
 * `.ci/run` on a fresh Debian machine, its commands stubbed: what it installs, and that coturn's own
 * service, which Debian enables and starts on install with no authentication configured (an open
 * relay on port 3478), is stopped and disabled again; the TURN tests start a coturn of their own.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

describe('.ci/run on a fresh machine', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('no coturn yet: installs it, then stops and disables the service Debian started with it, before the tests', () => {
    dir = mkdtempSync(join(tmpdir(), 'hc-ci-'));
    const bin = join(dir, 'bin');
    mkdirSync(join(dir, 'repo/.ci'), { recursive: true });
    mkdirSync(bin);
    copyFileSync(join(ROOT, '.ci/run'), join(dir, 'repo/.ci/run'));
    const log = join(dir, 'calls');
    // Every command it runs says what it was asked; chromium counts as there (a check of its path), coturn not.
    for (const name of ['node', 'npm', 'apt-get', 'systemctl', 'sudo', 'redis-cli', 'id']) {
      const answer = name === 'redis-cli' ? 'echo PONG' : name === 'id' ? 'echo 0' : ':'; // id -u: root, no sudo
      writeFileSync(join(bin, name), `#!/bin/bash\necho "${name} $*" >> ${JSON.stringify(log)}\n${answer}\n`);
      chmodSync(join(bin, name), 0o755);
    }
    for (const tool of ['dirname', 'grep']) symlinkSync(execFileSync('/bin/bash', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim(), join(bin, tool));
    execFileSync('/bin/bash', [join(dir, 'repo/.ci/run')], { env: { PATH: bin }, stdio: 'pipe' });
    const calls = readFileSync(log, 'utf8').trim().split('\n');
    const chromium = calls.includes('apt-get install -y chromium coturn');
    expect(calls).toEqual([
      'node --version',
      'npm --version',
      'id -u',
      'apt-get update',
      chromium ? 'apt-get install -y chromium coturn' : 'apt-get install -y coturn',
      'systemctl disable --now coturn.service',
      'redis-cli -h 127.0.0.1 -p 6379 ping',
      'npm ci --no-audit --no-fund',
      'npm test',
    ]);
  });
});
