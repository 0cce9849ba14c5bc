import { DefaultLogger, Runtime } from '@temporalio/worker';

// Keep worker lifecycle chatter out of test output. The runtime can be installed once per process;
// when jest runs in band the global setup's test environment already installed one.
try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  /* already installed */
}
