/**
 * The shared-context tools an agent with `sharedContextAccess` can call:
 * list, read and write artifacts, always as that agent, so the store's
 * permission checks apply to whatever the model asks for.
 */
import type { LoadedArtifact } from '../protocols/agent.js';
import type { ToolRunContext, ToolRunResult } from '../protocols/agent-runtime.js';
import { toErrorData } from '../protocols/errors/errors.js';
import type { ToolCall, ToolDefinition } from '../protocols/model.js';
import type { SharedContextStore } from './store.js';

export const ARTIFACT_TOOLS: readonly ToolDefinition[] = [
  {
    name: 'list_artifacts',
    description: 'List the shared artifacts you may read, optionally only those with all the given tags.',
    inputSchema: {
      type: 'object',
      properties: { tags: { type: 'array', items: { type: 'string' } } },
      additionalProperties: false,
    },
  },
  {
    name: 'read_artifact',
    description: 'Read a shared artifact (the latest version, or a given version).',
    inputSchema: {
      type: 'object',
      properties: { artifactId: { type: 'string' }, version: { type: 'integer', minimum: 1 } },
      required: ['artifactId'],
      additionalProperties: false,
    },
  },
  {
    name: 'write_artifact',
    description: 'Write a new version of a shared artifact other agents can read.',
    inputSchema: {
      type: 'object',
      properties: {
        artifactId: { type: 'string', description: 'Letters, digits, dot, dash, underscore.' },
        content: { description: 'Any JSON value.' },
        tags: { type: 'array', items: { type: 'string' } },
      },
      required: ['artifactId', 'content'],
      additionalProperties: false,
    },
  },
];

const NAMES = new Set(ARTIFACT_TOOLS.map((tool) => tool.name));

export function isArtifactTool(name: string): boolean {
  return NAMES.has(name);
}

function field(input: unknown, key: string): unknown {
  return typeof input === 'object' && input !== null ? Reflect.get(input, key) : undefined;
}

function stringList(value: unknown): string[] | undefined {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : undefined;
}

/** Runs an artifact tool call as `context.agentId`; refusals come back as error results. */
export async function runArtifactTool(store: SharedContextStore, call: ToolCall, context: ToolRunContext): Promise<ToolRunResult> {
  const agentId = context.agentId;
  try {
    switch (call.name) {
      case 'list_artifacts': {
        const tags = stringList(field(call.input, 'tags'));
        const list = await store.listArtifacts({ agentId, ...(tags ? { tags } : {}) });
        return { content: JSON.stringify(list.map((a) => ({ artifactId: a.artifactId, version: a.version, metadata: a.metadata }))) };
      }
      case 'read_artifact': {
        const artifactId = String(field(call.input, 'artifactId') ?? '');
        const version = field(call.input, 'version');
        const artifact = await store.getArtifact({ artifactId, agentId, ...(typeof version === 'number' ? { version } : {}) });
        return { content: JSON.stringify({ artifactId: artifact.artifactId, version: artifact.version, content: artifact.content }) };
      }
      case 'write_artifact': {
        const artifactId = String(field(call.input, 'artifactId') ?? '');
        const tags = stringList(field(call.input, 'tags'));
        const receipt = await store.storeArtifact({
          artifactId,
          content: field(call.input, 'content'),
          agentId,
          metadata: { ...(tags ? { tags } : {}), taskId: context.task.taskId },
        });
        // The id as stored: a secret in the id the model chose is replaced.
        return { content: JSON.stringify({ artifactId: receipt.artifactId, version: receipt.version }) };
      }
      default:
        return { content: `Unknown artifact tool "${call.name}"`, isError: true };
    }
  } catch (error) {
    const data = toErrorData(error);
    return { content: `${data.code}: ${data.message}`, isError: true };
  }
}

/** Loads artifacts for a task's prompt, as `agentId` (permission-checked: a refusal fails the task). */
export async function loadArtifacts(store: SharedContextStore, agentId: string, artifactIds: readonly string[]): Promise<LoadedArtifact[]> {
  const loaded: LoadedArtifact[] = [];
  for (const artifactId of artifactIds) {
    const artifact = await store.getArtifact({ artifactId, agentId });
    loaded.push({ artifactId, version: artifact.version, content: artifact.content });
  }
  return loaded;
}

/** The agent id the system itself writes shared memory as. */
export const SYSTEM_AGENT_ID = 'troupe-system';

/** Tags of the cross-agent memory artifacts: memory summaries, and broadcasts sent. */
export const MEMORY_TAG = 'agent-memory';
export const OBSERVATIONS_TAG = 'agent-observations';

/** An agent id as an artifact id part (ids allow [A-Za-z0-9._-] only). */
function idPart(agentId: string): string {
  return agentId.replace(/[^A-Za-z0-9._-]/g, '_');
}

/** Artifact id of an agent's shared memory summary. */
export function memoryArtifactId(agentId: string): string {
  return `memory.${idPart(agentId)}`;
}

/** Artifact id of the broadcasts an agent sent, shared as observations. */
export function observationsArtifactId(agentId: string): string {
  return `observations.${idPart(agentId)}`;
}

/**
 * Shared memory of the other agents (cross-agent memory), newest versions:
 * their memory summaries, then the broadcasts they sent (`observations.<id>`,
 * see shared-observations.ts).
 */
export async function loadSharedMemories(store: SharedContextStore, agentId: string): Promise<LoadedArtifact[]> {
  const own = new Set([memoryArtifactId(agentId), observationsArtifactId(agentId)]);
  const others: string[] = [];
  for (const tag of [MEMORY_TAG, OBSERVATIONS_TAG]) {
    const list = await store.listArtifacts({ agentId: SYSTEM_AGENT_ID, tags: [tag] });
    for (const artifact of list) if (!own.has(artifact.artifactId)) others.push(artifact.artifactId);
  }
  return loadArtifacts(store, SYSTEM_AGENT_ID, others);
}
