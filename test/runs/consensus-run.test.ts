/**
 * Consensus runs through the orchestrator: voters answer with structured
 * votes, the tally is done in code, deliberation runs rounds until quorum.
 */
import { describe, expect, it } from 'vitest';
import { Orchestrator } from '../../src/index.js';
import type { ConsensusConfig, ModelRequest, OrchestratorConfig, SubAgentTaskSpec, TaskResult } from '../../src/index.js';
import { EMPTY_USAGE } from '../../src/index.js';
import { runConsensus } from '../../src/runs/index.js';
import { createScriptedProvider } from '../../src/testing.js';
import type { ScriptedProvider, ScriptedStep } from '../../src/testing.js';
import { agentOf, isReflection, promptOf } from '../support/requests.js';
import { trackedForEachTest } from '../support/tracked.js';
import { RUN_TEST_CONFIG } from '../support/scripted-runs.js';

const isVote = (request: ModelRequest): boolean => request.structuredOutput?.name === 'vote';
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

const tracked = trackedForEachTest();
function orchestratorWith(provider: ScriptedProvider, config: OrchestratorConfig = {}): Orchestrator {
  return tracked.orchestrator({ ...RUN_TEST_CONFIG, ...config, provider });
}

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

  /**
   * Voters all say yes, each after `delayMs` or as soon as `releaseAt` ballots
   * are out at once (so a peak is reached however slow the machine); `peak()`
   * is the most ballots answered at once.
   */
  function slowVoters(delayMs: number, releaseAt = Number.POSITIVE_INFINITY): { model: ScriptedProvider; peak: () => number } {
    let inFlight = 0;
    let peak = 0;
    let release = (): void => undefined;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const model = createScriptedProvider({
      fallback: async (request): Promise<ScriptedStep> => {
        if (!isVote(request)) return { structured: { confidence: 0.9, critique: '' } };
        inFlight++;
        peak = Math.max(peak, inFlight);
        if (inFlight >= releaseAt) release();
        await Promise.race([released, new Promise((resolve) => setTimeout(resolve, delayMs))]);
        inFlight--;
        return { structured: { decision: 'yes', confidence: 0.9, rationale: '' } };
      },
    });
    return { model, peak: () => peak };
  }

  it('no more than maxParallelAgents voters answer at once', async () => {
    const { model, peak } = slowVoters(5);
    const result = await orchestratorWith(model, { maxParallelAgents: 2 }).executeTask(consensusTask({ method: 'majority' }));
    expect(result.consensus?.decision).toBe('yes');
    expect(peak()).toBeLessThanOrEqual(2);
    expect(model.requests.filter(isVote)).toHaveLength(5);
  });

  it("a run's own maxParallelAgents bounds its voters, lower or higher than the orchestrator's", async () => {
    // The orchestrator allows 5 at once; this run allows 2.
    const lower = slowVoters(20);
    const run = await orchestratorWith(lower.model).executeWorkflow({ tasks: [consensusTask({ method: 'majority' })], maxParallelAgents: 2 });
    expect(run.results.consensus_builder?.consensus?.decision).toBe('yes');
    expect(lower.peak()).toBeLessThanOrEqual(2);
    expect(lower.model.requests.filter(isVote)).toHaveLength(5);

    // The orchestrator allows 1 at once; this run allows 3.
    const higher = slowVoters(500, 3);
    const wider = await orchestratorWith(higher.model, { maxParallelAgents: 1 }).executeWorkflow({
      tasks: [consensusTask({ method: 'majority' })],
      maxParallelAgents: 3,
    });
    expect(wider.results.consensus_builder?.consensus?.decision).toBe('yes');
    expect(higher.peak()).toBe(3);
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

/** A voter's TaskResult: `failed` with an error, or `succeeded` with a structured ballot. */
const voterResult = (agentId: string, outcome: { error: string } | { structured: unknown }): TaskResult => ({
  agentId,
  status: 'error' in outcome ? 'failed' : 'succeeded',
  output: 'error' in outcome ? null : JSON.stringify(outcome.structured),
  ...('error' in outcome
    ? { error: { code: 'PROVIDER_BAD_REQUEST', name: 'ProviderError', message: outcome.error, retryable: false } }
    : { structured: outcome.structured }),
  ...{ confidence: null, attempts: 1, costCents: 0.5, usage: EMPTY_USAGE, alternatives: [], simulated: false },
  ...{ startedAt: 0, finishedAt: 0, durationSeconds: 0 },
});

describe('runConsensus without a vote to count', () => {
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

describe('deliberative: a later round in which no voter casts a valid vote', () => {
  // Round 1: 1.6 of 2.2 say yes, under the quorum of 0.9, so a round 2 is asked.
  const round1 = (agentId: string): TaskResult =>
    voterResult(agentId, { structured: { decision: agentId === 'expert_3' ? 'no' : 'yes', confidence: agentId === 'expert_3' ? 0.6 : 0.8, rationale: '' } });
  const three = ['expert_1', 'expert_2', 'expert_3'];
  const deliberative = consensusTask({ method: 'deliberative', requireQuorum: 0.9, maxRounds: 3 }, three);
  const roundOfRun = (workflowId: string): number => Number(/\/r(\d+)$/.exec(workflowId)?.[1]);

  it('decides from the last round that cast votes, asks no further round, and says the later round failed', async () => {
    const asked: string[] = [];
    const result = await runConsensus(
      { workflowId: 'wf', spec: deliberative },
      async ({ workflowId, spec }) => {
        asked.push(`${roundOfRun(workflowId)}:${spec.agentId}`);
        return roundOfRun(workflowId) === 1 ? round1(spec.agentId) : voterResult(spec.agentId, { error: 'model overloaded' });
      },
      Date.now,
    );
    expect(asked).toEqual(['1:expert_1', '1:expert_2', '1:expert_3', '2:expert_1', '2:expert_2', '2:expert_3']);
    expect(result.status).toBe('succeeded');
    expect(result.error).toBeUndefined();
    expect(result.consensus?.rounds).toBe(2);
    expect(result.consensus?.decision).toBeNull();
    expect(result.consensus?.agreement).toBeCloseTo(1.6 / 2.2, 10);
    expect(result.confidence).toBeCloseTo(1.6 / 2.2, 10);
    // Round 1 is the counted round: its votes carry their weights.
    const counted = result.consensus?.votes.map((vote) => [vote.agentId, vote.round, vote.weight]);
    expect(counted).toEqual([['expert_1', 1, 0.8], ['expert_2', 1, 0.8], ['expert_3', 1, 0.6]]);
    expect(result.output).toMatch(/^No consensus after 2 round\(s\): agreement 0\.73 is under the quorum\./);
    expect(result.output).toContain('Round 2 cast no valid vote ("expert_1" failed: model overloaded;');
    expect(result.output).toContain('so round 1 was counted.');
    expect(result.costCents).toBe(3);
  });

  it('a round in which some voters cast a valid vote is counted on those votes', async () => {
    const result = await runConsensus(
      { workflowId: 'wf', spec: deliberative },
      async ({ workflowId, spec }) =>
        roundOfRun(workflowId) === 1
          ? round1(spec.agentId)
          : spec.agentId === 'expert_3'
            ? voterResult(spec.agentId, { structured: { decision: 'yes', confidence: 0.9, rationale: 'convinced' } })
            : voterResult(spec.agentId, { error: 'model overloaded' }),
      Date.now,
    );
    expect(result.status).toBe('succeeded');
    expect(result.consensus?.rounds).toBe(2);
    expect(result.consensus?.decision).toBe('yes');
    expect(result.output).not.toContain('cast no valid vote');
  });

  it('when no round casts a vote, asks one round only and fails', async () => {
    const asked: string[] = [];
    const result = await runConsensus(
      { workflowId: 'wf', spec: deliberative },
      async ({ spec }) => {
        asked.push(spec.agentId);
        return voterResult(spec.agentId, { error: 'model overloaded' });
      },
      Date.now,
    );
    expect(asked).toEqual(three);
    expect(result.status).toBe('failed');
    expect(result.error?.message).toContain('no valid vote was cast');
    expect(result.consensus?.rounds).toBe(1);
  });

  it('cancelled during a later round, ends cancelled and still reports the earlier round', async () => {
    const controller = new AbortController();
    const result = await runConsensus(
      { workflowId: 'wf', spec: deliberative, signal: controller.signal },
      async ({ workflowId, spec }) => {
        if (roundOfRun(workflowId) === 1) return round1(spec.agentId);
        controller.abort();
        return { ...voterResult(spec.agentId, { error: 'aborted' }), status: 'cancelled' };
      },
      Date.now,
    );
    expect(result.status).toBe('cancelled');
    expect(result.error?.code).toBe('CANCELLED');
    expect(result.error?.message).toContain('cancelled in round 2');
    expect(result.consensus?.rounds).toBe(2);
    expect(result.consensus?.agreement).toBeCloseTo(1.6 / 2.2, 10);
  });

  it('through the orchestrator: voters whose model fails in round 2 leave round 1 standing', async () => {
    const model = createScriptedProvider({
      fallback: (request) => {
        if (!isVote(request)) return { structured: { confidence: 0.9, critique: '' } };
        if (roundOf(request) >= 2) return new Error('model overloaded');
        const agent = agentOf(request);
        return { structured: { decision: agent === 'expert_3' ? 'no' : 'yes', confidence: 0.7, rationale: `${agent} reasons` } };
      },
    });
    const result = await orchestratorWith(model, { retryFailedAgents: false }).executeTask(deliberative);
    expect(result.status).toBe('succeeded');
    expect(result.consensus?.rounds).toBe(2);
    expect(result.consensus?.agreement).toBeCloseTo(2 / 3, 10);
    expect(result.consensus?.votes.filter((vote) => vote.round === 1)).toHaveLength(3);
    expect(result.output).toContain('Round 2 cast no valid vote');
    expect(model.requests.filter((request) => isVote(request) && roundOf(request) === 3)).toHaveLength(0);
  });
});
