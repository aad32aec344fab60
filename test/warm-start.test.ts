/**
 * Slow start-up work begun before the command is parsed: the snapshot files a run's arguments
 * name (a guess from the raw words), and the hashing worker started only for a file large enough
 * to be hashed on one.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, truncateSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { snapshotFilesNamed } from '../src/cli/warm-start.js';
import { prestartFilePass } from '../src/sources/snapshot/file-pass-start.js';

describe('warm start', () => {
  describe('the snapshot files a run names, guessed before parsing (snapshotFilesNamed)', () => {
    const cases: [string[], string[]][] = [
      [['snapshot', 'status', 'backup.db'], ['backup.db']],
      [
        ['snapshot', 'status', '-o', 'json', 'backup.db'],
        ['json', 'backup.db'],
      ],
      [['snapshot', 'check', 'backup.db', '--skip-hash-check'], ['backup.db']],
      [['get', 'pods', '-A', '--snapshot', 'backup.db'], ['backup.db']],
      [['ls', '--snapshot=backup.db'], ['backup.db']],
      [['du', '--data-dir', '/var/lib/etcd'], ['/var/lib/etcd']],
      [
        ['diff', '-A', '--from', 'snapshot:monday.db', '--to=snapshot:tuesday.db'],
        ['monday.db', 'tuesday.db'],
      ],
      // Nothing hashes a snapshot here, or nothing is named.
      [['get', 'pods', '--snapshot', 'backup.db', '--skip-hash-check'], []],
      [['get', 'pods', '--snapshot', 'backup.db', '--help'], []],
      [['snapshot', 'status', '-h'], []],
      [['get', 'pods', '-A'], []],
      [['snapshot', 'restore', 'backup.db'], []],
      [['get', 'pods', '--', '--snapshot', 'backup.db'], []],
      [['ls', '--snapshot'], []],
    ];
    for (const [argv, files] of cases) {
      it(`kreg ${argv.join(' ')}: ${files.length === 0 ? 'none' : files.join(', ')}`, () => {
        assert.deepEqual(snapshotFilesNamed(argv), files);
      });
    }
  });

  describe('prestartFilePass', () => {
    it('starts a worker for a file of 32 MiB or more (a data dir: its member/snap/db), none for a smaller, missing or other one', () => {
      const dir = mkdtempSync(join(tmpdir(), 'kreg-warm-'));
      try {
        const small = join(dir, 'small.db');
        writeFileSync(small, Buffer.alloc(4096));
        const large = join(dir, 'large.db');
        writeFileSync(large, '');
        // Sparse: only its size is looked at.
        truncateSync(large, 40 * 1024 * 1024);
        const dataDir = join(dir, 'etcd');
        mkdirSync(join(dataDir, 'member', 'snap'), { recursive: true });
        writeFileSync(join(dataDir, 'member', 'snap', 'db'), '');
        truncateSync(join(dataDir, 'member', 'snap', 'db'), 33 * 1024 * 1024);
        assert.equal(prestartFilePass(small), false);
        assert.equal(prestartFilePass(join(dir, 'missing.db')), false);
        assert.equal(prestartFilePass(dir), false, 'a directory that is no data dir');
        assert.equal(prestartFilePass(large), true);
        assert.equal(prestartFilePass(dataDir), true);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
