/**
 * The validators of what users type: one per kind of input, shared by the
 * provider's `check`, the root program's config reader and the CLI, so a
 * value one of them accepts is never refused by another. Pure functions:
 * nothing of Pulumi, no request.
 *
 * Each returns why a value is refused, starting with the name the caller
 * gives (a property, a config path, a flag) and showing an example of a
 * good value, or `undefined` when the value is good.
 */
import { printable, quote } from "./text";
import type { Instant } from "./types";

export { invalidIdReason, isPingOneId } from "./ids";
export type { Instant } from "./types";

/** The example every date-time reason shows. */
const DATE_TIME_EXAMPLE = "2026-11-28T12:00:00Z";

/**
 * A full ISO 8601 date-time with a zone: date, `T`, hours and minutes,
 * optional seconds and fraction, then `Z` or an offset. The fields are
 * captured so their ranges can be checked: `Date.parse` moves
 * `2026-02-30` to March 2 and `T24:00` to the next day without a word.
 */
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-](\d{2}):(\d{2}))$/;

/** The same form, read for its value: the fraction's digits and the offset's sign kept. */
const DATE_TIME_PARTS = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(?:Z|([+-])(\d{2}):(\d{2}))$/;

/**
 * `value` as an `Instant`, or `undefined` when it is not a date-time
 * `invalidDateTimeReason` accepts. A time without a zone is `undefined`:
 * read as local time it would depend on the runner's time zone, and read as
 * UTC it would be a guess; callers treat an unreadable time as "when in
 * doubt, revoke".
 */
export function parseInstant(value: unknown): Instant | undefined {
  if (typeof value !== "string" || invalidDateTimeReason("value", value) !== undefined) return undefined;
  const [, y, mo, d, h, mi, sec, fraction, sign, oh, om] = DATE_TIME_PARTS.exec(value)!;
  const date = new Date(0);
  date.setUTCFullYear(Number(y), Number(mo) - 1, Number(d));
  date.setUTCHours(Number(h), Number(mi), Number(sec ?? 0), 0);
  const offset = sign === undefined ? 0 : (sign === "-" ? -1 : 1) * (Number(oh) * 60 + Number(om)) * 60;
  return { seconds: date.getTime() / 1000 - offset, fraction: (fraction ?? "").replace(/0+$/, "") };
}

/** Negative when `a` is before `b`, 0 when they are the same moment, positive when after. */
export function compareInstants(a: Instant, b: Instant): number {
  if (a.seconds !== b.seconds) return a.seconds - b.seconds;
  const width = Math.max(a.fraction.length, b.fraction.length);
  const fa = a.fraction.padEnd(width, "0");
  const fb = b.fraction.padEnd(width, "0");
  return fa < fb ? -1 : fa > fb ? 1 : 0;
}

const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

/**
 * Why `value` is not a full ISO 8601 date-time with a zone that names a
 * real moment, or `undefined` when it is one. Refused: dates alone
 * (`2026-11-28`), other formats (`Nov 28 2026`), times without a zone, and
 * calendar values that do not exist (`2026-02-30`, `T24:00`, `T23:60`,
 * leap second `:60`, offsets past `23:59`). `name` opens the reason:
 * `createdBefore`, `revoke[0].createdBefore`, `--created-before`.
 */
export function invalidDateTimeReason(name: string, value: unknown): string | undefined {
  const expected = `an ISO 8601 date-time with a time zone, such as ${DATE_TIME_EXAMPLE}`;
  if (typeof value !== "string") {
    return value === undefined || value === null
      ? `${name} is required: ${expected}`
      : `${name} must be a string holding ${expected}, not ${typeof value}`;
  }
  const fields = DATE_TIME.exec(value);
  if (!fields) return `${name} must be ${expected}; got ${printable(quote(value))}`;
  const impossible = impossibleField(fields.slice(1).map((field) => (field === undefined ? 0 : Number(field))));
  return impossible
    ? `${name} names a time that does not exist (${impossible}): use ${expected}; got ${printable(quote(value))}`
    : undefined;
}

/** True when `value` is a date-time `invalidDateTimeReason` accepts. */
export function isIsoDateTime(value: unknown): value is string {
  return invalidDateTimeReason("value", value) === undefined;
}

/** The first field out of its calendar range, in words, or undefined. */
function impossibleField([year, month, day, hour, minute, second, offsetHours, offsetMinutes]: number[]):
  string | undefined {
  if (month < 1 || month > 12) return `there is no month ${month}`;
  const days = daysIn(year, month);
  if (day < 1 || day > days) return `${MONTHS[month - 1]} ${year} has ${days} days`;
  if (hour > 23) return "hours run from 00 to 23";
  if (minute > 59) return "minutes run from 00 to 59";
  if (second > 59) return "seconds run from 00 to 59";
  if (offsetHours > 23 || offsetMinutes > 59) return "a zone offset runs from 00:00 to 23:59";
  return undefined;
}

/** Days in `month` (1 to 12) of `year`; `setUTCFullYear`, since `Date.UTC` reads years 0 to 99 as 1900 to 1999. */
function daysIn(year: number, month: number): number {
  const lastDay = new Date(0);
  lastDay.setUTCFullYear(year, month, 0);
  return lastDay.getUTCDate();
}
