/** One sample line of a scrape: `name{label="value",...} value`. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Scrape {
  series: Sample[];
  /** Metric family names (from `# TYPE` lines, so a labelled metric without series counts too). */
  families(): string[];
  /** The family's type (`counter`, `gauge`, `histogram`, ...), from its `# TYPE` line. */
  typeOf(family: string): string | undefined;
  /** The sum of the samples of `name` whose labels include `labels` (0 when there is none). */
  value(name: string, labels?: Record<string, string>): number;
}

/** Parses the Prometheus text exposition format (what /metrics answers). */
export function parsePrometheusText(text: string): Scrape {
  const families = new Map<string, string>();
  const series: Sample[] = [];
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)/.exec(line);
    if (type) families.set(type[1]!, type[2]!);
    if (line.startsWith('#') || line.trim() === '') continue;
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!sample) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (sample[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
      labels[key!] = value!;
    series.push({ name: sample[1]!, labels, value: Number(sample[3]) });
  }
  return {
    series,
    families: () => [...families.keys()],
    typeOf: (family) => families.get(family),
    value: (name, wanted = {}) =>
      series
        .filter((s) => s.name === name && Object.entries(wanted).every(([k, v]) => s.labels[k] === v))
        .reduce((sum, s) => sum + s.value, 0),
  };
}

const PROMQL_KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'offset',
  'inf',
  'nan',
]);
/**
 * The metric names a PromQL expression reads (series names as written: `x_bucket` of a histogram
 * stays `x_bucket`; see `familyOf`). Strings, label matchers, grouping clauses, ranges and Grafana variables are
 * removed first; what is left that is not a function call, a keyword or a number is a metric.
 */
export function metricNamesInPromQL(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, ' ')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\$\{[^}]*\}|\$[a-zA-Z_]\w*/g, ' ');
  const names = new Set<string>();
  for (const match of stripped.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const token = match[0];
    const after = stripped.slice(match.index! + token.length).trimStart();
    if (after.startsWith('(') || PROMQL_KEYWORDS.has(token.toLowerCase())) continue;
    // Exponents and durations of numbers (1e3, 5m) are part of a number, not names.
    if (match.index! > 0 && /[0-9.]/.test(stripped[match.index! - 1]!)) continue;
    names.add(token);
  }
  return [...names];
}

/** The family a series name belongs to in `scrapes`: itself, or for `_bucket`, `_sum` and `_count`
 *  the histogram (or summary) it is part of; undefined when no scrape exports it. */
export function familyOf(name: string, scrapes: Scrape[]): string | undefined {
  if (scrapes.some((s) => s.typeOf(name) !== undefined)) return name;
  const base = /^(.+)_(bucket|sum|count)$/.exec(name)?.[1];
  if (base && scrapes.some((s) => ['histogram', 'summary'].includes(s.typeOf(base) ?? ''))) return base;
  return undefined;
}
