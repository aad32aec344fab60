/** Damaged copies of a snapshot for tests: patch bytes, reseal the sha256 trailer, find pages. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { open, readFile, stat } from 'node:fs/promises';
import { BoltFile } from '../../src/sources/snapshot/bbolt-file.js';
import { REPO_ROOT } from './shared-data.js';

export const DEMO_SNAPSHOT = `${REPO_ROOT}examples/demo-cluster.db`;
export const PAGE_HEADER = 16;
export const ELEMENT = 16;

export async function patchFile(path: string, offset: number, bytes: Uint8Array): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    await handle.write(bytes, 0, bytes.length, offset);
  } finally {
    await handle.close();
  }
}

export function uint64(value: number): Buffer {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64LE(BigInt(value));
  return bytes;
}

/** Recomputes the sha256 trailer, so that only the edit is damage (not also a hash mismatch). */
export async function resealTrailer(path: string): Promise<void> {
  const size = (await stat(path)).size;
  const contents = await readFile(path);
  await patchFile(
    path,
    size - 32,
    createHash('sha256')
      .update(contents.subarray(0, size - 32))
      .digest(),
  );
}

/** Where the demo's key bucket lives: its branch root and that root's children. */
export async function demoLayout(): Promise<{ pageSize: number; pageCount: number; keyRoot: number; children: number[] }> {
  const bolt = await BoltFile.open(DEMO_SNAPSHOT);
  try {
    const bucket = await bolt.bucket(['key']);
    assert.ok(bucket !== undefined && bucket.inlinePage === undefined);
    const root = await bolt.readTreePage(bucket.root, undefined);
    assert.ok(root.isBranch && root.count >= 3, 'the demo key bucket has a branch root');
    return { pageSize: bolt.pageSize, pageCount: bolt.meta.pageCount, keyRoot: root.id, children: Array.from({ length: root.count }, (_, i) => root.child(i)) };
  } finally {
    await bolt.close();
  }
}

/** FNV-1a 64 of the meta's first 56 bytes: bbolt's meta checksum. */
function fnv1a64(bytes: Uint8Array): bigint {
  let hash = 0xcbf29ce484222325n;
  for (const byte of bytes) hash = ((hash ^ BigInt(byte)) * 0x100000001b3n) & 0xffff_ffff_ffff_ffffn;
  return hash;
}

/**
 * Gives the file a persisted freelist (as bbolt without NoFreelistSync writes one): a freelist
 * page at `page` listing `ids`, and both meta pages pointing at it, their checksums redone.
 */
export async function writeFreelist(path: string, pageSize: number, page: number, ids: number[]): Promise<void> {
  const header = Buffer.alloc(PAGE_HEADER);
  header.writeBigUInt64LE(BigInt(page), 0);
  header.writeUInt16LE(0x10, 8);
  header.writeUInt16LE(ids.length, 10);
  await patchFile(path, page * pageSize, Buffer.concat([header, ...ids.map(uint64)]));
  const contents = await readFile(path);
  for (const metaPage of [0, 1]) {
    const meta = Buffer.from(contents.subarray(metaPage * pageSize + PAGE_HEADER, metaPage * pageSize + PAGE_HEADER + 64));
    meta.writeBigUInt64LE(BigInt(page), 32);
    meta.writeBigUInt64LE(fnv1a64(meta.subarray(0, 56)), 56);
    await patchFile(path, metaPage * pageSize + PAGE_HEADER, meta);
  }
}
