// Parameters of `ltv query` typed at the command line, checked by what the query header says they
// mean (queryCatalog.ts, ParameterMeaning): a value the SQL would accept but answer wrongly
// (a lower-case currency matches no order and no rate; a partition range narrower than the window
// drops orders) is refused with the value to use instead, never run.
import type { NamedQuery, ParameterMeaning, ParameterSpec } from '../engine/queryCatalog.ts';
import { param, type ParameterValue, type ParameterValues } from '../engine/queryEngine.ts';
import { lastMonthBefore, partitionMonth } from '../pipeline/gatherInputs.ts';
import { parseWeekId } from '../time/isoWeek.ts';

/** The first spec of each parameter name: a repeated name is described once, on its first line. */
export function distinctParameters(query: NamedQuery): ParameterSpec[] {
  const byName = new Map<string, ParameterSpec>();
  for (const p of query.parameters) if (!byName.has(p.name)) byName.set(p.name, p);
  return [...byName.values()];
}

const INSTANT = /^(\d{4}-\d{2}-\d{2})T([01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,3})?)?(Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)?$/;

/** True when YYYY-MM-DD names a day of the calendar (Date would roll 2026-02-30 into March). */
function isCalendarDate(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === text;
}

/** One `--param name=value`, read as the header's type and meaning say. */
export function parseParameterText(spec: ParameterSpec, text: string): ParameterValue {
  const bad = (why: string): never => {
    throw new Error(`--param ${spec.name}: ${why}`);
  };
  switch (spec.type) {
    case 'timestamp': {
      const m = INSTANT.exec(text);
      const day = m?.[1] ?? (isCalendarDate(text) ? text : undefined);
      // Without a zone, Date reads a time as the machine's local time: the same command would
      // read other orders on another machine.
      if (day && !m?.[3]) bad(`"${text}" has no time zone; write a UTC instant such as ${day}T00:00:00Z, or an offset such as ${day}T00:00:00+09:00`);
      if (!m || !isCalendarDate(day!)) bad(`"${text}" is not an ISO 8601 instant such as 2026-11-23T00:00:00Z`);
      return param.timestamp(new Date(text));
    }
    case 'date':
      if (!isCalendarDate(text)) bad(`"${text}" is not a calendar date written YYYY-MM-DD`);
      return param.date(text);
    case 'bigint':
      if (!/^-?\d+$/.test(text)) bad(`"${text}" is not a whole number`);
      return param.bigint(BigInt(text));
    case 'double': {
      const n = Number(text);
      if (text.trim() === '' || !Number.isFinite(n)) bad(`"${text}" is not a number`);
      return param.double(n);
    }
    case 'varchar':
      return param.varchar(checkedVarchar(spec, text));
  }
}

function checkedVarchar(spec: ParameterSpec, text: string): string {
  const bad = (why: string): never => {
    throw new Error(`--param ${spec.name}: ${why}`);
  };
  switch (spec.meaning.kind) {
    case 'currency':
      // Currency codes are compared as written: "usd" matches no order and no rate, and the
      // money columns come out 0 without an error.
      if (/^[a-zA-Z]{3}$/.test(text) && text !== text.toUpperCase()) bad(`"${text}" is not an ISO 4217 code; did you mean ${text.toUpperCase()}?`);
      if (!/^[A-Z]{3}$/.test(text)) bad(`"${text}" is not an ISO 4217 code of three capital letters, e.g. USD`);
      return text;
    case 'week':
      try {
        parseWeekId(text);
      } catch (err) {
        bad((err as Error).message);
      }
      return text;
    case 'month':
      if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(text)) bad(`"${text}" is not an order_month partition written YYYY-MM`);
      return text;
    case 'value':
      return text;
  }
}

/** The partition that must be read for the instant it covers: its own month, or the month of the last instant before it. */
function neededMonth(meaning: Extract<ParameterMeaning, { kind: 'month' }>, covered: Date): string {
  return meaning.bound === 'from' ? partitionMonth(covered) : lastMonthBefore(covered);
}

/**
 * The values to run with: `base` (a report week's, or none) overridden by `given` (typed at the
 * command line); a partition bound not given is derived from the instant it covers, and a given
 * one that leaves part of its window unread is refused.
 */
export function completeParameters(query: NamedQuery, base: ParameterValues, given: ParameterValues): ParameterValues {
  const specs = distinctParameters(query);
  const values: ParameterValues = { ...base, ...given };
  for (const spec of specs) {
    if (spec.meaning.kind !== 'month') continue;
    const covered = values[spec.meaning.covers];
    if (covered?.type !== 'timestamp') continue;
    const needed = neededMonth(spec.meaning, covered.value);
    const month = given[spec.name];
    if (month?.type !== 'varchar') {
      values[spec.name] = param.varchar(needed);
      continue;
    }
    const leavesOut = spec.meaning.bound === 'from' ? month.value > needed : month.value < needed;
    if (leavesOut) {
      throw new Error(
        `--param ${spec.name}=${month.value} does not cover ${spec.meaning.covers}=${covered.value.toISOString()}: ` +
          `orders in ${needed} would be left out without a word. Give ${spec.name}=${needed}, or leave ${spec.name} out to derive it from ${spec.meaning.covers}.`,
      );
    }
  }
  const missing = specs.filter((s) => !(s.name in values));
  if (missing.length > 0) {
    const lines = missing.map((s) => `  ${s.name} (${s.type}): ${s.description}${s.meaning.kind === 'month' ? `; derived from ${s.meaning.covers} when left out` : ''}`);
    throw new Error(
      `${query.file} needs ${missing.length === 1 ? 'a parameter' : 'parameters'} not given:\n${lines.join('\n')}\n` +
        `Give each with --param name=value, or --week 2026-W47 to fill them as the report of that week does.`,
    );
  }
  return values;
}
