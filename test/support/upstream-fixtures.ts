/**
 * Kubernetes' own serialization fixtures (<group>.<version>.<Kind>.{pb,json,yaml}), read from
 * ../shared: the same object as storage protobuf and as API JSON.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { parseGoJson } from '../../src/codec/go-json.js';
import type { JsonObject } from '../../src/index.js';

export interface UpstreamFixture {
  name: string;
  pb: Uint8Array;
  /** The parsed .json; undefined when upstream's file is not valid JSON (a known upstream defect). */
  json: JsonObject | undefined;
  /** From the file name <group>.<version>.<Kind>, for the few kinds stored without TypeMeta. */
  type: { apiVersion: string; kind: string };
}

export function typeFromFileName(base: string): { apiVersion: string; kind: string } {
  const parts = base.split('.');
  const kind = parts.pop() as string;
  const version = parts.pop() as string;
  const group = parts.join('.');
  return { apiVersion: group === 'core' ? version : `${group}/${version}`, kind };
}

/**
 * How to read the .json: JSON.parse, or as Kubernetes reads JSON (parseGoJson: int64 beyond 2^53
 * as bigint), which older releases' fixtures need for their fuzzed int64 values.
 */
export type FixtureJsonReader = 'json-parse' | 'go-json';

function parseJson(text: string, reader: FixtureJsonReader): JsonObject | undefined {
  try {
    return (reader === 'go-json' ? parseGoJson(text) : JSON.parse(text)) as JsonObject;
  } catch {
    return undefined;
  }
}

/** The fixtures under testdata/api and testdata/apiextensions (where present), sorted by name. */
export function loadUpstreamFixtures(testdataDir: string, reader: FixtureJsonReader = 'json-parse'): UpstreamFixture[] {
  const fixtures: UpstreamFixture[] = [];
  for (const dir of ['api', 'apiextensions']) {
    if (!existsSync(`${testdataDir}/${dir}`)) continue;
    for (const file of readdirSync(`${testdataDir}/${dir}`).sort()) {
      if (!file.endsWith('.pb')) continue;
      const base = `${testdataDir}/${dir}/${file.slice(0, -3)}`;
      fixtures.push({
        name: `${dir}/${file.slice(0, -3)}`,
        pb: new Uint8Array(readFileSync(`${base}.pb`)),
        json: parseJson(readFileSync(`${base}.json`, 'utf8'), reader),
        type: typeFromFileName(file.slice(0, -3)),
      });
    }
  }
  return fixtures;
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/** Where two byte strings first differ, for a readable failure. */
export function firstDifference(a: Uint8Array, b: Uint8Array): string {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return `lengths ${a.length} vs ${b.length}, first difference at byte ${i}: …${hex(a.subarray(Math.max(0, i - 8), i + 16))} vs …${hex(b.subarray(Math.max(0, i - 8), i + 16))}`;
}
