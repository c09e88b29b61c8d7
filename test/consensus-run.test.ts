/**
 * Consensus runs through the orchestrator: voters answer with structured
 * votes, the tally is done in code, deliberation runs rounds until quorum.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Orchestrator } from '../src/index.js';
import type { ConsensusConfig, ModelRequest, OrchestratorConfig, SubAgentTaskSpec, TaskResult } from '../src/index.js';
import { EMPTY_USAGE, messageText, systemText } from '../src/protocols/model.js';
import { runConsensus } from '../src/system/consensus-runner.js';
import { createScriptedProvider } from '../src/providers/scripted.js';
import type { ScriptedProvider, ScriptedStep } from '../src/providers/scripted.js';

function agentOf(request: ModelRequest): string {
  return /You are ([^,\s]+),/.exec(systemText(request.system))?.[1] ?? '';
}

const promptOf = (request: ModelRequest): string => request.messages.map(messageText).join('\n');
const isVote = (request: ModelRequest): boolean => request.structuredOutput?.name === 'vote';
const isReflection = (request: ModelRequest): boolean => request.structuredOutput?.name === 'self_reflection';
/** The round a ballot is for: the last one named (an agent's memory holds its earlier rounds). */
const roundOf = (request: ModelRequest): number => Number([...promptOf(request).matchAll(/Deliberation, round (\d+)/g)].at(-1)?.[1] ?? 0);

interface Ballot {
  readonly decision: string;
  readonly confidence: number;
  readonly rationale?: string;
}

/** Voters answer `ballots(agent, round)`; other calls get plain answers. */
function voters(ballots: (agent: string, round: number, request: ModelRequest) => Ballot): ScriptedProvider {
  return createScriptedProvider({
    fallback: (request): ScriptedStep => {
      const agent = agentOf(request);
      if (isVote(request)) {
        const ballot = ballots(agent, roundOf(request), request);
        return { structured: { rationale: `${agent} reasons`, ...ballot } };
      }
      if (isReflection(request)) return { structured: { confidence: 0.9, critique: '' } };
      return { text: `${agent} opinion` };
    },
  });
}

const open: Orchestrator[] = [];
function orchestratorWith(provider: ScriptedProvider, config: OrchestratorConfig = {}): Orchestrator {
  const orchestrator = new Orchestrator({ enableThinkingAgents: false, retry: { baseDelayMs: 1, maxDelayMs: 5 }, ...config, provider });
  open.push(orchestrator);
  return orchestrator;
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((orchestrator) => orchestrator.shutdown()));
});

const experts = ['expert_1', 'expert_2', 'expert_3', 'expert_4', 'expert_5'];
const consensusTask = (consensusConfig: ConsensusConfig, voterIds = experts): SubAgentTaskSpec => ({
  agentId: 'consensus_builder',
  taskDescription: 'Should we enter the market?',
  consensusConfig: { ...consensusConfig, voters: voterIds },
});

describe('majority', () => {
  it('decides by head count and reports every vote', async () => {
    const model = voters((agent) => ({ decision: ['expert_1', 'expert_2', 'expert_3'].includes(agent) ? 'yes' : 'no', confidence: 0.6 }));
    const result = await orchestratorWith(model).executeTask(consensusTask({ method: 'majority' }));
    expect(result.status).toBe('succeeded');
    expect(result.consensus?.decision).toBe('yes');
    expect(result.consensus?.agreement).toBeCloseTo(0.6, 10);
    expect(result.consensus?.votes).toHaveLength(5);
    expect(result.output).toMatch(/^Decision: yes/);
    expect(result.costCents).toBeGreaterThan(0);
    const voteRequests = model.requests.filter(isVote);
    expect(voteRequests.map(agentOf).sort()).toEqual(experts);
  });

  it('requireQuorum: 3 of 5 does not meet a quorum of 0.8', async () => {
    const model = voters((agent) => ({ decision: ['expert_1', 'expert_2', 'expert_3'].includes(agent) ? 'yes' : 'no', confidence: 0.6 }));
    const result = await orchestratorWith(model).executeTask(consensusTask({ method: 'majority', requireQuorum: 0.8 }));
    expect(result.consensus?.decision).toBeNull();
    expect(result.consensus?.quorumMet).toBe(false);
    expect(result.output).toMatch(/^No consensus/);
  });
});

describe('weighted_voting', () => {
  // Two unsure "yes" voters against one sure "no": head count says yes, confidence says no.
  const crafted = () =>
    voters((agent) =>
      agent === 'expert_3' ? { decision: 'no', confidence: 0.95 } : { decision: 'yes', confidence: 0.3 },
    );
  const three = ['expert_1', 'expert_2', 'expert_3'];

  it('with confidenceWeights, weights each vote by the voter confidence', async () => {
    const result = await orchestratorWith(crafted()).executeTask(
      consensusTask({ method: 'weighted_voting', confidenceWeights: true }, three),
    );
    expect(result.consensus?.decision).toBe('no');
    expect(result.consensus?.agreement).toBeCloseTo(0.95 / 1.55, 10);
    expect(result.consensus?.votes.find((vote) => vote.agentId === 'expert_3')?.weight).toBe(0.95);
  });

  it('without confidenceWeights, every vote weighs 1', async () => {
    const result = await orchestratorWith(crafted()).executeTask(
      consensusTask({ method: 'weighted_voting', confidenceWeights: false }, three),
    );
    expect(result.consensus?.decision).toBe('yes');
    expect(result.consensus?.agreement).toBeCloseTo(2 / 3, 10);
  });
});

describe('deliberative', () => {
  it('runs rounds until the quorum is met, showing each agent the others opinions', async () => {
    const model = voters((agent, round) => {
      if (round === 1) return agent === 'expert_1' || agent === 'expert_2' ? { decision: 'yes', confidence: 0.7 } : { decision: 'no', confidence: 0.7 };
      return { decision: 'yes', confidence: 0.8 };
    });
    const result = await orchestratorWith(model).executeTask(
      consensusTask({ method: 'deliberative', requireQuorum: 0.9, maxRounds: 4 }, ['expert_1', 'expert_2', 'expert_3', 'expert_4']),
    );
    expect(result.consensus?.rounds).toBe(2);
    expect(result.consensus?.decision).toBe('yes');
    expect(result.consensus?.votes.filter((vote) => vote.round === 1)).toHaveLength(4);
    const round2 = model.requests.filter((request) => isVote(request) && roundOf(request) === 2);
    expect(round2).toHaveLength(4);
    const seenBy1 = round2.find((request) => agentOf(request) === 'expert_1');
    expect(seenBy1 && promptOf(seenBy1)).toContain('In round 1 the agents answered');
    expect(seenBy1 && promptOf(seenBy1)).toContain('- expert_3: "no" (confidence 0.70)');
    expect(seenBy1 && promptOf(seenBy1)).toContain('Rationale: expert_4 reasons');
    expect(model.requests.some((request) => isVote(request) && roundOf(request) === 3)).toBe(false);
  });

  it('stops at maxRounds without a decision when the quorum is never met', async () => {
    const model = voters((agent) => ({ decision: agent === 'expert_1' ? 'yes' : 'no', confidence: 0.5 }));
    const result = await orchestratorWith(model).executeTask(
      consensusTask({ method: 'deliberative', requireQuorum: 1, maxRounds: 3 }, ['expert_1', 'expert_2']),
    );
    expect(result.consensus?.rounds).toBe(3);
    expect(result.consensus?.decision).toBeNull();
    expect(model.requests.filter(isVote)).toHaveLength(6);
  });
});

describe('consensus in workflows and the seed pattern', () => {
  it("seed: opinions from executeTasks become the consensus task's inputData, whose keys are the voters", async () => {
    const model = voters((agent) => ({ decision: agent === 'expert_5' ? 'wait' : 'enter', confidence: 0.9 }));
    const orchestrator = orchestratorWith(model);
    const opinions = await orchestrator.executeTasks(
      experts.map((agentId) => ({ agentId, taskDescription: 'Provide opinion on: market entry', executionMode: 'parallel' })),
    );
    const consensus = await orchestrator.executeTask({
      agentId: 'consensus_builder',
      taskDescription: 'Build consensus from expert opinions',
      inputData: opinions,
      consensusConfig: { method: 'weighted_voting', confidenceWeights: true, requireQuorum: 0.8 },
    });
    expect(consensus.consensus?.decision).toBe('enter');
    expect(consensus.consensus?.votes.map((vote) => vote.agentId).sort()).toEqual(experts);
    const ballot = model.requests.find(isVote);
    expect(ballot && promptOf(ballot)).toContain('expert_2 opinion');
  });

  it('in a workflow the dependencies vote, seeing their outputs, and the decision feeds dependents', async () => {
    const model = voters(() => ({ decision: 'ship', confidence: 0.9 }));
    const run = await orchestratorWith(model).executeWorkflow({
      tasks: [
        { agentId: 'alice', taskDescription: 'Assess release readiness' },
        { agentId: 'bob', taskDescription: 'Assess release readiness' },
        { agentId: 'decision', taskDescription: 'Ship the release?', dependencies: ['alice', 'bob'], consensusConfig: { method: 'majority' } },
        { agentId: 'announcer', taskDescription: 'Announce', dependencies: ['decision'] },
      ],
    });
    expect(run.status).toBe('succeeded');
    expect(run.results.decision?.consensus?.decision).toBe('ship');
    const ballot = model.requests.find((request) => isVote(request) && agentOf(request) === 'alice');
    expect(ballot && promptOf(ballot)).toContain('## bob\nbob opinion');
    const announce = model.requests.find((request) => agentOf(request) === 'announcer' && !isReflection(request));
    expect(announce && promptOf(announce)).toContain('Decision: ship');
  });

  it('no more than maxParallelAgents voters answer at once', async () => {
    let inFlight = 0;
    let peak = 0;
    const model = createScriptedProvider({
      fallback: (request) => {
        if (!isVote(request)) return { structured: { confidence: 0.9, critique: '' } };
        inFlight++;
        peak = Math.max(peak, inFlight);
        return new Promise<ScriptedStep>((resolve) =>
          setTimeout(() => {
            inFlight--;
            resolve({ structured: { decision: 'yes', confidence: 0.9, rationale: '' } });
          }, 5),
        );
      },
    });
    const result = await orchestratorWith(model, { maxParallelAgents: 2 }).executeTask(consensusTask({ method: 'majority' }));
    expect(result.consensus?.decision).toBe('yes');
    expect(peak).toBeLessThanOrEqual(2);
    expect(model.requests.filter(isVote)).toHaveLength(5);
  });

  it('fails when no voter casts a valid vote', async () => {
    const model = createScriptedProvider({
      fallback: (request) => (isVote(request) ? { structured: { decision: '', confidence: 2, rationale: '' } } : { structured: { confidence: 0.9, critique: '' } }),
    });
    const result = await orchestratorWith(model).executeTask(consensusTask({ method: 'majority' }, ['expert_1']));
    expect(result.status).toBe('failed');
    expect(result.error?.message).toMatch(/no valid vote/);
  });
});

describe('runConsensus without a vote to count', () => {
  /** A voter's TaskResult: `failed` with an error, or `succeeded` with a structured ballot. */
  const voterResult = (agentId: string, outcome: { error: string } | { structured: unknown }): TaskResult => ({
    agentId,
    status: 'error' in outcome ? 'failed' : 'succeeded',
    output: 'error' in outcome ? null : JSON.stringify(outcome.structured),
    ...('error' in outcome
      ? { error: { code: 'PROVIDER_BAD_REQUEST', name: 'ProviderError', message: outcome.error, retryable: false } }
      : { structured: outcome.structured }),
    confidence: null,
    attempts: 1,
    costCents: 0.5,
    usage: EMPTY_USAGE,
    startedAt: 0,
    finishedAt: 0,
    durationSeconds: 0,
    alternatives: [],
    simulated: false,
  });

  it('says why each voter was left out', async () => {
    const result = await runConsensus(
      { workflowId: 'wf', spec: consensusTask({ method: 'majority' }, ['expert_1', 'expert_2']) },
      async ({ spec }) =>
        spec.agentId === 'expert_1'
          ? voterResult(spec.agentId, { error: 'model refused' })
          : voterResult(spec.agentId, { structured: { decision: '', confidence: 0.5, rationale: '' } }),
      Date.now,
    );
    expect(result.status).toBe('failed');
    expect(result.error?.code).toBe('AGENT_FAILED');
    expect(result.error?.message).toContain('no valid vote was cast');
    expect(result.error?.message).toContain('"expert_1" failed: model refused');
    expect(result.error?.message).toContain('Invalid vote from "expert_2" in round 1');
    expect(result.costCents).toBe(1);
  });

  it('says that it has no voters when none can be found', async () => {
    const result = await runConsensus(
      { workflowId: 'wf', spec: { agentId: 'decide', taskDescription: 'Ship?', consensusConfig: { method: 'majority' } } },
      async () => {
        throw new Error('no voter should be asked');
      },
      Date.now,
    );
    expect(result.status).toBe('failed');
    expect(result.error?.message).toMatch(/no voters/);
  });

  it('cancelled, asks no further round and ends cancelled', async () => {
    const controller = new AbortController();
    const asked: string[] = [];
    const result = await runConsensus(
      {
        workflowId: 'wf',
        spec: consensusTask({ method: 'deliberative', maxRounds: 3 }, ['expert_1', 'expert_2']),
        signal: controller.signal,
      },
      async ({ workflowId, spec }) => {
        asked.push(`${workflowId}:${spec.agentId}`);
        controller.abort();
        return voterResult(spec.agentId, { error: 'aborted' });
      },
      Date.now,
    );
    expect(asked).toEqual(['wf/consensus:consensus_builder/r1:expert_1', 'wf/consensus:consensus_builder/r1:expert_2']);
    expect(result.status).toBe('cancelled');
    expect(result.error?.code).toBe('CANCELLED');
    expect(result.consensus?.rounds).toBe(1);
  });
});
