/** A troupe config module whose default export is a plain OrchestratorConfig. */
export default { provider: 'simulated', maxParallelAgents: 2, journal: false } as const;
