/**
 * Opens the fs artifact store on a workspace, writes one artifact and prints
 * "ready <pid>". Mode `hold` then waits until it is killed; mode `exit` ends
 * the process without closing the store (the exit hook releases the lock).
 *
 * Usage: node --import tsx test/support/processes/workspace-lock-holder.ts <workspacePath> hold|exit
 */
import { SharedContextStore } from '../../../src/index.js';

const [workspacePath, mode] = process.argv.slice(2);
if (!workspacePath || (mode !== 'hold' && mode !== 'exit')) throw new Error('usage: workspace-lock-holder.ts <workspacePath> hold|exit');
const store = new SharedContextStore({ workspacePath, agentPermissions: { '*': ['read', 'write'] } });
await store.storeArtifact({ artifactId: 'from_child', content: { pid: process.pid }, agentId: 'child' });
process.stdout.write(`ready ${process.pid}\n`);
if (mode === 'exit') process.exit(0);
setInterval(() => undefined, 60_000);
