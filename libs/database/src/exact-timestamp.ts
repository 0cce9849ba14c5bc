/**
 * SQL that renders a timestamptz expression as ISO-8601 UTC text with all six fractional digits
 * (`2026-01-02T03:04:05.123456Z`). Postgres keeps microseconds, a JS Date only milliseconds: keyset
 * positions read through this and passed back as a `timestamptz` parameter compare exactly.
 */
export function exactTimestampSql(expression: string): string {
  return `to_char((${expression}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}
