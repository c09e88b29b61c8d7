import { describe, expect, it } from 'vitest';
import { InvalidVoteError } from '../../src/index.js';
import type { ConsensusVote } from '../../src/index.js';
import { deliberationPrompt, normalizeDecision, parseVote, resolveConsensusConfig, tallyVotes, VOTE_SCHEMA, voteSchema } from '../../src/runs/index.js';

/** A vote; `weight` is deliberately wrong (99) to show the tally assigns its own. */
const vote = (agentId: string, decision: string, confidence: number, round = 1, rationale = ''): ConsensusVote => ({
  agentId,
  decision,
  confidence,
  weight: 99,
  rationale,
  round,
});

describe('normalizeDecision', () => {
  it.each([
    ['Yes', 'yes'],
    ['  yes  ', 'yes'],
    ['YES!', 'yes'],
    ['Yes.', 'yes'],
    ['Approve   the\n plan?!', 'approve the plan'],
    ['Straße', 'strasse'],
    ['...', '...'],
    ['Plan (B)', 'plan (b)'],
  ])('%j groups as %j', (decision, key) => {
    expect(normalizeDecision(decision)).toBe(key);
  });
});

describe('resolveConsensusConfig', () => {
  it('defaults to confidence weights, 3 rounds and a strict majority', () => {
    expect(resolveConsensusConfig({ method: 'weighted_voting' })).toEqual({
      method: 'weighted_voting',
      confidenceWeights: true,
      requireQuorum: 0.5,
      strictMajority: true,
      maxRounds: 3,
    });
    expect(resolveConsensusConfig({ method: 'majority', requireQuorum: 0.5 }).strictMajority).toBe(false);
  });
});

describe('tallyVotes: majority', () => {
  const votes = [vote('e1', 'A', 0.6), vote('e2', 'A', 0.3), vote('e3', 'B', 0.95)];

  it('counts one per vote, ignoring confidence', () => {
    const tally = tallyVotes(votes, { method: 'majority' });
    expect(tally.decision).toBe('A');
    expect(tally.weights).toEqual({ A: 2, B: 1 });
    expect(tally.agreement).toBeCloseTo(2 / 3, 12);
    expect(tally.quorumMet).toBe(true);
    expect(tally.votes.map((v) => v.weight)).toEqual([1, 1, 1]);
  });

  it('needs strictly more than half when no quorum is given: 2 of 4 is not enough', () => {
    const tally = tallyVotes([vote('a', 'X', 1), vote('b', 'X', 1), vote('c', 'Y', 1), vote('d', 'Z', 1)], { method: 'majority' });
    expect(tally.agreement).toBe(0.5);
    expect(tally.quorumMet).toBe(false);
    expect(tally.decision).toBeNull();
    expect(tally.leading).toBe('X');
  });

  it('with requireQuorum 0.5 given, exactly half is enough', () => {
    const tally = tallyVotes([vote('a', 'X', 1), vote('b', 'X', 1), vote('c', 'Y', 1), vote('d', 'Z', 1)], {
      method: 'majority',
      requireQuorum: 0.5,
    });
    expect(tally.quorumMet).toBe(true);
    expect(tally.decision).toBe('X');
  });

  it('meets a quorum of 0.75 at exactly 3 of 4, and misses it at 2 of 3', () => {
    const fourVotes = [vote('a', 'go', 1), vote('b', 'go', 1), vote('c', 'go', 1), vote('d', 'stop', 1)];
    expect(tallyVotes(fourVotes, { method: 'majority', requireQuorum: 0.75 })).toMatchObject({ decision: 'go', agreement: 0.75, quorumMet: true });
    expect(tallyVotes(fourVotes.slice(1), { method: 'majority', requireQuorum: 0.75 })).toMatchObject({ decision: null, quorumMet: false, leading: 'go' });
  });
});

describe('tallyVotes: weighted_voting', () => {
  const votes = [vote('e1', 'A', 0.6), vote('e2', 'A', 0.3), vote('e3', 'B', 0.95)];

  it('weights each vote by confidence: 0.95 for B beats 0.6 + 0.3 for A', () => {
    const tally = tallyVotes(votes, { method: 'weighted_voting' });
    expect(tally.decision).toBe('B');
    expect(tally.weights['A']).toBeCloseTo(0.9, 12);
    expect(tally.weights['B']).toBeCloseTo(0.95, 12);
    expect(tally.agreement).toBeCloseTo(0.95 / 1.85, 12);
    expect(tally.quorumMet).toBe(true); // 0.5135 > 0.5
    expect(tally.votes.map((v) => v.weight)).toEqual([0.6, 0.3, 0.95]);
  });

  it('with confidenceWeights off, counts one per vote like majority', () => {
    const tally = tallyVotes(votes, { method: 'weighted_voting', confidenceWeights: false });
    expect(tally.decision).toBe('A');
    expect(tally.weights).toEqual({ A: 2, B: 1 });
  });

  it('meets a quorum reached exactly despite floating-point sums (0.7 + 0.1 of 1.0 at quorum 0.8)', () => {
    expect(0.7 + 0.1).toBeLessThan(0.8); // what makes this boundary worth testing
    const tally = tallyVotes([vote('a', 'ship', 0.7), vote('b', 'ship', 0.1), vote('c', 'wait', 0.2)], {
      method: 'weighted_voting',
      requireQuorum: 0.8,
    });
    expect(tally.quorumMet).toBe(true);
    expect(tally.decision).toBe('ship');
  });

  it('misses a quorum just above the agreement', () => {
    const tally = tallyVotes([vote('a', 'ship', 0.7), vote('b', 'ship', 0.1), vote('c', 'wait', 0.2)], {
      method: 'weighted_voting',
      requireQuorum: 0.81,
    });
    expect(tally).toMatchObject({ quorumMet: false, decision: null, leading: 'ship' });
  });

  it('the seed example: quorum 0.8 with five experts', () => {
    const tally = tallyVotes(
      [vote('expert_1', 'Expand', 0.9), vote('expert_2', 'expand', 0.8), vote('expert_3', 'Expand.', 0.85), vote('expert_4', 'Hold', 0.4), vote('expert_5', 'EXPAND', 0.7)],
      { method: 'weighted_voting', confidenceWeights: true, requireQuorum: 0.8 },
    );
    // Expand: 0.9 + 0.8 + 0.85 + 0.7 = 3.25 of 3.65 → 0.890
    expect(tally.agreement).toBeCloseTo(3.25 / 3.65, 12);
    expect(tally.decision).toBe('Expand');
  });

  it('gives no decision when no voter has any confidence', () => {
    const tally = tallyVotes([vote('a', 'x', 0), vote('b', 'y', 0)], { method: 'weighted_voting' });
    expect(tally).toMatchObject({ decision: null, leading: null, agreement: 0, quorumMet: false });
  });

  it('clamps confidences outside [0, 1] and treats NaN as 0', () => {
    const tally = tallyVotes([vote('a', 'x', 7), vote('b', 'y', Number.NaN), vote('c', 'y', -1)], { method: 'weighted_voting' });
    expect(tally.weights).toEqual({ x: 1, y: 0 });
    expect(tally.decision).toBe('x');
  });
});

describe('tallyVotes: deliberative', () => {
  it('tallies the last round like weighted_voting', () => {
    const votes = [
      vote('a', 'no', 0.9, 1),
      vote('b', 'no', 0.8, 1),
      vote('c', 'yes', 0.6, 1),
      vote('a', 'yes', 0.5, 2),
      vote('b', 'no', 0.8, 2),
      vote('c', 'yes', 0.7, 2),
    ];
    const tally = tallyVotes(votes, { method: 'deliberative', requireQuorum: 0.6 });
    expect(tally.round).toBe(2);
    expect(tally.weights['yes']).toBeCloseTo(1.2, 12);
    expect(tally.weights['no']).toBeCloseTo(0.8, 12);
    expect(tally.agreement).toBeCloseTo(0.6, 12);
    expect(tally.decision).toBe('yes');
    expect(tally.votes.every((v) => v.round === 2)).toBe(true);
  });
});

describe('tallyVotes: grouping, ties and counting rules', () => {
  it('groups spellings and reports the most common original spelling', () => {
    const tally = tallyVotes([vote('a', 'Yes', 1), vote('b', '  Yes ', 1), vote('c', 'yes.', 1), vote('d', 'YES!', 1), vote('e', 'No', 1)], {
      method: 'majority',
    });
    expect(tally.decision).toBe('Yes');
    expect(tally.weights).toEqual({ Yes: 4, No: 1 });
  });

  it('breaks a spelling tie lexically', () => {
    expect(tallyVotes([vote('a', 'yes', 1), vote('b', 'Yes', 1)], { method: 'majority' }).decision).toBe('Yes');
  });

  it('breaks a tie at the top by higher total confidence when the quorum is met', () => {
    const tally = tallyVotes([vote('a', 'red', 0.5), vote('b', 'blue', 0.9)], { method: 'majority', requireQuorum: 0.5 });
    expect(tally.agreement).toBe(0.5);
    expect(tally.decision).toBe('blue');
  });

  it('breaks a tie of weight and confidence lexically, whatever the vote order', () => {
    const config = { method: 'majority', requireQuorum: 0.5 } as const;
    expect(tallyVotes([vote('a', 'banana', 0.7), vote('b', 'apple', 0.7)], config).decision).toBe('apple');
    expect(tallyVotes([vote('b', 'apple', 0.7), vote('a', 'banana', 0.7)], config).decision).toBe('apple');
  });

  it('returns no decision for a tie at the top when the quorum is not met', () => {
    const tally = tallyVotes([vote('a', 'red', 0.9), vote('b', 'blue', 0.9)], { method: 'weighted_voting' });
    expect(tally).toMatchObject({ decision: null, quorumMet: false, agreement: 0.5 });
  });

  it('counts one vote per agent: its last in the round', () => {
    const tally = tallyVotes([vote('a', 'x', 1), vote('a', 'y', 1), vote('b', 'y', 1)], { method: 'majority' });
    expect(tally.weights).toEqual({ y: 2 });
    expect(tally.votes).toHaveLength(2);
  });

  it('with options, reports the option’s spelling and ignores votes for anything else', () => {
    const tally = tallyVotes([vote('a', 'approve', 1), vote('b', 'APPROVE.', 1), vote('c', 'reject', 1), vote('d', 'maybe', 1)], {
      method: 'majority',
      options: ['Approve', 'Reject'],
    });
    expect(tally.weights).toEqual({ Approve: 2, Reject: 1 });
    expect(tally.decision).toBe('Approve');
    expect(tally.ignored.map((v) => v.agentId)).toEqual(['d']);
    expect(tally.agreement).toBeCloseTo(2 / 3, 12);
  });

  it('with an empty options list, counts every vote as parseVote and voteSchema do', () => {
    const tally = tallyVotes([vote('a', 'yes', 1), vote('b', 'yes', 1)], { method: 'majority', options: [] });
    expect(tally.ignored).toEqual([]);
    expect(tally.decision).toBe('yes');
  });

  it('gives no decision and round 0 for no votes', () => {
    expect(tallyVotes([], { method: 'majority' })).toMatchObject({ decision: null, leading: null, agreement: 0, quorumMet: false, round: 0 });
  });
});

describe('deliberationPrompt', () => {
  const round1 = [
    vote('zoe', 'No', 0.4, 1, 'Too risky\n  right now.'),
    vote('adam', 'Yes', 0.85, 1, 'Tests pass.'),
  ];

  it('shows the question, the options and every agent’s decision, confidence and rationale from the last round', () => {
    const prompt = deliberationPrompt('Ship on Friday?', [vote('adam', 'Maybe', 0.1, 0), ...round1], 2, ['Yes', 'No']);
    expect(prompt).toBe(
      [
        'Deliberation, round 2.',
        '',
        'Question: Ship on Friday?',
        'Choose exactly one of: "Yes", "No".',
        '',
        'In round 1 the agents answered:',
        '- adam: "Yes" (confidence 0.85)',
        '  Rationale: Tests pass.',
        '- zoe: "No" (confidence 0.40)',
        '  Rationale: Too risky right now.',
        '',
        'Weigh these answers and their reasons. Keep your decision or change it if an argument convinced you.',
        'Give your decision, your confidence between 0 and 1, and a short rationale that answers the strongest opposing argument.',
      ].join('\n'),
    );
  });

  it('cuts long rationales', () => {
    const prompt = deliberationPrompt('Q?', [vote('a', 'x', 1, 1, 'r'.repeat(5_000))], 2);
    expect(prompt).toContain(`Rationale: ${'r'.repeat(600)}…`);
    expect(prompt.length).toBeLessThan(1_000);
  });

  it('asks for a first answer when there are no earlier votes', () => {
    expect(deliberationPrompt('Q?', [], 1)).toBe(
      'Deliberation, round 1.\n\nQuestion: Q?\n\nGive your decision, your confidence between 0 and 1, and a short rationale.',
    );
  });
});

describe('vote schema and parseVote', () => {
  it('VOTE_SCHEMA asks for a decision, a confidence in [0, 1] and a rationale, and nothing else', () => {
    expect(VOTE_SCHEMA).toMatchObject({
      type: 'object',
      required: ['decision', 'confidence', 'rationale'],
      additionalProperties: false,
      properties: { decision: { type: 'string' }, confidence: { type: 'number', minimum: 0, maximum: 1 }, rationale: { type: 'string' } },
    });
    expect(VOTE_SCHEMA['properties']).not.toHaveProperty('decision.enum');
  });

  it('voteSchema(options) restricts the decision to the options', () => {
    expect(voteSchema(['yes', 'no'])).toMatchObject({ properties: { decision: { type: 'string', enum: ['yes', 'no'] } } });
  });

  it('parses a valid vote, with weight 1 until tallied', () => {
    expect(parseVote({ decision: ' Yes ', confidence: 0.8, rationale: 'Tests pass' }, 'expert_1', 2)).toEqual({
      agentId: 'expert_1',
      decision: 'Yes',
      confidence: 0.8,
      weight: 1,
      rationale: 'Tests pass',
      round: 2,
    });
  });

  it('parses a vote given as JSON text', () => {
    const parsed = parseVote('{"decision":"No","confidence":0,"rationale":""}', 'a', 1);
    expect(parsed).toMatchObject({ decision: 'No', confidence: 0 });
  });

  it('maps a decision onto the matching option’s spelling', () => {
    expect(parseVote({ decision: 'approve.', confidence: 1, rationale: 'ok' }, 'a', 1, ['Approve', 'Reject'])).toMatchObject({ decision: 'Approve' });
  });

  it.each([
    ['not JSON', 'yes please', 'Invalid vote from "a" in round 1: the answer is not a JSON object'],
    ['not an object', 42, 'Invalid vote from "a" in round 1: the answer is not an object'],
    ['an empty decision', { decision: '  ', confidence: 0.5, rationale: '' }, 'Invalid vote from "a" in round 1: decision must not be empty'],
    ['a confidence above 1', { decision: 'x', confidence: 1.2, rationale: '' }, 'Invalid vote from "a" in round 1: confidence must be between 0 and 1'],
    ['a confidence as text', { decision: 'x', confidence: '0.5', rationale: '' }, 'Invalid vote from "a" in round 1: confidence must be a number'],
    ['no rationale', { decision: 'x', confidence: 0.5 }, 'Invalid vote from "a" in round 1: rationale must be a string'],
  ])('rejects %s with a typed, retryable error', (_, value, message) => {
    const parsed = parseVote(value, 'a', 1);
    expect(parsed).toBeInstanceOf(InvalidVoteError);
    if (!(parsed instanceof InvalidVoteError)) return;
    expect(parsed.message).toBe(message);
    expect(parsed.code).toBe('INVALID_VOTE');
    expect(parsed.retryable).toBe(true);
  });

  it('rejects a decision that is none of the options', () => {
    const parsed = parseVote({ decision: 'maybe', confidence: 0.5, rationale: '' }, 'a', 3, ['yes', 'no']);
    expect(parsed).toBeInstanceOf(InvalidVoteError);
    expect(parsed instanceof InvalidVoteError && parsed.message).toBe('Invalid vote from "a" in round 3: decision "maybe" is not one of "yes", "no"');
  });
});
