/**
 * YAML strings quoted as kubectl (go-yaml v2, YAML 1.1) quotes them: double quotes for a string
 * that would read back as another type, single quotes for one that needs quoting for its
 * characters only, nothing otherwise.
 */
import assert from 'node:assert/strict';
import yaml from 'js-yaml';
import { storableFixtures } from './support/fixtures.js';
import { requireSharedFixtures } from './support/shared-data.js';
import { forDisplay, formatYaml } from '../src/format/object-text.js';
import { readsAsNonString } from '../src/format/go-yaml-quotes.js';

describe('YAML quoting as kubectl', function () {
  it('knows which strings go-yaml reads as another type', function () {
    const other = [
      '',
      '1',
      '-1',
      '+5',
      '0x1F',
      '0b101',
      '0o17',
      '0755',
      '08',
      '1_000',
      '1e3',
      '1.5',
      '.5',
      'yes',
      'No',
      'on',
      'OFF',
      'y',
      '~',
      'null',
      '<<',
      '.inf',
      '-.Inf',
      '.nan',
      '1:20',
      '2026-01-01',
      '2026-01-01T00:00:00Z',
      '2026-1-2 15:04:05',
    ];
    const strings = ['web', '1.4.3', 'v1', '25%', '100m', '256Mi', '-', 'e2e', '1e', '0x', 'yesterday', 'nan', 'inf', '2026-01-01T00:00:00', 'True story', '.', '1:60'];
    for (const s of other) assert.equal(readsAsNonString(s), true, JSON.stringify(s));
    for (const s of strings) assert.equal(readsAsNonString(s), false, JSON.stringify(s));
  });

  it('formatYaml writes what kubectl writes', function () {
    const object = {
      metadata: { resourceVersion: '42', creationTimestamp: '2026-03-14T09:26:53Z', labels: { enabled: 'yes', tier: 'web', '1': 'one' } },
      data: { empty: '', star: '*.example.com', text: 'a\nb\n', mode: '0755', on: 'on' },
    };
    assert.equal(
      formatYaml(object),
      [
        'data:',
        '  empty: ""',
        '  mode: "0755"',
        '  "on": "on"',
        "  star: '*.example.com'",
        '  text: |',
        '    a',
        '    b',
        'metadata:',
        '  creationTimestamp: "2026-03-14T09:26:53Z"',
        '  labels:',
        '    "1": one',
        '    enabled: "yes"',
        '    tier: web',
        '  resourceVersion: "42"',
        '',
      ].join('\n'),
    );
  });

  it('formatYaml reads back as the same value, for every upstream fixture', function () {
    requireSharedFixtures(this);
    const fixtures = storableFixtures();
    assert.ok(fixtures.length > 0);
    for (const fixture of fixtures) {
      const text = formatYaml(fixture.json);
      assert.deepEqual(yaml.load(text), forDisplay(fixture.json), fixture.name);
    }
  });
});
