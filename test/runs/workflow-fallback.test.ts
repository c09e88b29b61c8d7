/**
 * Fallback agents beyond the basics in workflow.test.ts: an alternative path
 * runs on the fallback agent, and a fallback agent two tasks share lives until
 * the last run using it ends, so one task's cleanup never aborts the other's call.
 */
import { afterEach, expect, it } from 'vitest';
import { Orchestrator, ProviderError } from '../../src/index.js';
import { messageText } from '../../src/index.js';
import { createScriptedProvider } from '../../src/testing.js';
import type { ScriptedStep } from '../../src/testing.js';
import { agentOf, isReflection } from '../support/requests.js';


const open: Orchestrator[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((orchestrator) => orchestrator.shutdown()));
});

it('two tasks that fall back to one shared agent both get it, one after the other, and neither cleanup aborts the other\'s call', async () => {
  const aborted: string[] = [];
  const model = createScriptedProvider({
    fallback: (request): ScriptedStep | Promise<ScriptedStep> => {
      const agent = agentOf(request);
      if (isReflection(request)) return { structured: { confidence: 0.9, critique: '' } };
      if (agent.startsWith('primary')) return new ProviderError('PROVIDER_BAD_REQUEST', 'scripted', `${agent} cannot`);
      const task = messageText(request.messages.at(-1) ?? { role: 'user', content: '' }).includes('Task x') ? 'x' : 'y';
      request.signal?.addEventListener('abort', () => aborted.push(task));
      return new Promise((resolve) => setTimeout(() => resolve({ text: `helper rescued ${task}` }), 20));
    },
  });
  const orchestrator = new Orchestrator({ enableThinkingAgents: false, provider: model, maxParallelAgents: 2 });
  open.push(orchestrator);
  orchestrator.registerTemplate('helper', { systemPrompt: 'You are helper, a generalist.', enableSelfReflection: false });
  const run = await orchestrator.executeWorkflow({
    continueOnFailure: true,
    tasks: [
      { agentId: 'primary_a', taskDescription: 'Task x', fallbackAgent: 'helper', priority: 'high' },
      { agentId: 'primary_b', taskDescription: 'Task y', fallbackAgent: 'helper' },
    ],
  });
  expect(run.results.primary_a).toMatchObject({ status: 'succeeded', fallbackUsed: 'helper', output: 'helper rescued x' });
  expect(run.results.primary_b).toMatchObject({ status: 'succeeded', fallbackUsed: 'helper', output: 'helper rescued y' });
  expect(aborted).toEqual([]);
  const helperCalls = model.requests.filter((request) => agentOf(request) === 'helper');
  expect(helperCalls).toHaveLength(2);
  expect(orchestrator.listAgents()).toEqual([]); // the shared helper went when its last run ended
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
