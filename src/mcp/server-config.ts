/**
 * How to reach an MCP server whose tools troupe agents use: a command to
 * spawn (stdio) or a URL (streamable HTTP), and how hard to try to keep it up.
 */
import { ConfigError } from '../protocols/errors/errors.js';

interface McpServerCommon {
  /** Prefix of the server's tools in troupe (`<name>.<tool>`): letters, digits, _ or -. */
  readonly name: string;
  /** How many times a server that died or dropped its connection is started again over its life. Default 3. */
  readonly maxRestarts?: number;
  /** A tool call's deadline, reset by each progress notification. Default 60. */
  readonly callTimeoutSeconds?: number;
}

/** A server troupe spawns and speaks to over its stdin/stdout. */
export interface McpStdioServerConfig extends McpServerCommon {
  readonly command: string;
  readonly args?: readonly string[];
  /** Added to a minimal inherited environment (PATH, HOME, ...). Values never appear in logs or errors. */
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /** The server's stderr: dropped (default) or passed to this process's stderr. */
  readonly stderr?: 'ignore' | 'inherit';
}

/** A server already running, reached over streamable HTTP. */
export interface McpHttpServerConfig extends McpServerCommon {
  readonly url: string;
  /** Sent with every request (e.g. an Authorization header). Never logged. */
  readonly headers?: Readonly<Record<string, string>>;
}

export type McpServerConfig = McpStdioServerConfig | McpHttpServerConfig;

export function isStdioConfig(config: McpServerConfig): config is McpStdioServerConfig {
  return 'command' in config;
}

const SERVER_NAME = /^[a-zA-Z0-9_-]{1,32}$/;

/** Checks a server config; returns it with defaults applied. @throws ConfigError */
export function validateMcpServerConfig(config: McpServerConfig): Required<Pick<McpServerCommon, 'maxRestarts' | 'callTimeoutSeconds'>> {
  if (!SERVER_NAME.test(config.name)) {
    throw new ConfigError('mcp.name', `"${config.name}" must be 1-32 letters, digits, _ or -`);
  }
  const field = `mcp.${config.name}`;
  if (isStdioConfig(config)) {
    if (config.command.trim() === '') throw new ConfigError(`${field}.command`, 'must not be empty');
  } else {
    let url: URL;
    try {
      url = new URL(config.url);
    } catch {
      throw new ConfigError(`${field}.url`, 'must be an absolute http(s) URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(`${field}.url`, 'must be an http(s) URL');
  }
  const maxRestarts = config.maxRestarts ?? 3;
  if (!Number.isInteger(maxRestarts) || maxRestarts < 0) throw new ConfigError(`${field}.maxRestarts`, 'must be an integer >= 0');
  const callTimeoutSeconds = config.callTimeoutSeconds ?? 60;
  if (!(callTimeoutSeconds > 0) || !Number.isFinite(callTimeoutSeconds)) {
    throw new ConfigError(`${field}.callTimeoutSeconds`, 'must be a positive number');
  }
  return { maxRestarts, callTimeoutSeconds };
}
