/**
 * Where the schema data lives, apart from the loader, so that `kreg --version` (which reads only
 * the bundle's header) imports nothing else.
 */
import { fileURLToPath } from 'node:url';

/** The compiled module lives in dist/src/ (or dist/cli/), two levels below the package root that holds proto/. */
export const BUNDLE_FILE = fileURLToPath(new URL('../../proto/kubernetes-v1.36.json', import.meta.url));
export const RELEASES_FILE = fileURLToPath(new URL('../../proto/kubernetes-releases.json', import.meta.url));

/** The release of BUNDLE_FILE: what decoding uses unless told otherwise. */
export const NEWEST_RELEASE = '1.36';
