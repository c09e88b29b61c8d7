/** The public face of orchestrator/streaming/. */
export { DEFAULT_STREAM_BUFFER, EventBuffer } from './event-buffer.js';
export { toTextStream } from './text-stream.js';
export type { TextStreamOptions } from './text-stream.js';
export { streamWorkflowEvents } from './workflow-stream.js';
export type { StreamWorkflowOptions, WorkflowEventStream } from './workflow-stream.js';
