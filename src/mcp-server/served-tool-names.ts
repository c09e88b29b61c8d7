/** The names of the tools `serveMcp` offers to MCP clients. */
export const SERVED_TOOLS = ['run_workflow', 'ask_agent', 'read_artifact', 'list_runs', 'inspect_run'] as const;
