/**
 * Fallback agents beyond the basics in workflow.test.ts: an alternative path
 * runs on the fallback agent, and a fallback agent two tasks share lives until
 * the last run using it ends, so one task's cleanup never aborts the other's call.
 */
import { afterEach, expect, it } from 'vitest';
import { Orchestrator, ProviderError } from '../src/index.js';
import type { ModelRequest } from '../src/index.js';
import { messageText, systemText } from '../src/protocols/model.js';
import { createScriptedProvider } from '../src/providers/scripted.js';
import type { ScriptedStep } from '../src/providers/scripted.js';

const agentOf = (request: ModelRequest): string => /You are ([^,\s]+),/.exec(systemText(request.system))?.[1] ?? '';
const isReflection = (request: ModelRequest): boolean => request.structuredOutput?.name === 'self_reflection';

const open: Orchestrator[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((orchestrator) => orchestrator.shutdown()));
});

it("a task whose fallback finds the shared agent busy does not stop it under the other task's call", async () => {
  let release: () => void = () => undefined;
  const bSettled = new Promise<void>((resolve) => (release = resolve));
  const model = createScriptedProvider({
    fallback: (request): ScriptedStep | Promise<ScriptedStep> => {
      const agent = agentOf(request);
      if (isReflection(request)) return { structured: { confidence: 0.9, critique: '' } };
      if (agent.startsWith('primary')) return new ProviderError('PROVIDER_BAD_REQUEST', 'scripted', `${agent} cannot`);
      // The helper answers task a only once task b has settled (or a safety timeout has passed).
      const held = Promise.race([bSettled, new Promise<void>((resolve) => setTimeout(resolve, 2000))]);
      return held.then(() => ({ text: 'helper rescued it' }));
    },
  });
  const orchestrator = new Orchestrator({ enableThinkingAgents: false, provider: model, maxParallelAgents: 2 });
  open.push(orchestrator);
  orchestrator.registerTemplate('helper', { systemPrompt: 'You are helper, a generalist.' });
  orchestrator.events.on('task.finished', ({ agentId }) => {
    if (agentId === 'primary_b') release();
  });
  const run = await orchestrator.executeWorkflow({
    continueOnFailure: true,
    tasks: [
      { agentId: 'primary_a', taskDescription: 'x', fallbackAgent: 'helper', priority: 'high' },
      { agentId: 'primary_b', taskDescription: 'y', fallbackAgent: 'helper' },
    ],
  });
  expect(run.results.primary_a).toMatchObject({ status: 'succeeded', fallbackUsed: 'helper', output: 'helper rescued it' });
  // b found the helper busy with a's task: b keeps its own failure.
  expect(run.results.primary_b).toMatchObject({ status: 'failed', error: { message: expect.stringContaining('primary_b cannot') } });
  expect(orchestrator.listAgents()).toEqual([]);
});

it('an alternative path runs on the fallback agent when the task has one, and names it when it wins', async () => {
  const model = createScriptedProvider({
    fallback: (request): ScriptedStep => {
      const agent = agentOf(request);
      if (isReflection(request)) return { structured: { confidence: agent === 'helper' ? 0.9 : 0.5, critique: `${agent} critique` } };
      return { text: `${agent} answer` };
    },
  });
  const orchestrator = new Orchestrator({ enableThinkingAgents: false, enableAlternativePaths: true, provider: model });
  open.push(orchestrator);
  orchestrator.registerTemplate('helper', { systemPrompt: 'You are helper, a generalist.' });
  const run = await orchestrator.executeWorkflow({
    tasks: [
      { agentId: 'primary', taskDescription: 'Plan it', fallbackAgent: 'helper', confidenceThreshold: 0.8, alternativePathsAllowed: true },
    ],
  });
  expect(run.results.primary).toMatchObject({ status: 'succeeded', output: 'helper answer', confidence: 0.9, fallbackUsed: 'helper', attempts: 2 });
  expect(run.results.primary?.alternatives.map((alternative) => alternative.output)).toEqual(['primary answer']);
  const helperActing = model.requests.find((request) => agentOf(request) === 'helper' && !isReflection(request));
  expect(helperActing?.messages.map(messageText).join('\n')).toContain('Take a different approach');
});
