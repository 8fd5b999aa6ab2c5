// Turns a validation issue into one line a user can act on: the setting, what it must be (read
// from the schema itself, so messages cannot drift from the rules), what was given, and for a
// misspelt name the setting that was probably meant.
import { z } from 'zod';
import { closestName } from '../text/closestName.ts';

type Segment = PropertyKey;

function valueAt(input: unknown, path: readonly Segment[]): unknown {
  let node = input;
  for (const key of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

function unwrap(schema: z.ZodType): z.ZodType {
  let node = schema;
  while (node instanceof z.ZodOptional || node instanceof z.ZodDefault || node instanceof z.ZodPrefault || node instanceof z.ZodNullable) {
    node = node.unwrap() as z.ZodType;
  }
  return node;
}

/** The object variant a discriminated union picks for this input, if its discriminator matches one. */
function variantOf(union: z.ZodDiscriminatedUnion, value: unknown): z.ZodObject | undefined {
  const discriminator = union.def.discriminator;
  const chosen = valueAt(value, [discriminator]);
  for (const option of union.options) {
    const variant = unwrap(option as z.ZodType);
    if (!(variant instanceof z.ZodObject)) continue;
    const tag = unwrap(variant.shape[discriminator] as z.ZodType);
    if (tag instanceof z.ZodLiteral && tag.values.has(chosen as never)) return variant;
  }
  return undefined;
}

/** The schema that validates the value at `path` of `input`; undefined where the input fits no variant. */
function schemaAt(root: z.ZodType, input: unknown, path: readonly Segment[]): z.ZodType | undefined {
  let node: z.ZodType | undefined = unwrap(root);
  for (const [i, key] of path.entries()) {
    if (node instanceof z.ZodDiscriminatedUnion) node = variantOf(node, valueAt(input, path.slice(0, i)));
    if (node instanceof z.ZodObject) node = node.shape[String(key)] as z.ZodType | undefined;
    else if (node instanceof z.ZodArray) node = node.element as z.ZodType;
    else return undefined;
    if (node === undefined) return undefined;
    node = unwrap(node);
  }
  if (node instanceof z.ZodDiscriminatedUnion) return variantOf(node, valueAt(input, path));
  return node;
}

const quoted = (values: readonly unknown[]): string => values.map((v) => JSON.stringify(v)).join(', ');

function given(value: unknown): string {
  if (value === undefined) return '';
  const text = JSON.stringify(value);
  return `; got ${text.length > 40 ? `${text.slice(0, 37)}...` : text}`;
}

interface Bound {
  value: number;
  inclusive: boolean;
}

/** The bounds a number schema checks, with whether each admits its own value (gt vs min). */
function boundsOf(schema: z.ZodNumber): { min?: Bound; max?: Bound } {
  const bounds: { min?: Bound; max?: Bound } = {};
  for (const check of schema._zod.def.checks ?? []) {
    const def = check._zod.def as { check: string; value?: unknown; inclusive?: boolean };
    if (typeof def.value !== 'number') continue;
    if (def.check === 'greater_than') bounds.min = { value: def.value, inclusive: def.inclusive !== false };
    if (def.check === 'less_than') bounds.max = { value: def.value, inclusive: def.inclusive !== false };
  }
  return bounds;
}

/** "a whole number from 28 to 3650", "a number above 0", or the setting's own description. */
function numberRule(schema: z.ZodNumber): string {
  if (schema.description !== undefined) return schema.description;
  const what = schema.isInt ? 'a whole number' : 'a number';
  const { min, max } = boundsOf(schema);
  const phrase = (bound: Bound, inclusive: string, exclusive: string): string => `${bound.inclusive ? inclusive : exclusive} ${bound.value}`;
  if (min !== undefined && max !== undefined) {
    return min.inclusive && max.inclusive ? `${what} from ${min.value} to ${max.value}` : `${what} ${phrase(min, 'at least', 'above')} and ${phrase(max, 'at most', 'below')}`;
  }
  if (min !== undefined) return `${what} ${phrase(min, 'of at least', 'above')}`;
  if (max !== undefined) return `${what} ${phrase(max, 'of at most', 'below')}`;
  return what;
}

function expectedText(expected: string, schema: z.ZodType | undefined): string {
  if (schema instanceof z.ZodNumber) return numberRule(schema);
  switch (expected) {
    case 'string':
      return 'text in quotes';
    case 'boolean':
      return 'true or false';
    case 'array':
      return 'a list [ ... ]';
    case 'object':
      return 'an object { ... } of settings';
    default:
      return expected;
  }
}

function rule(issue: z.core.$ZodIssue, schema: z.ZodType | undefined, value: unknown): string {
  switch (issue.code) {
    case 'too_big':
      return schema instanceof z.ZodNumber ? `must be ${numberRule(schema)}${given(value)}` : issue.message;
    case 'too_small':
      return schema instanceof z.ZodNumber ? `must be ${numberRule(schema)}${given(value)}` : issue.message;
    case 'invalid_type':
      if (value === undefined) return issue.expected === 'string' ? 'required' : `required: ${expectedText(issue.expected, schema)}`;
      return `must be ${expectedText(issue.expected, schema)}${given(value)}`;
    case 'invalid_value': {
      const guess = typeof value === 'string' ? closestName(value, issue.values.map(String)) : undefined;
      return `must be one of ${quoted(issue.values)}${given(value)}${guess !== undefined ? `; did you mean "${guess}"?` : ''}`;
    }
    case 'invalid_union':
      if ('note' in issue && issue.note === 'No matching discriminator' && 'options' in issue && Array.isArray(issue.options)) {
        const options = issue.options as unknown[];
        if (value === undefined) return `required: one of ${quoted(options)}`;
        const guess = typeof value === 'string' ? closestName(value, options.map(String)) : undefined;
        return `must be one of ${quoted(options)}${given(value)}${guess !== undefined ? `; did you mean "${guess}"?` : ''}`;
      }
      return issue.message;
    default:
      return issue.message;
  }
}

/** Where a value of the input came from, when not from the configuration object itself. */
export interface ValueOrigin {
  /** The setting's path, e.g. ['grossMargin']. */
  path: readonly string[];
  /** The environment variable that set it, e.g. LTV_GROSS_MARGIN. */
  variable: string;
}

/** One line per problem: an issue about several unknown keys becomes a line for each. */
export function describeIssue(issue: z.core.$ZodIssue, root: z.ZodType, input: unknown, origins: readonly ValueOrigin[] = []): string[] {
  const schema = schemaAt(root, input, issue.path);
  const nameOf = (keys: readonly Segment[]): string => {
    const setting = keys.map(String).join('.');
    const origin = origins.find((o) => o.path.every((key, i) => String(keys[i]) === key));
    return origin ? `${origin.variable} (${setting})` : setting;
  };
  if (issue.code === 'unrecognized_keys') {
    // The known keys are the schema's own (for a union, the variant `kind` selects), never a hand list.
    const known = schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
    return issue.keys.map((key) => {
      const guess = closestName(key, known);
      return `${nameOf([...issue.path, key])}: unknown setting "${key}"${guess !== undefined ? `; did you mean "${guess}"?` : ''}`;
    });
  }
  return [`${nameOf(issue.path.length > 0 ? issue.path : ['(top level)'])}: ${rule(issue, schema, valueAt(input, issue.path))}`];
}
