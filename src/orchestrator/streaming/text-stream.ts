/**
 * `toTextStream`: the answer text of a stream of events, for a terminal, an
 * HTTP response or a UI that only wants words.
 */
import type { ModelCallStep } from '../../protocols/gateway.js';
import type { ModelDelta } from '../../protocols/model.js';
import type { TroupeEvent } from '../../protocols/events.js';

export interface TextStreamOptions {
  /** Delta kinds to keep. Default `['text']` (the answers; not thinking, JSON or tool arguments). */
  readonly kinds?: readonly ModelDelta['kind'][];
  /** Steps to keep, e.g. `['acting']` for final answers only. Default: every step. */
  readonly steps?: readonly ModelCallStep[];
  /** Only this agent's deltas. */
  readonly agentId?: string;
}

/**
 * The text of the `model.delta` events in `events`, delta by delta, as a web
 * `ReadableStream<string>` (itself async-iterable in Node). Other events are
 * skipped; the text stream ends when the event stream does and errors when it throws.
 *
 * @example
 * ```ts
 * const run = orchestrator.streamWorkflow({ tasks });
 * for await (const text of toTextStream(run, { steps: ['acting'] })) process.stdout.write(text);
 * const result = await run.result;
 * ```
 */
export function toTextStream(events: AsyncIterable<TroupeEvent>, options: TextStreamOptions = {}): ReadableStream<string> {
  const kinds = new Set(options.kinds ?? ['text']);
  const steps = options.steps ? new Set(options.steps) : undefined;
  const iterator = events[Symbol.asyncIterator]();
  return new ReadableStream<string>({
    async pull(controller) {
      for (;;) {
        const next = await iterator.next();
        if (next.done === true) {
          controller.close();
          return;
        }
        const event = next.value;
        if (event.type !== 'model.delta' || !kinds.has(event.kind)) continue;
        if (steps && !steps.has(event.step)) continue;
        if (options.agentId !== undefined && event.agentId !== options.agentId) continue;
        controller.enqueue(event.text);
        return;
      }
    },
    async cancel() {
      await iterator.return?.();
    },
  });
}
