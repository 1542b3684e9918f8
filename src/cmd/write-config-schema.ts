import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { configJsonSchema } from '../pipeline/schema/json-schema.js';

/** Where `npm run schema` writes the editor schema, relative to the repository root. */
export const configSchemaPath = 'schema/circleci-config.schema.json';

/** The schema file's text, exactly as committed. */
export function configSchemaText(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}

// `npm run schema`: regenerate the committed file.
if (
  process.argv[1] !== undefined &&
  resolve(process.argv[1]) === resolve(import.meta.dirname, 'write-config-schema.ts')
) {
  const target = resolve(import.meta.dirname, '..', '..', configSchemaPath);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, configSchemaText());
  process.stdout.write(`wrote ${configSchemaPath}\n`);
}
