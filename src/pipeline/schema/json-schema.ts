import { configSchema, definitions } from './config-schema.js';
import type { Schema } from './schema.js';

type Json = Record<string, unknown>;

const template = { $ref: '#/definitions/template' };

function withTemplate(schema: Json): Json {
  return { anyOf: [schema, template] };
}

function described(json: Json, schema: Schema): Json {
  return schema.description === undefined ? json : { description: schema.description, ...json };
}

/** The JSON Schema of one schema definition (2.1 source form: templates may stand in for values). */
function toJson(schema: Schema): Json {
  switch (schema.kind) {
    case 'string': {
      const base: Json = { type: schema.numbersAsText === false ? 'string' : ['string', 'number'] };
      return described(
        schema.pattern === undefined ? base : withTemplate({ ...base, pattern: schema.pattern }),
        schema,
      );
    }
    case 'integer':
      return described(
        withTemplate({
          type: 'integer',
          ...(schema.minimum !== undefined ? { minimum: schema.minimum } : {}),
          ...(schema.maximum !== undefined ? { maximum: schema.maximum } : {}),
        }),
        schema,
      );
    case 'number':
      return described(withTemplate({ type: 'number' }), schema);
    case 'boolean':
      return described(withTemplate({ type: 'boolean' }), schema);
    case 'enum':
      return described(withTemplate({ enum: [...schema.values] }), schema);
    case 'duration':
      return described(withTemplate({ type: 'string', pattern: '^\\d+(\\.\\d+)?[hms]$' }), schema);
    case 'null':
      return { type: 'null' };
    case 'any':
      return described({}, schema);
    case 'list': {
      const array: Json = {
        type: 'array',
        items: toJson(schema.items),
        ...(schema.minItems !== undefined ? { minItems: schema.minItems } : {}),
      };
      return described(
        schema.single ? { anyOf: [array, toJson(schema.items)] } : withTemplate(array),
        schema,
      );
    }
    case 'object': {
      const properties: Json = {};
      for (const [k, p] of Object.entries(schema.properties)) {
        const json = toJson(p.schema);
        const notes = [p.description, p.since ? '(version 2.1)' : undefined, p.support?.message]
          .filter(Boolean)
          .join(' ');
        properties[k] = notes === '' ? json : { ...json, description: notes };
      }
      const additional =
        schema.additionalInSource === 'tolerate' || schema.additional === 'tolerate'
          ? true
          : schema.additional === 'error'
            ? false
            : toJson(schema.additional);
      return described(
        {
          type: schema.nullable ? ['object', 'null'] : 'object',
          properties,
          ...(schema.required && schema.required.length > 0
            ? { required: [...schema.required] }
            : {}),
          additionalProperties: additional,
        },
        schema,
      );
    }
    case 'map':
      return described(
        {
          type: schema.nullable ? ['object', 'null'] : 'object',
          additionalProperties: toJson(schema.values),
          ...(schema.minProperties !== undefined ? { minProperties: schema.minProperties } : {}),
        },
        schema,
      );
    case 'union':
      return described({ anyOf: schema.options.map(toJson) }, schema);
    case 'ref':
      return { $ref: `#/definitions/${schema.name}` };
    case 'custom':
      return described({ ...schema.json(toJson) }, schema);
  }
}

/**
 * The JSON Schema (draft-07) of `.circleci/config.yml` for editors, generated from the same
 * definitions the validator uses. `npm run schema` writes it to
 * `schema/circleci-config.schema.json`.
 */
export function configJsonSchema(): Json {
  const defs: Json = {
    template: {
      type: 'string',
      description: 'a 2.1 template replaced when the config is processed, e.g. << parameters.x >>',
      pattern: '<<\\s*[#^/]?\\s*(parameters|pipeline|matrix)\\.',
    },
  };
  for (const [name, schema] of Object.entries(definitions)) defs[name] = toJson(schema);
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://airlock-ci.dev/schema/circleci-config.schema.json',
    title: 'CircleCI config (as Airlock reads it)',
    description:
      'Airlock CI reads CircleCI 2.0 and 2.1 configs (.circleci/config.yml). Generated from src/pipeline/schema; do not edit by hand.',
    ...toJson(configSchema),
    required: ['version'],
    definitions: defs,
  };
}
