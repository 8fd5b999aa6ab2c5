// Timestamp and date formats a mapping file may declare for its source columns. Deliberately
// small: `iso` (what canonical exports use), `unix` (whole seconds since 1970-01-01 UTC), or a
// pattern of YYYY (or YY), MM, DD, HH, mm, ss between literal separators, such as `DD/MM/YYYY`,
// `MM/DD/YYYY HH:mm`, `DD.MM.YYYY HH:mm:ss` or `MM/DD/YY HH:mm`. Pattern fields accept one or two
// digits (exports write `3/11/2026` as often as `03/11/2026`), and a wall time without an offset
// is read in the column's time zone.
import { instantOfExportTime, parseCivilDate, parseTimestamp } from './parseTimestamp.ts';

const TOKENS = ['YYYY', 'YY', 'MM', 'DD', 'HH', 'mm', 'ss'] as const;
type Token = (typeof TOKENS)[number];

interface Pattern {
  regex: RegExp;
  tokens: Token[];
}

/** A pattern compiled to a regular expression, or a sentence saying what is wrong with it. */
function compilePattern(format: string): Pattern | string {
  const tokens: Token[] = [];
  let source = '^';
  for (let i = 0; i < format.length; ) {
    const token = TOKENS.find((t) => format.startsWith(t, i));
    if (token) {
      if (tokens.includes(token)) return `"${format}" has ${token} twice`;
      if ((token === 'YY' && tokens.includes('YYYY')) || (token === 'YYYY' && tokens.includes('YY'))) return `"${format}" has a year twice`;
      tokens.push(token);
      source += token === 'YYYY' ? '(\\d{4})' : token === 'YY' ? '(\\d{2})' : '(\\d{1,2})';
      i += token.length;
    } else if (/[A-Za-z]/.test(format[i]!)) {
      return `"${format}" has "${format[i]}" outside the known fields ${TOKENS.join(', ')}`;
    } else {
      source += format[i]!.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      i++;
    }
  }
  if (!tokens.includes('YYYY') && !tokens.includes('YY')) return `"${format}" lacks YYYY (or YY)`;
  for (const needed of ['MM', 'DD'] as const) {
    if (!tokens.includes(needed)) return `"${format}" lacks ${needed}`;
  }
  return { regex: new RegExp(`${source}$`), tokens };
}

/** Why a format cannot be used, or undefined when it can. */
export function problemOfFormat(format: string): string | undefined {
  if (format === 'iso' || format === 'unix') return undefined;
  const compiled = compilePattern(format);
  return typeof compiled === 'string' ? compiled : undefined;
}

/**
 * A two-digit year as POSIX strptime's %y reads it: 69–99 are 1969–1999, 00–68 are 2000–2068.
 * A fixed rule rather than one relative to today, so the same export reads the same every year.
 */
export function centuryOf(twoDigitYear: number): number {
  return twoDigitYear >= 69 ? 1900 + twoDigitYear : 2000 + twoDigitYear;
}

/**
 * Why a pattern cannot be exports.dateFormat (or --date-format), or undefined when it can. Only
 * a pattern: `iso` is how presets read anyway, and no vendor export writes `unix` seconds.
 */
export function problemOfDateFormatSetting(format: string): string | undefined {
  const problem = format === 'iso' || format === 'unix' ? `"${format}" is no pattern` : problemOfFormat(format);
  return problem && `${problem}; give a pattern of YYYY or YY, MM, DD, HH, mm, ss such as "MM/DD/YY HH:mm"`;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

interface WallFields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function readPattern(pattern: Pattern, text: string): WallFields | null {
  const m = pattern.regex.exec(text.trim());
  if (!m) return null;
  const value = (token: Token): number => {
    const at = pattern.tokens.indexOf(token);
    return at === -1 ? 0 : Number(m[at + 1]);
  };
  const year = pattern.tokens.includes('YY') ? centuryOf(value('YY')) : value('YYYY');
  const fields = { year, month: value('MM'), day: value('DD'), hour: value('HH'), minute: value('mm'), second: value('ss') };
  if (fields.month < 1 || fields.month > 12 || fields.day < 1 || fields.day > daysInMonth(fields.year, fields.month)) return null;
  if (fields.hour > 23 || fields.minute > 59 || fields.second > 59) return null;
  return fields;
}

function patternOf(format: string): Pattern {
  const compiled = compilePattern(format);
  if (typeof compiled === 'string') throw new Error(`invalid timestamp format: ${compiled}`);
  return compiled;
}

/** Epoch milliseconds of a timestamp written in `format`, or null when the text does not fit. */
export function timestampReader(format: string, timeZone: string): (text: string) => number | null {
  if (format === 'iso') return (text) => parseTimestamp(text, timeZone);
  if (format === 'unix') return (text) => (/^\d{1,12}$/.test(text.trim()) ? Number(text.trim()) * 1000 : null);
  const pattern = patternOf(format);
  return (text) => {
    const w = readPattern(pattern, text);
    return w === null ? null : instantOfExportTime(w, timeZone);
  };
}

/** The civil date (YYYY-MM-DD) of a date written in `format`, or null when the text does not fit. */
export function dateReader(format: string): (text: string) => string | null {
  if (format === 'iso') return (text) => (parseCivilDate(text) === null ? null : text.trim());
  if (format === 'unix') {
    return (text) => (/^\d{1,12}$/.test(text.trim()) ? new Date(Number(text.trim()) * 1000).toISOString().slice(0, 10) : null);
  }
  const pattern = patternOf(format);
  return (text) => {
    const w = readPattern(pattern, text);
    return w === null ? null : `${String(w.year).padStart(4, '0')}-${String(w.month).padStart(2, '0')}-${String(w.day).padStart(2, '0')}`;
  };
}
