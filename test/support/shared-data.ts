/**
 * Upstream reference data (Kubernetes fixtures, encryption vectors) lives beside the repository in
 * ../shared and is never copied in. On a fresh clone without it, the tests that need it skip and
 * say why.
 */
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The repository root: compiled tests run from dist/test/support/. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const SHARED_DIR = fileURLToPath(new URL('../../../../shared/', import.meta.url));
export const K8S_SHARED_DIR = `${SHARED_DIR}kubernetes-v1.36`;
export const FIXTURES_DIR = `${K8S_SHARED_DIR}/testdata`;

export function haveSharedFixtures(): boolean {
  return existsSync(FIXTURES_DIR);
}

export const MISSING_SHARED_MESSAGE = `skipped: upstream fixtures not found at ${FIXTURES_DIR} (they sit beside the repository in ../shared on the developers' machines and in CI)`;

/**
 * For tests that need ../shared: on a user's fresh clone they skip and say why; under CI (CI set)
 * a missing ../shared fails the run, so coverage never shrinks unnoticed.
 */
export function requireSharedFixtures(context: Mocha.Context): void {
  if (haveSharedFixtures()) return;
  if (process.env['CI'] !== undefined && process.env['CI'] !== '' && process.env['CI'] !== 'false') {
    throw new Error(`upstream fixtures not found at ${FIXTURES_DIR}: CI must run with ../shared beside the repository`);
  }
  console.log(`      ${MISSING_SHARED_MESSAGE}`);
  context.skip();
}

/** Upstream encryption-at-rest vectors (kubernetes/apiserver unit tests, real KMS v2 values). */
export const ENCRYPTION_VECTORS_DIR = `${SHARED_DIR}encryption-vectors`;

/** requireSharedFixtures for the encryption vectors: skip on a fresh clone, fail under CI. */
export function requireEncryptionVectors(context: Mocha.Context): void {
  if (existsSync(ENCRYPTION_VECTORS_DIR)) return;
  if (process.env['CI'] !== undefined && process.env['CI'] !== '' && process.env['CI'] !== 'false') {
    throw new Error(`encryption vectors not found at ${ENCRYPTION_VECTORS_DIR}: CI must run with ../shared beside the repository`);
  }
  console.log(`      skipped: encryption vectors not found at ${ENCRYPTION_VECTORS_DIR} (../shared beside the repository)`);
  context.skip();
}

/** Older releases' schema data and fixtures: ../shared/kubernetes-versions/v1.Y/testdata. */
export const K8S_VERSIONS_DIR = `${SHARED_DIR}kubernetes-versions`;

export function haveReleaseFixtures(): boolean {
  return existsSync(`${K8S_VERSIONS_DIR}/v1.35/testdata`);
}

/** The releases (e.g. "1.19") whose fixtures ../shared/kubernetes-versions holds, oldest first. */
export function releasesWithFixtures(): string[] {
  return readdirSync(K8S_VERSIONS_DIR)
    .filter((name) => /^v1\.\d+$/.test(name) && existsSync(`${K8S_VERSIONS_DIR}/${name}/testdata`))
    .map((name) => name.slice(1))
    .sort((a, b) => Number(a.slice(2)) - Number(b.slice(2)));
}

/** requireSharedFixtures for the older releases' fixtures: skip on a fresh clone, fail under CI. */
export function requireReleaseFixtures(context: Mocha.Context): void {
  if (haveReleaseFixtures()) return;
  if (process.env['CI'] !== undefined && process.env['CI'] !== '' && process.env['CI'] !== 'false') {
    throw new Error(`older releases' fixtures not found at ${K8S_VERSIONS_DIR}: CI must run with ../shared beside the repository`);
  }
  console.log(`      skipped: older releases' fixtures not found at ${K8S_VERSIONS_DIR} (../shared beside the repository)`);
  context.skip();
}
