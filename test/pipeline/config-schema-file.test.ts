import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { configSchemaPath } from '../../src/cmd/write-config-schema.js';
import { DiagnosticSink } from '../../src/pipeline/diagnostic.js';
import { loadYaml } from '../../src/pipeline/load-yaml.js';
import { configJsonSchema } from '../../src/pipeline/schema/json-schema.js';
import { toPlain } from '../../src/pipeline/yaml-node.js';

const repoRoot = resolve(import.meta.dirname, '..', '..');
const corpusDir = resolve(repoRoot, '..', 'shared', 'corpus', 'circleci');

function data(text: string): unknown {
  const node = loadYaml(text, 'c.yml', new DiagnosticSink());
  return node === undefined ? undefined : toPlain(node);
}

describe('the JSON Schema for editors', () => {
  const generated = configJsonSchema();

  it('is committed as npm run schema generates it', () => {
    const committed = JSON.parse(readFileSync(join(repoRoot, configSchemaPath), 'utf8')) as unknown;
    expect(committed, 'run `npm run schema` and commit schema/circleci-config.schema.json').toEqual(
      generated,
    );
  });

  const ajv = new Ajv({ strict: false, allErrors: true });
  const validate = ajv.compile(generated);

  it.each(readdirSync(corpusDir).filter((f) => f.endsWith('.yml')))(
    'accepts the corpus config %s',
    (file) => {
      const ok = validate(data(readFileSync(join(corpusDir, file), 'utf8')));
      expect(validate.errors ?? [], file).toEqual([]);
      expect(ok).toBe(true);
    },
  );

  it.each([
    [
      'a typo in a job key',
      'version: 2.1\njobs:\n  a:\n    docker: [{image: x}]\n    stpes: []\n',
      '/jobs/a',
    ],
    [
      'a bad step type',
      'version: 2.1\njobs:\n  a:\n    docker: [{image: x}]\n    steps: [{run: {command: x, when: sometimes}}]\n',
      '/jobs/a/steps/0/run/when',
    ],
    ['a missing version', 'jobs: {}\n', ''],
  ])('rejects %s', (_name, text, where) => {
    expect(validate(data(text))).toBe(false);
    expect((validate.errors ?? []).map((e) => e.instancePath)).toContain(where);
  });
});
