"""scout for coding agents: an MCP server over stdio (server.py) and the agent skill (SKILL.md)."""
