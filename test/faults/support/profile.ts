/**
 * Sizes of the fault suite. `FAULTS_PROFILE=short` (the run inside `npm test`) keeps the same faults
 * at a fraction of the load and with shorter outages; `full` (`npm run test:faults`, the default of
 * this config) is the size. Every figure can be overridden by its own variable.
 */
export interface FaultProfile {
  name: 'short' | 'full';
  /** Messages of the inbound load in the outage, worker-kill and Temporal-restart cases. */
  messages: number;
  /** Distinct customers writing them (new contacts, each with one session). */
  contacts: number;
  /** Distinct messages of the duplicate storm; each is posted three times at once. */
  stormMessages: number;
  /** How long PostgreSQL stays down in the middle of the load. */
  postgresOutageMs: number;
  /** The worker is SIGKILLed this long after each start, then started again. */
  workerKillEveryMs: number;
  /** How many times the worker is killed during the load. */
  workerKills: number;
  /** Requests the load generator keeps in flight. */
  concurrency: number;
  /** WAHA's retry policy for webhooks: constant delay and attempts after the first. */
  retryDelayMs: number;
  retries: number;
  /** Customers in the WAHA-fault case (each gets one timeout warning at most). */
  warningSessions: number;
  /** Bound on waiting for the system to catch up once the fault is over. */
  recoveryDeadlineMs: number;
}

const PROFILES: Record<FaultProfile['name'], FaultProfile> = {
  full: {
    name: 'full',
    messages: 2_000,
    contacts: 400,
    stormMessages: 10_000,
    postgresOutageMs: 20_000,
    workerKillEveryMs: 5_000,
    workerKills: 6,
    concurrency: 16,
    retryDelayMs: 2_000,
    retries: 15,
    warningSessions: 6,
    recoveryDeadlineMs: 300_000,
  },
  short: {
    name: 'short',
    messages: 200,
    contacts: 40,
    stormMessages: 300,
    postgresOutageMs: 5_000,
    workerKillEveryMs: 3_000,
    workerKills: 2,
    concurrency: 8,
    retryDelayMs: 500,
    retries: 40,
    warningSessions: 2,
    // As long as the full one: passing cases never wait it out, and a loaded CI machine took 96 s once.
    recoveryDeadlineMs: 300_000,
  },
};

function numberFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number, got ${raw}`);
  return value;
}

export function faultProfile(): FaultProfile {
  const name = (process.env.FAULTS_PROFILE ?? 'full') as FaultProfile['name'];
  const base = PROFILES[name];
  if (!base) throw new Error(`FAULTS_PROFILE must be one of ${Object.keys(PROFILES).join(', ')}, got ${name}`);
  return {
    ...base,
    messages: numberFromEnv('FAULTS_MESSAGES', base.messages),
    contacts: numberFromEnv('FAULTS_CONTACTS', base.contacts),
    stormMessages: numberFromEnv('FAULTS_STORM_MESSAGES', base.stormMessages),
    postgresOutageMs: numberFromEnv('FAULTS_POSTGRES_OUTAGE_MS', base.postgresOutageMs),
    workerKillEveryMs: numberFromEnv('FAULTS_WORKER_KILL_EVERY_MS', base.workerKillEveryMs),
    workerKills: numberFromEnv('FAULTS_WORKER_KILLS', base.workerKills),
    concurrency: numberFromEnv('FAULTS_CONCURRENCY', base.concurrency),
    retryDelayMs: numberFromEnv('FAULTS_RETRY_DELAY_MS', base.retryDelayMs),
    retries: numberFromEnv('FAULTS_RETRIES', base.retries),
    warningSessions: numberFromEnv('FAULTS_WARNING_SESSIONS', base.warningSessions),
    recoveryDeadlineMs: numberFromEnv('FAULTS_RECOVERY_DEADLINE_MS', base.recoveryDeadlineMs),
  };
}
