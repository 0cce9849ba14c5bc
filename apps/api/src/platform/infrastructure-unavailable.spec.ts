import { ServiceError, WorkflowNotFoundError } from '@temporalio/client';
import { QueryFailedError } from 'typeorm';
import { ValidationError } from '@app/shared';
import { unavailableDependency } from './infrastructure-unavailable';

const pgError = (code: string, message = `pg error ${code}`) =>
  Object.assign(new Error(message), { code, severity: 'FATAL' });
const grpcError = (code: number) => Object.assign(new Error(`${code} grpc error`), { code, details: '', metadata: {} });

describe('unavailableDependency', () => {
  it('recognises a database that is down, restarting, overloaded or that lost the connection', () => {
    const cases: unknown[] = [
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), {
        code: 'ECONNREFUSED',
        errno: -111,
        syscall: 'connect',
      }),
      Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
      new Error('Connection terminated unexpectedly'),
      new Error('timeout exceeded when trying to connect'),
      new Error('Client was closed and is not queryable'),
      new Error('Client has encountered a connection error and is not queryable'),
      new QueryFailedError('SELECT 1', [], pgError('57P01', 'terminating connection due to administrator command')),
      new QueryFailedError('SELECT 1', [], pgError('57P03', 'the database system is starting up')),
      new QueryFailedError('SELECT 1', [], pgError('08006')),
      new QueryFailedError('SELECT 1', [], pgError('53300', 'sorry, too many clients already')),
      new QueryFailedError('UPDATE x', [], pgError('40001')),
      new QueryFailedError('UPDATE x', [], pgError('40P01')),
      new Error('outer', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) }),
    ];
    expect(cases.map(unavailableDependency)).toEqual(cases.map(() => 'database'));
  });

  it('recognises a Temporal server that cannot be reached, and only by its gRPC code', () => {
    expect(unavailableDependency(new ServiceError('Failed to start Workflow', { cause: grpcError(14) }))).toBe(
      'temporal',
    );
    expect(unavailableDependency(new ServiceError('Failed to signalWithStart Workflow', { cause: grpcError(4) }))).toBe(
      'temporal',
    );
    // A call the server refused for good (e.g. an unknown namespace) is not an outage.
    expect(unavailableDependency(new ServiceError('Failed to start Workflow', { cause: grpcError(5) }))).toBeNull();
  });

  it('leaves everything else alone: domain errors, constraint violations, bugs', () => {
    const cases: unknown[] = [
      new ValidationError('body', 'must be JSON'),
      new QueryFailedError('INSERT', [], pgError('23505', 'duplicate key value violates unique constraint')),
      new QueryFailedError('SELECT', [], pgError('42P01', 'relation "x" does not exist')),
      new TypeError("Cannot read properties of undefined (reading 'id')"),
      new WorkflowNotFoundError('not found', 'session:x', undefined),
      'a string',
      null,
    ];
    expect(cases.map(unavailableDependency)).toEqual(cases.map(() => null));
  });
});
