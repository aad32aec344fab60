/**
 * Where `kreg dump` writes: a directory tree (one YAML file per object, laid out by
 * src/dump/dump-layout.ts, and kreg-dump.json) or one stream (multi-document YAML or NDJSON).
 * Each object is written as soon as it is read, so memory does not grow with the registry.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { JsonObject } from '../codec/json-value.js';
import { KregError } from '../errors.js';
import { TIERS } from '../dump/dump-layout.js';
import type { DumpManifest } from '../dump/dump-manifest.js';
import { formatJson, formatYaml } from '../format/object-text.js';
import type { OutputStream } from './io.js';

export const DUMP_FORMATS = ['yaml', 'ndjson'] as const;
export type DumpFormat = (typeof DUMP_FORMATS)[number];

export const MANIFEST_FILE = 'kreg-dump.json';

export interface DumpWriter {
  /** One object; `path` is where it goes in a tree (streams ignore it). */
  write(path: string, object: JsonObject): void;
  /** After the last object: the manifest, where this writer keeps it. */
  finish(manifest: DumpManifest): void;
}

export class DumpWriteError extends KregError {
  override name = 'DumpWriteError';
}

/** A directory tree. Refuses a non-empty directory unless `force`, which first removes an earlier dump's files. */
export function treeWriter(dir: string, force: boolean): DumpWriter {
  prepareDirectory(dir, force);
  const made = new Set<string>();
  const write = (file: string, text: string): void => {
    try {
      writeFileSync(file, text);
    } catch (err) {
      throw new DumpWriteError('write-failed', `cannot write: ${(err as Error).message}`, { file });
    }
  };
  return {
    write(path, object) {
      const file = join(dir, path);
      const parent = dirname(file);
      if (!made.has(parent)) {
        mkdirSync(parent, { recursive: true });
        made.add(parent);
      }
      write(file, formatYaml(object));
    },
    finish(manifest) {
      write(join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, undefined, 2)}\n`);
    },
  };
}

/**
 * The directory must be missing or empty. With --force a non-empty one is written into: what an
 * earlier dump wrote there (its tier directories and manifest) is removed first, so no object of
 * the old dump stays behind; other files are left alone.
 */
function prepareDirectory(dir: string, force: boolean): void {
  if (!existsSync(dir)) {
    mkdirSync(dir, { recursive: true });
    return;
  }
  if (!statSync(dir).isDirectory()) throw new DumpWriteError('not-a-directory', 'not a directory', { file: dir });
  const present = readdirSync(dir);
  if (present.length === 0) return;
  if (!force) throw new DumpWriteError('dir-not-empty', 'the directory is not empty: give an empty or new one, or --force to replace an earlier dump there', { file: dir });
  for (const name of [...TIERS.map((t) => t.dir), MANIFEST_FILE]) if (present.includes(name)) rmSync(join(dir, name), { recursive: true, force: true });
}

/** One stream: YAML documents separated by `---`, or one JSON object per line. The manifest goes to `manifestFile` if given. */
export function streamWriter(out: OutputStream, format: DumpFormat, manifestFile: string | undefined): DumpWriter {
  let count = 0;
  return {
    write(_path, object) {
      if (format === 'ndjson') out.write(`${formatJson(object, 0)}\n`);
      else out.write(`${count > 0 ? '---\n' : ''}${formatYaml(object)}`);
      count++;
    },
    finish(manifest) {
      if (manifestFile === undefined) return;
      try {
        writeFileSync(manifestFile, `${JSON.stringify(manifest, undefined, 2)}\n`);
      } catch (err) {
        throw new DumpWriteError('write-failed', `cannot write the manifest: ${(err as Error).message}`, { file: manifestFile });
      }
    },
  };
}
