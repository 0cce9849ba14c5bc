/** What an /api request was for, so a test can count e.g. the history pages an import asked for. */
export const API_REQUEST_KINDS = [
  'chat-messages',
  'chat-message',
  'chats',
  'chats-overview',
  'send-text',
  'sessions',
  'files',
  'other',
] as const;
export type ApiRequestKind = (typeof API_REQUEST_KINDS)[number];

/** Percent-decoded path (`/chats/5511%40c.us` → `/chats/5511@c.us`); a malformed escape stays as sent. */
export function decodePath(path: string): string {
  return path
    .split('/')
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        return segment;
      }
    })
    .join('/');
}

/**
 * A path pattern: a prefix of the (decoded) path, where `*` stands for one path segment and a
 * trailing `$` anchors the end. `/api/sendText`, `/api/default/chats/*` + `/messages$` (every chat's
 * history pages, not single messages).
 */
export function matchesPathPattern(path: string, pattern: string): boolean {
  const anchored = pattern.endsWith('$');
  const body = anchored ? pattern.slice(0, -1) : pattern;
  if (!body.includes('*')) return anchored ? path === body : path.startsWith(body);
  const source = body
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('[^/]+');
  return new RegExp(`^${source}${anchored ? '$' : ''}`).test(path);
}

/** Kind of a decoded /api path (GOWS routes, §2 of the reference). */
export function classifyApiRequest(method: string, path: string): ApiRequestKind {
  const segments = path.split('/').filter(Boolean);
  if (segments[0] !== 'api') return 'other';
  if (segments[1] === 'sendText') return 'send-text';
  if (segments[1] === 'sessions') return 'sessions';
  if (segments[1] === 'files') return 'files';
  if (segments[2] !== 'chats') return 'other';
  if (segments.length === 3) return 'chats';
  if (segments.length === 4 && segments[3] === 'overview') return 'chats-overview';
  if (segments.length === 5 && segments[4] === 'messages' && method === 'GET') return 'chat-messages';
  if (segments.length === 6 && segments[4] === 'messages' && method === 'GET') return 'chat-message';
  return 'other';
}

export interface RequestCounts {
  total: number;
  /** Answered below 400. */
  served: number;
  /** Answered 400 or above (injected or not). */
  failed: number;
  /** Failures made by fault injection (`POST /_sim/faults`). */
  injected: number;
  /** Answers by HTTP status. */
  byStatus: Record<string, number>;
}

export interface RequestStatsView extends RequestCounts {
  byKind: Partial<Record<ApiRequestKind, RequestCounts>>;
}

export interface RequestStatsFilter {
  /** A path pattern (see matchesPathPattern). */
  path?: string;
  kind?: ApiRequestKind;
}

interface Bucket {
  method: string;
  path: string;
  kind: ApiRequestKind;
  status: number;
  injected: boolean;
  count: number;
}

function emptyCounts(): RequestCounts {
  return { total: 0, served: 0, failed: 0, injected: 0, byStatus: {} };
}

function add(counts: RequestCounts, bucket: Bucket): void {
  counts.total += bucket.count;
  if (bucket.status < 400) counts.served += bucket.count;
  else counts.failed += bucket.count;
  if (bucket.injected) counts.injected += bucket.count;
  counts.byStatus[bucket.status] = (counts.byStatus[bucket.status] ?? 0) + bucket.count;
}

/** Counters of answered /api requests, by method, path and status (not a log: a benchmark's
 *  million requests cost one entry per distinct path and status). */
export class RequestStats {
  private readonly buckets = new Map<string, Bucket>();

  record(method: string, decodedPath: string, status: number, injected: boolean): void {
    const key = `${method} ${status} ${injected ? 1 : 0} ${decodedPath}`;
    const bucket = this.buckets.get(key);
    if (bucket) bucket.count++;
    else
      this.buckets.set(key, {
        method,
        path: decodedPath,
        kind: classifyApiRequest(method, decodedPath),
        status,
        injected,
        count: 1,
      });
  }

  query(filter: RequestStatsFilter = {}): RequestStatsView {
    const view: RequestStatsView = { ...emptyCounts(), byKind: {} };
    for (const bucket of this.buckets.values()) {
      if (filter.kind !== undefined && bucket.kind !== filter.kind) continue;
      if (filter.path !== undefined && !matchesPathPattern(bucket.path, filter.path)) continue;
      add(view, bucket);
      add((view.byKind[bucket.kind] ??= emptyCounts()), bucket);
    }
    return view;
  }

  clear(): void {
    this.buckets.clear();
  }
}
