/**
 * What `kreg --version` prints: kreg's version and the Kubernetes schema it decodes with. Both are
 * read from small parts of files (package.json, the bundle's header), not the 0.5 MB bundle itself,
 * so --version stays as fast as --help.
 */
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BUNDLE_FILE } from '../schema-files.js';

const PACKAGE_FILE = fileURLToPath(new URL('../../../package.json', import.meta.url));

/** The Kubernetes version named in the bundle's header (its first bytes). */
function schemaVersion(): string {
  const head = Buffer.alloc(1024);
  const fd = openSync(BUNDLE_FILE, 'r');
  try {
    const n = readSync(fd, head, 0, head.length, 0);
    return /"kubernetesVersion":\s*"([^"]+)"/.exec(head.subarray(0, n).toString('utf8'))?.[1] ?? 'unknown';
  } finally {
    closeSync(fd);
  }
}

export function versionText(): string {
  const { version } = JSON.parse(readFileSync(PACKAGE_FILE, 'utf8')) as { version: string };
  return `kreg ${version} (Kubernetes ${schemaVersion()} schema)`;
}
