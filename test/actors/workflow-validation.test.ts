import { describe, expect, it } from 'vitest';
import { WorkflowValidationError } from '../../src/index.js';
import type { SubAgentTaskSpec } from '../../src/index.js';
import { normalizeTasks, SubAgentTask } from '../../src/actors/workflow/index.js';

const knownTemplates = new Set(['expert_consultant', 'writer', 'analyst']);
const options = { knownTemplates };

/** Runs normalizeTasks on anything (JS callers can pass anything) and returns the validation error. */
function validationError(tasks: unknown, extra: { knownTemplates?: ReadonlySet<string> } = {}): WorkflowValidationError {
  try {
    // Deliberately loose input: these tests feed what a JavaScript caller could pass.
    Reflect.apply(normalizeTasks, undefined, [tasks, { ...options, ...extra }]);
  } catch (error) {
    if (error instanceof WorkflowValidationError) return error;
    throw error;
  }
  throw new Error('expected a WorkflowValidationError, but the tasks validated');
}

const task = (agentId: string, fields: Record<string, unknown> = {}) => ({ agentId, taskDescription: `do ${agentId}`, ...fields });

describe('normalizeTasks: accepted input', () => {
  it('applies defaults and records declaration order', () => {
    const [first, second] = normalizeTasks(
      [
        { agentId: 'researcher', taskDescription: 'Research' },
        { agentId: 'synth', taskDescription: 'Synthesize', dependencies: ['researcher'], priority: 'high' },
      ],
      options,
    );
    expect(first).toMatchObject({
      index: 0,
      agentId: 'researcher',
      executionMode: 'parallel',
      priority: 'medium',
      requireAllDependencies: true,
      alternativePathsAllowed: false,
      dependencies: [],
      thinkingDirectives: [],
      sharedArtifacts: [],
    });
    expect(first?.estimatedDurationSeconds).toBeUndefined();
    expect(second).toMatchObject({ index: 1, priority: 'high', dependencies: ['researcher'] });
  });

  it('accepts SubAgentTask instances and plain objects side by side', () => {
    const condition = () => true;
    const tasks = normalizeTasks(
      [
        new SubAgentTask({
          agentId: 'strategy_synthesizer',
          taskDescription: 'Synthesize',
          executionMode: 'sequential',
          requireAllDependencies: false,
          confidenceThreshold: 0.8,
          alternativePathsAllowed: true,
          dependencies: ['market_researcher'],
        }),
        { agentId: 'market_researcher', taskDescription: 'Research', estimatedDurationSeconds: 120 },
        new SubAgentTask({
          agentId: 'senior_reviewer',
          taskDescription: 'Review',
          dependencies: ['strategy_synthesizer'],
          condition,
          fallbackAgent: 'expert_consultant',
          consensusConfig: { method: 'weighted_voting', confidenceWeights: true, requireQuorum: 0.8 },
        }),
      ],
      options,
    );
    expect(tasks.map((t) => t.agentId)).toEqual(['strategy_synthesizer', 'market_researcher', 'senior_reviewer']);
    expect(tasks[0]).toMatchObject({ executionMode: 'sequential', requireAllDependencies: false, confidenceThreshold: 0.8 });
    expect(tasks[1]?.estimatedDurationSeconds).toBe(120);
    expect(tasks[2]?.hasCondition).toBe(true); // the function stays with the orchestrator
    expect(tasks[0]?.hasCondition).toBe(false);
    expect(tasks[2]?.consensusConfig).toEqual({ method: 'weighted_voting', confidenceWeights: true, requireQuorum: 0.8 });
  });

  it('copies dependency lists, so later changes by the caller do not alter the workflow', () => {
    const dependencies = ['a'];
    const [, b] = normalizeTasks([task('a'), task('b', { dependencies })], options);
    dependencies.push('c');
    expect(b?.dependencies).toEqual(['a']);
  });

  it('accepts a fallbackAgent that names no template: it is spawned from the defaults, like a task’s own agent', () => {
    const [only] = normalizeTasks([task('a', { fallbackAgent: 'veteran' })], options);
    expect(only?.fallbackAgent).toBe('veteran');
  });

  it('accepts boundary values: zero duration, confidenceThreshold 0 and 1, requireQuorum 1, maxRounds 1', () => {
    expect(() =>
      normalizeTasks(
        [
          task('a', { estimatedDurationSeconds: 0, confidenceThreshold: 0 }),
          task('b', {
            confidenceThreshold: 1,
            consensusConfig: { method: 'deliberative', requireQuorum: 1, maxRounds: 1, options: ['yes', 'no'] },
          }),
        ],
        options,
      ),
    ).not.toThrow();
  });
});

describe('normalizeTasks: the list', () => {
  it('rejects an empty list', () => {
    expect(validationError([]).message).toBe('A workflow needs at least one task; the task list is empty');
  });

  it('rejects something that is not an array', () => {
    expect(validationError({ agentId: 'a' }).message).toBe('tasks must be an array of tasks (got object)');
  });

  it('rejects an entry that is not an object, naming its position', () => {
    expect(validationError([task('a'), null]).message).toBe('tasks[1] must be a task object (got null)');
  });

  it('is a WorkflowValidationError with a stable code and details naming the field', () => {
    const error = validationError([task('a', { priority: 'urgent' })]);
    expect(error).toBeInstanceOf(WorkflowValidationError);
    expect(error.code).toBe('WORKFLOW_VALIDATION');
    expect(error.details).toEqual({ index: 0, field: 'priority' });
  });
});

describe('normalizeTasks: agentId and taskDescription', () => {
  it.each([
    ['missing agentId', { taskDescription: 'x' }, 'Task at tasks[0]: agentId must be a non-empty string (got undefined)'],
    ['empty agentId', { agentId: '', taskDescription: 'x' }, 'Task at tasks[0]: agentId must be a non-empty string (got "")'],
    ['blank agentId', { agentId: '   ', taskDescription: 'x' }, 'Task at tasks[0]: agentId must be a non-empty string (got "   ")'],
    [
      'padded agentId',
      { agentId: ' a', taskDescription: 'x' },
      'Task " a" (tasks[0]): agentId must not start or end with whitespace (got " a")',
    ],
    ['numeric agentId', { agentId: 7, taskDescription: 'x' }, 'Task at tasks[0]: agentId must be a non-empty string (got 7)'],
    ['missing taskDescription', { agentId: 'a' }, 'Task "a" (tasks[0]): taskDescription must be a non-empty string (got undefined)'],
    ['empty taskDescription', { agentId: 'a', taskDescription: '' }, 'Task "a" (tasks[0]): taskDescription must be a non-empty string (got "")'],
  ])('rejects a %s', (_, spec, message) => {
    expect(validationError([spec]).message).toBe(message);
  });

  it('rejects a duplicate agentId, naming it and both positions', () => {
    const error = validationError([task('a'), task('b'), task('a')]);
    expect(error.message).toBe('Duplicate agentId "a" at tasks[0] and tasks[2]: each task needs its own agentId');
    expect(error.details).toEqual({ agentId: 'a', indices: [0, 2] });
  });

  it('rejects an unknown field and suggests the field that was meant', () => {
    expect(validationError([{ agent_id: 'a', taskDescription: 'x' }]).message).toBe(
      'Task at tasks[0]: agent_id is not a task field; did you mean "agentId"? (got "a")',
    );
    expect(validationError([task('a', { dependsOn: ['b'] })]).message).toBe(
      'Task "a" (tasks[0]): dependsOn is not a task field (got an array of 1)',
    );
  });
});

describe('normalizeTasks: field values', () => {
  it.each([
    ['priority', 'urgent', 'priority must be "high", "medium" or "low" (got "urgent")'],
    ['executionMode', 'PARALLEL', 'executionMode must be "parallel" or "sequential" (got "PARALLEL")'],
    ['estimatedDurationSeconds', -1, 'estimatedDurationSeconds must be a finite, non-negative number of seconds (got -1)'],
    ['estimatedDurationSeconds', Number.NaN, 'estimatedDurationSeconds must be a finite, non-negative number of seconds (got NaN)'],
    ['estimatedDurationSeconds', Number.POSITIVE_INFINITY, 'estimatedDurationSeconds must be a finite, non-negative number of seconds (got Infinity)'],
    ['estimatedDurationSeconds', '120', 'estimatedDurationSeconds must be a finite, non-negative number of seconds (got "120")'],
    ['confidenceThreshold', -0.1, 'confidenceThreshold must be a number between 0 and 1 (got -0.1)'],
    ['confidenceThreshold', 1.5, 'confidenceThreshold must be a number between 0 and 1 (got 1.5)'],
    ['requireAllDependencies', 'yes', 'requireAllDependencies must be true or false (got "yes")'],
    ['alternativePathsAllowed', 1, 'alternativePathsAllowed must be true or false (got 1)'],
    ['condition', 'results.a.confidence < 0.9', 'condition must be a function (got "results.a.confidence < 0.9")'],
    ['dependencies', 'b', 'dependencies must be an array (got "b")'],
    ['thinkingDirectives', [1], 'thinkingDirectives[0] must be a string (got 1)'],
    ['sharedArtifacts', ['ok', ''], 'sharedArtifacts[1] must be a non-empty string (got "")'],
    ['fallbackAgent', '', 'fallbackAgent must be a non-empty string (got "")'],
  ])('rejects %s = %o', (field, value, message) => {
    expect(validationError([task('a'), task('t', { [field]: value })]).message).toBe(`Task "t" (tasks[1]): ${message}`);
  });

  it.each([
    [{ method: 'vote' }, 'consensusConfig.method must be "majority", "weighted_voting" or "deliberative" (got "vote")'],
    [{}, 'consensusConfig.method must be "majority", "weighted_voting" or "deliberative" (got undefined)'],
    [{ method: 'majority', requireQuorum: 0 }, 'consensusConfig.requireQuorum must be a number in (0, 1]: above 0 and at most 1 (got 0)'],
    [{ method: 'majority', requireQuorum: 1.2 }, 'consensusConfig.requireQuorum must be a number in (0, 1]: above 0 and at most 1 (got 1.2)'],
    [{ method: 'deliberative', maxRounds: 0 }, 'consensusConfig.maxRounds must be a whole number of at least 1 (got 0)'],
    [{ method: 'deliberative', maxRounds: 1.5 }, 'consensusConfig.maxRounds must be a whole number of at least 1 (got 1.5)'],
    [{ method: 'majority', confidenceWeights: 'yes' }, 'consensusConfig.confidenceWeights must be true or false (got "yes")'],
    [{ method: 'majority', options: [] }, 'consensusConfig.options must not be empty (got an array of 0)'],
    [{ method: 'majority', voters: ['x', 3] }, 'consensusConfig.voters[1] must be a non-empty string (got 3)'],
    [
      { method: 'majority', require_quorum: 0.5 },
      'consensusConfig.require_quorum is not a consensusConfig field; did you mean "requireQuorum"? (got 0.5)',
    ],
    ['majority', 'consensusConfig must be an object (got "majority")'],
  ])('rejects consensusConfig %o', (consensusConfig, message) => {
    expect(validationError([task('judge', { consensusConfig })]).message).toBe(`Task "judge" (tasks[0]): ${message}`);
  });
});

describe('normalizeTasks: template and fallbackAgent', () => {
  it('rejects a template that is not registered, suggesting a near name', () => {
    expect(validationError([task('a', { template: 'writr' })]).message).toBe(
      'Task "a" (tasks[0]): template "writr" is not a registered template; did you mean "writer"? ' +
        '(templates: "expert_consultant", "writer", "analyst")',
    );
  });

  it('accepts a fallbackAgent that names another task of the workflow (that agent takes over)', () => {
    const [a] = normalizeTasks([task('a', { fallbackAgent: 'b' }), task('b')], options);
    expect(a?.fallbackAgent).toBe('b');
  });

  it('rejects a fallbackAgent equal to the task’s own agentId', () => {
    expect(validationError([task('writer', { fallbackAgent: 'writer' })]).message).toBe(
      'Task "writer" (tasks[0]): fallbackAgent must name a different agent than the task\'s own',
    );
  });
});

describe('normalizeTasks: dependencies', () => {
  it('rejects a task that depends on itself', () => {
    expect(validationError([task('a'), task('b', { dependencies: ['a', 'b'] })]).message).toBe(
      'Task "b" (tasks[1]) depends on itself',
    );
  });

  it('rejects a dependency listed twice', () => {
    expect(validationError([task('a'), task('b', { dependencies: ['a', 'a'] })]).message).toBe(
      'Task "b" (tasks[1]) lists dependency "a" more than once',
    );
  });

  it('rejects a dependency listed twice in a long list (a reduce over many tasks), and accepts the list without it', () => {
    const map = Array.from({ length: 40 }, (_, i) => task(`m${i}`));
    const ids = map.map((t) => t.agentId);
    expect(validationError([...map, task('reduce', { dependencies: [...ids, 'm7', 'm9'] })]).message).toBe(
      'Task "reduce" (tasks[40]) lists dependency "m7" more than once',
    );
    const [reduce] = normalizeTasks([...map, task('reduce', { dependencies: ids })], options).slice(-1);
    expect(reduce?.dependencies).toEqual(ids);
  });

  it('rejects an unknown dependency and suggests the closest existing agentId', () => {
    const error = validationError([task('market_researcher'), task('competitor_analyst'), task('synth', { dependencies: ['market_reseacher'] })]);
    expect(error.message).toBe('Task "synth" (tasks[2]) depends on unknown task "market_reseacher"; did you mean "market_researcher"?');
    expect(error.details).toMatchObject({ agentId: 'synth', dependency: 'market_reseacher' });
  });

  it('suggests nothing when no agentId is close to the unknown dependency', () => {
    expect(validationError([task('writer'), task('review', { dependencies: ['database_migration'] })]).message).toBe(
      'Task "review" (tasks[1]) depends on unknown task "database_migration"',
    );
  });

  it('rejects a cycle and prints its path from the earliest-declared task, each depending on the next', () => {
    const error = validationError([
      task('start'),
      task('a', { dependencies: ['start', 'c'] }),
      task('b', { dependencies: ['a'] }),
      task('c', { dependencies: ['b'] }),
    ]);
    expect(error.message).toBe('Dependency cycle: a → c → b → a (each task depends on the next, so none of them can start)');
    expect(error.details).toEqual({ cycle: ['a', 'c', 'b'] });
  });

  it('finds a two-task cycle declared after acyclic tasks', () => {
    expect(validationError([task('x'), task('y', { dependencies: ['x'] }), task('p', { dependencies: ['q'] }), task('q', { dependencies: ['p'] })]).message).toMatch(
      /^Dependency cycle: p → q → p /,
    );
  });
});

describe('normalizeTasks: scale', () => {
  const chain = (length: number): SubAgentTaskSpec[] =>
    Array.from({ length }, (_, i) => ({ agentId: `t${i}`, taskDescription: `step ${i}`, dependencies: i === 0 ? [] : [`t${i - 1}`] }));

  it('validates a 10,000-task chain without overflowing the stack', () => {
    const tasks = normalizeTasks(chain(10_000), options);
    expect(tasks).toHaveLength(10_000);
    expect(tasks[9_999]?.dependencies).toEqual(['t9998']);
  });

  it('reports a 10,000-task cycle without overflowing the stack', () => {
    const tasks = chain(10_000).map((spec, i) => (i === 0 ? { ...spec, dependencies: ['t9999'] } : spec));
    const error = validationError(tasks);
    expect(error.message.startsWith('Dependency cycle: t0 → t9999 → t9998 → ')).toBe(true);
    expect(error.message).toContain('t1 → t0 (each task');
    expect(error.details?.['cycle']).toHaveLength(10_000);
  });
});
