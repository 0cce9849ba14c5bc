import 'reflect-metadata';
import { createWahaSimulator } from '../../apps/waha-simulator/src/simulator';
import { failStartup, serveParent } from './inbound-children';

/**
 * Child process of `npm run bench:import`: the WAHA simulator (createWahaSimulator, as
 * apps/waha-simulator/src/main.ts builds it) on 127.0.0.1 and a free port. Its own process, as WAHA is
 * in production, so serving the chats and message pages is accounted to it and not to the bench
 * process that polls the import and samples CPU and memory. The bench loads each case's data set
 * over HTTP (POST /_sim/history-dataset).
 */
async function main(): Promise<void> {
  const simulator = await createWahaSimulator({ port: 0, logLevel: 'warn' });
  serveParent({ memory: async () => process.memoryUsage() }, () => simulator.close());
  process.send?.({ type: 'ready', data: { url: simulator.url, pid: process.pid } });
}

main().catch(failStartup);
