/**
 * `CollaborativeAgent`: an agent that consults its peers
 * directly. A handle on one agent of an orchestrator that runs tasks on it and
 * asks other agents questions through `orchestrator.routeMessage`.
 */
import type { AgentConfig } from '../protocols/agent.js';
import type { SubAgentTaskSpec, TaskResult } from '../protocols/task.js';
import type { SpawnRequest } from './agent-record.js';
import type { ConsultationReply, RouteMessageRequest } from './messaging.js';

/** What a CollaborativeAgent needs of its orchestrator. */
export interface CollaborationHost {
  spawnAgent(request: SpawnRequest): unknown;
  executeTask(task: SubAgentTaskSpec): Promise<TaskResult>;
  routeMessage(request: RouteMessageRequest): Promise<ConsultationReply>;
}

export interface CollaborativeAgentOptions {
  readonly orchestrator: CollaborationHost;
  readonly agentId: string;
  readonly template?: string;
  /** Config of the agent; `enableCrossAgentQueries` must not be false for it to consult. */
  readonly config?: AgentConfig;
}

/** The context a CollaborativeAgent shares when it consults: its latest task and answer. */
export interface CollaborationContext {
  readonly task: string;
  readonly output: string | null;
  readonly confidence: number | null;
}

/**
 * An agent that consults its peers.
 *
 * @example
 * ```ts
 * const analyst = new CollaborativeAgent({ orchestrator, agentId: 'analyst' });
 * const initial = await analyst.executeTask('Analyse the Q3 figures');
 * if ((initial.confidence ?? 0) < 0.7) {
 *   const opinion = await analyst.consultPeer('domain_specialist', `Please review this analysis: ${initial.output}`);
 *   await analyst.executeTask(`Refine the analysis with this review: ${opinion.answer}`);
 * }
 * ```
 */
export class CollaborativeAgent {
  readonly agentId: string;
  readonly #orchestrator: CollaborationHost;
  #context: CollaborationContext | undefined;

  constructor(options: CollaborativeAgentOptions) {
    this.agentId = options.agentId;
    this.#orchestrator = options.orchestrator;
    options.orchestrator.spawnAgent({
      agentId: options.agentId,
      ...(options.template === undefined ? {} : { template: options.template }),
      ...(options.config === undefined ? {} : { config: options.config }),
    });
  }

  /** The agent's current context: the latest task and its result, sent along with questions. */
  get currentContext(): CollaborationContext | undefined {
    return this.#context;
  }

  /** Runs a task on this agent; its result becomes the context of later consultations. */
  async executeTask(task: string | Omit<SubAgentTaskSpec, 'agentId'>): Promise<TaskResult> {
    const spec: SubAgentTaskSpec =
      typeof task === 'string' ? { agentId: this.agentId, taskDescription: task } : { ...task, agentId: this.agentId };
    const result = await this.#orchestrator.executeTask(spec);
    this.#context = { task: spec.taskDescription, output: result.output, confidence: result.confidence };
    return result;
  }

  /**
   * Consults another agent directly and resolves with its reply.
   * @throws AgentNotFoundError, ConsultationCycleError, CrossAgentQueriesDisabledError, ConsultationTimeoutError.
   */
  consultPeer(peerId: string, question: string, context: unknown = this.#context): Promise<ConsultationReply> {
    return this.#orchestrator.routeMessage({
      fromAgent: this.agentId,
      toAgent: peerId,
      message: { type: 'consultation', question, context },
    });
  }
}
