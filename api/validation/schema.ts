import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import type { Contract } from '../contract.js';
import type { FieldError } from '../problems.js';

const CONTRACT_ID = 'https://goe.dev/openapi.yaml';

/** A compiled validator for one named schema of the contract (`components.schemas.<name>`). */
export interface SchemaValidator {
  /** The field errors of `value`, empty when it is valid. */
  errors(value: unknown): FieldError[];
}

/**
 * Compiles `components.schemas.<name>` of the contract with Ajv (JSON Schema 2020-12, the dialect of
 * OpenAPI 3.1). The components are added under the contract's own id, so `#/components/schemas/…`
 * references resolve exactly as in openapi.yaml — the schemas are used as written, never copied.
 */
export function compileSchema(contract: Contract, name: string): SchemaValidator {
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictNumbers: true });
  // `components` is an OpenAPI keyword, not JSON Schema: declared so strict mode accepts the wrapper.
  ajv.addKeyword({ keyword: 'components' });
  ajv.addSchema({ $id: CONTRACT_ID, components: { schemas: contract.components.schemas } });
  const validate = ajv.getSchema(`${CONTRACT_ID}#/components/schemas/${name}`) as
    | ValidateFunction
    | undefined;
  if (!validate) throw new Error(`openapi.yaml has no schema components.schemas.${name}`);
  return {
    errors(value) {
      return validate(value) ? [] : fieldErrors(validate.errors ?? []);
    },
  };
}

/** Ajv's errors as `{path, message}`, one per place, with `oneOf` branches folded into one message. */
function fieldErrors(errors: readonly ErrorObject[]): FieldError[] {
  const oneOfPaths = new Set(errors.filter((e) => e.keyword === 'oneOf').map((e) => e.instancePath));
  const out: FieldError[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    let path = e.instancePath || '/';
    let message = e.message ?? 'is invalid';
    if (e.keyword === 'additionalProperties') {
      const field = (e.params as { additionalProperty: string }).additionalProperty;
      path = `${e.instancePath}/${escapePointer(field)}`;
      message = 'is not a known field';
    } else if (e.keyword === 'required') {
      path = `${e.instancePath}/${escapePointer((e.params as { missingProperty: string }).missingProperty)}`;
      message = 'is required';
    } else if (e.keyword === 'enum') {
      message = `must be one of: ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`;
    } else if (oneOfPaths.has(e.instancePath)) {
      // The branches of a oneOf (`classes` items: name or index) each report their own failure; one
      // message naming the accepted forms reads better than "must be string; must be integer".
      if (e.keyword !== 'oneOf') continue;
      message = 'must be a class name (string) or a class index (integer >= 0)';
    }
    const key = `${path}\u0000${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ path, message });
  }
  return out;
}

function escapePointer(segment: string): string {
  return segment.replaceAll('~', '~0').replaceAll('/', '~1');
}
