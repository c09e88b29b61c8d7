/**
 * Streams a workflow to a browser over server-sent events, from a plain Node
 * http server on 127.0.0.1 (no framework). Open the printed address: the page
 * starts a run and shows each agent's text as the model writes it.
 *
 *   npx tsx examples/streaming-sse.ts        # http://127.0.0.1:3000/
 *
 * GET /events runs the workflow with `orchestrator.streamWorkflow` and writes
 * each event as an SSE message (`event: <type>`, `data: <json>`). Closing the
 * page aborts the run. Only model output, ids, statuses and costs go out.
 */
import { createServer } from 'node:http';
import type { ServerResponse } from 'node:http';
import { Orchestrator } from '../src/index.js';
import type { WorkflowEvent, WorkflowResult } from '../src/index.js';
import { runIfMain } from './support/run-example.js';

const PAGE = `<!doctype html>
<meta charset="utf-8"><title>troupe · streaming</title>
<style>body{font:14px/1.5 system-ui;margin:2rem;max-width:60rem}pre{white-space:pre-wrap;background:#f4f4f5;padding:.75rem;border-radius:6px}</style>
<h1>troupe streaming over SSE</h1><p id="status">connecting…</p><div id="agents"></div>
<script>
const boxes = {};
const box = (id) => boxes[id] ??= document.getElementById('agents').appendChild(Object.assign(document.createElement('section'), { innerHTML: '<h3></h3><pre></pre>' }));
const events = new EventSource('/events');
events.addEventListener('task.started', (m) => { const e = JSON.parse(m.data); box(e.agentId).querySelector('h3').textContent = e.agentId; });
events.addEventListener('model.delta', (m) => { const e = JSON.parse(m.data); if (e.kind === 'text') box(e.agentId).querySelector('pre').textContent += e.text; });
events.addEventListener('task.finished', (m) => { const e = JSON.parse(m.data); box(e.agentId).querySelector('h3').textContent = e.agentId + ' · ' + e.status; });
events.addEventListener('workflow.finished', (m) => { const e = JSON.parse(m.data); document.getElementById('status').textContent = 'done: ' + e.status + ', ' + e.costCents.toFixed(3) + '¢'; events.close(); });
events.onopen = () => { document.getElementById('status').textContent = 'running…'; };
</script>`;

/** What one SSE message carries for an event: model output, ids, statuses and numbers only. */
function payloadOf(event: WorkflowEvent): Record<string, unknown> | undefined {
  switch (event.type) {
    case 'task.started':
      return { agentId: event.agentId, attempt: event.attempt };
    case 'model.delta':
      return { agentId: event.agentId, step: event.step, kind: event.kind, text: event.text, index: event.index };
    case 'task.finished':
      return { agentId: event.agentId, status: event.result.status, costCents: event.result.costCents };
    case 'workflow.finished':
      return { status: event.result.status, costCents: event.result.totalCostCents };
    default:
      return undefined;
  }
}

function sse(res: ServerResponse, type: string, data: unknown): void {
  res.write(`event: ${type}\ndata: ${JSON.stringify(data)}\n\n`);
}

export interface StreamingServer {
  readonly url: string;
  /** Every run the server started, in order. */
  readonly runs: readonly Promise<WorkflowResult>[];
  close(): Promise<void>;
}

/** Starts the server on 127.0.0.1 (`port` 0 picks a free one). */
export async function startStreamingServer(options: { port?: number; latencyMs?: number } = {}): Promise<StreamingServer> {
  const orchestrator = new Orchestrator({ provider: 'simulated', simulated: { latencyMs: options.latencyMs ?? 600 } });
  const runs: Promise<WorkflowResult>[] = [];
  let origin = '';
  const server = createServer((req, res) => {
    // Refuse other host names (DNS rebinding): the page and its runs are for this machine only.
    if (req.headers.host !== origin.slice('http://'.length)) {
      res.writeHead(421).end();
      return;
    }
    if (req.url === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE);
      return;
    }
    if (req.url !== '/events') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const controller = new AbortController();
    // The browser went away: stop the run and its model calls.
    res.on('close', () => controller.abort());
    const run = orchestrator.streamWorkflow({
      signal: controller.signal,
      tasks: [
        { agentId: 'researcher', taskDescription: 'Research how teams adopt code review bots' },
        { agentId: 'writer', taskDescription: 'Write a short briefing from the research', dependencies: ['researcher'] },
      ],
    });
    runs.push(run.result);
    void (async () => {
      try {
        for await (const event of run) {
          const payload = payloadOf(event);
          if (payload && !res.destroyed) sse(res, event.type, payload);
        }
      } catch (error) {
        if (!res.destroyed) sse(res, 'error', { message: error instanceof Error ? error.message : String(error) });
      }
      res.end();
    })();
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 3000, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the server has no TCP address');
  origin = `http://127.0.0.1:${address.port}`;
  return {
    url: `${origin}/`,
    runs,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.allSettled(runs);
      await orchestrator.shutdown();
    },
  };
}

async function main(): Promise<void> {
  const server = await startStreamingServer({ port: Number(process.env.PORT ?? 3000) });
  console.log(`Open ${server.url} (Ctrl-C stops)`);
  process.once('SIGINT', () => void server.close());
}

runIfMain(import.meta.url, main);
